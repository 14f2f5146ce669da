// The shared scenarios (test-shared/scenarios.ts) in each browser (browsers.ts), on a cross-origin
// isolated page and on a plain one: Web Workers and inline. One test per scenario, kind and page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { scenarios } from "../test-shared/scenarios.js";
import { engines, launch, NAMES, type TestBrowser } from "./browsers.js";
import { serve, type StaticServer } from "./server.js";

interface Result {
  kind: string;
  name: string;
  ok: boolean;
  error?: string;
}

const root = new URL("..", import.meta.url).pathname;
const pages = { isolated: true, plain: false } as const;
const servers: Partial<Record<keyof typeof pages, StaticServer>> = {};

beforeAll(async () => {
  await build({
    entryPoints: [new URL("pages/conformance.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: new URL(".build/conformance.js", import.meta.url).pathname,
    logLevel: "error",
  });
  for (const [which, isolated] of Object.entries(pages)) servers[which as keyof typeof pages] = await serve({ root, isolated });
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

for (const engine of engines()) {
  describe(NAMES[engine], () => {
    const results: Record<string, Promise<Result[]>> = {};
    let browser: TestBrowser | undefined;

    beforeAll(async () => {
      browser = await launch(engine);
      for (const which of Object.keys(pages) as (keyof typeof pages)[]) {
        const b = browser;
        results[which] = (async () => {
          const page = await b.newPage({ sharedMemory: pages[which] });
          await page.goto(`${servers[which]?.url}/test-browser/pages/conformance.html`);
          await page.waitFor(() => "__results" in window, 10_000);
          const out = await page.evaluate(() => (window as unknown as { __results: Promise<Result[]> }).__results);
          const problems = await page.errors();
          if (problems.length) out.push({ kind: "page", name: "page errors", ok: false, error: problems.join("\n") });
          await page.close();
          return out;
        })();
        // Settled by the tests below; a failure here must not also be an unhandled rejection.
        results[which].catch(() => undefined);
      }
    }, 120_000);

    afterAll(async () => {
      await Promise.allSettled(Object.values(results));
      await browser?.close();
    });

    for (const which of Object.keys(pages)) {
      describe(`${which} page`, () => {
        for (const kind of ["thread", "inline"]) {
          for (const s of scenarios.filter((x) => x.kinds === undefined || x.kinds.includes(kind as never))) {
            it(`${kind}: ${s.name}`, async () => {
              const all = await results[which];
              const r = all?.find((x) => x.kind === kind && x.name === s.name);
              expect(r, `no result for ${kind}: ${s.name}`).toBeDefined();
              expect(r?.error ?? "", r?.error).toBe("");
              expect(r?.ok).toBe(true);
            }, 120_000);
          }
        }
        it("the page raised no uncaught error", async () => {
          const all = await results[which];
          expect(all?.filter((x) => x.kind === "page")).toEqual([]);
        }, 120_000);
      });
    }
  });
}
