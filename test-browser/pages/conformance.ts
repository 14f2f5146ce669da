// Runs the shared scenarios (test-shared/scenarios.ts) in this page, for Web Workers and inline,
// and leaves the results in `window.__results` for the test (test-browser/conformance.test.ts) to read.
import * as api from "isofutures";
import type { Executor } from "isofutures";
import { channelGate } from "../../test-shared/channel-gate.js";
import { scenarios, type Ctx, type Kind } from "../../test-shared/scenarios.js";

interface Result {
  kind: Kind;
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

const SHARED = new URL("/test-shared/", location.href);

// What the page raised, for drivers that have no event for it (WebDriver classic: WebKitGTK).
const pageErrors: string[] = [];
(window as unknown as { __pageErrors: string[] }).__pageErrors = pageErrors;
addEventListener("error", (e) => pageErrors.push(`uncaught: ${String(e.error?.stack ?? e.message)}`));
addEventListener("unhandledrejection", (e) => pageErrors.push(`unhandled rejection: ${String(e.reason?.stack ?? e.reason)}`));

async function run(): Promise<Result[]> {
  const results: Result[] = [];
  for (const kind of ["thread", "inline"] as const) {
    for (const s of scenarios.filter((x) => x.kinds === undefined || x.kinds.includes(kind))) {
      const made: Executor<any>[] = [];
      const ctx: Ctx = {
        kind,
        api,
        make(options = {}) {
          const o = { tasks: new URL("tasks.js", SHARED), ...options };
          const ex = kind === "thread" ? new api.ThreadPoolExecutor(o) : new api.InlineExecutor(o);
          made.push(ex);
          return ex;
        },
        gate: channelGate,
        url: (file) => new URL(file, SHARED),
      };
      const t0 = performance.now();
      try {
        await Promise.race([
          s.run(ctx),
          new Promise((_, reject) => setTimeout(() => reject(new Error("scenario did not finish within 20 s")), 20_000)),
        ]);
        results.push({ kind, name: s.name, ok: true, ms: performance.now() - t0 });
      } catch (error) {
        results.push({ kind, name: s.name, ok: false, error: describeError(error), ms: performance.now() - t0 });
      } finally {
        await Promise.all(made.map((ex) => ex.terminate()));
      }
    }
  }
  return results;
}

/** Name, message and stack: only V8 puts the first two in `stack`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const head = `${error.name}: ${error.message}`;
  return error.stack?.startsWith(head) ? error.stack : `${head}\n${error.stack ?? ""}`;
}

(window as unknown as { __results: Promise<Result[]> }).__results = run();
