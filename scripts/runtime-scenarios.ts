// The shared scenarios (test-shared/scenarios.ts, and the primitives of test-shared/primitives.ts)
// in a runtime that vitest does not run on (Bun, Deno), against the built package as a user imports
// it, with checks of what the runtime itself should report. Run by scripts/test-matrix.mjs:
//   bun scripts/runtime-scenarios.ts bun node
//   deno run -A --sloppy-imports scripts/runtime-scenarios.ts deno node|browser
// The first argument is the runtime platformInfo() must name. "node" imports "isofutures" by name,
// which resolves to the package's Node entry; "browser" imports the browser build
// (dist/browser/index.js), whose ThreadPoolExecutor refuses to run in Deno. Prints one line per
// scenario and kind, then "N passed, N failed"; exits with 1 when any failed.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Api from "isofutures";
import type { Executor } from "isofutures";
import { equal, match, ok } from "../test-shared/check.js";
import { primitiveScenarios } from "../test-shared/primitives.js";
import { scenarios, type Ctx, type Kind, type Scenario, type TestGate } from "../test-shared/scenarios.js";

const [runtime, entry] = process.argv.slice(2);
if (runtime !== "bun" && runtime !== "deno") throw new TypeError(`expected the runtime, "bun" or "deno", got ${runtime}`);
if (entry !== "node" && entry !== "browser") throw new TypeError(`expected the entry, "node" or "browser", got ${entry}`);
const SHARED = new URL("../test-shared/", import.meta.url);
const api = (entry === "node" ? await import("isofutures") : await import(new URL("../dist/browser/index.js", import.meta.url).href)) as typeof Api;
const all: Kind[] = entry === "node" ? ["inline", "thread", "process"] : ["inline"];
/** `ISOFUTURES_KINDS=thread,process` runs only those kinds. */
const kinds = process.env.ISOFUTURES_KINDS ? all.filter((k) => process.env.ISOFUTURES_KINDS?.split(",").includes(k)) : all;
/** A scenario that has not finished by then has failed (the timeouts inside are far shorter). */
const SCENARIO_LIMIT_MS = 30_000;

const gateDirs: string[] = [];

/**
 * A gate on a folder (tasks.js writes `arrived-*` files and waits for `open`), for every kind: not a
 * BroadcastChannel as under vitest, because in Deno a channel made after the thread's last one
 * closed cannot post ("expected i32"), which the gates, made and closed per scenario, would hit.
 */
function gate(): TestGate {
  const dir = mkdtempSync(join(tmpdir(), "isofutures-gate-"));
  gateDirs.push(dir);
  const arrived = () => readdirSync(dir).filter((f) => f.startsWith("arrived-")).length;
  return {
    handle: pathToFileURL(dir).href,
    open: () => writeFileSync(join(dir, "open"), ""),
    async arrivals(n) {
      while (arrived() < n) await new Promise((r) => setTimeout(r, 2));
    },
    // Removed at the end: a task still polling for `open` must go on seeing it.
    close() {},
    count: arrived,
  };
}

function make(kind: Kind, options: Record<string, unknown>): Executor {
  const o = { tasks: new URL("tasks.js", SHARED), ...options };
  if (kind === "inline") return new api.InlineExecutor(o);
  if (kind === "thread") return new api.ThreadPoolExecutor(o);
  return new api.ProcessPoolExecutor(o);
}

const started = performance.now();
let passed = 0;
let failed = 0;
for (const kind of kinds) {
  for (const s of [...runtimeChecks(), ...scenarios, ...primitiveScenarios].filter((x) => x.kinds === undefined || x.kinds.includes(kind))) {
    const made: Executor[] = [];
    const ctx: Ctx = {
      kind,
      api,
      make(options = {}) {
        const ex = make(kind, options);
        made.push(ex);
        return ex;
      },
      gate,
      url: (file) => new URL(file, SHARED),
    };
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        s.run(ctx),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within ${SCENARIO_LIMIT_MS / 1000} s`)), SCENARIO_LIMIT_MS);
        }),
      ]);
      passed++;
      console.log(`  ✓ ${kind}: ${s.name} (${Math.round(performance.now() - t0)} ms)`);
    } catch (error) {
      failed++;
      console.log(`  ✗ ${kind}: ${s.name} (${Math.round(performance.now() - t0)} ms)\n${indent(String((error as Error)?.stack ?? error))}`);
    } finally {
      clearTimeout(timer);
      await Promise.all(made.map((ex) => ex.terminate()));
    }
  }
}
const where = fileURLToPath(import.meta.url);
console.log(`\n${where}: ${entry} entry, ${Math.round(performance.now() - started)} ms`);
console.log(`${passed} passed, ${failed} failed`);
for (const dir of gateDirs) rmSync(dir, { recursive: true, force: true });
// An explicit exit: tasks that inline executors timed out keep running (the calling thread cannot be
// stopped), and one sleeps for a minute. scripts/runtime-exit.ts checks that pools let a program end.
process.exit(failed > 0 ? 1 : 0);

/** What this runtime and entry must report about themselves (run once, with the inline kind). */
function runtimeChecks(): Scenario[] {
  const checks: Scenario[] = [
    {
      name: `platformInfo() says ${runtime}, and what runs here`,
      kinds: ["inline"],
      async run() {
        const info = api.platformInfo();
        equal(info.runtime, runtime, "runtime");
        equal(info.threads, entry === "node", "threads");
        equal(info.processes, entry === "node", "processes");
        equal(info.sharedMemory, true, "sharedMemory");
        ok(info.cpuCount >= 1 && info.cpuCount === api.cpuCount(), `cpuCount ${info.cpuCount}`);
      },
    },
  ];
  if (entry === "browser" && runtime === "deno") {
    checks.push({
      name: "the browser build's ThreadPoolExecutor refuses Deno, naming the Node build",
      kinds: ["inline"],
      async run() {
        let error: unknown;
        try {
          new api.ThreadPoolExecutor({ tasks: new URL("tasks.js", SHARED) });
        } catch (e) {
          error = e;
        }
        ok(error instanceof api.UnsupportedError, `an UnsupportedError, got ${String(error)}`);
        match((error as Error).message, /does not run in Deno: Deno's Worker\.terminate\(\) does not stop a task.*Node build/);
      },
    });
  }
  return checks;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
}
