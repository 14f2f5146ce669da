// The shared scenarios (test-shared/scenarios.ts) in Chromium, on a cross-origin-isolated page and
// on a plain one: Web Workers and inline. One test per scenario, kind and page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { scenarios } from "../test-shared/scenarios.js";
import { launch } from "./chromium.js";
import { serve, type StaticServer } from "./server.js";

interface Result {
  kind: string;
  name: string;
  ok: boolean;
  error?: string;
}

const root = new URL("..", import.meta.url).pathname;
const pages = { isolated: true, plain: false } as const;
const results: Record<string, Promise<Result[]>> = {};
let browser: Browser;
const servers: StaticServer[] = [];

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
  browser = await launch();
  for (const [which, isolated] of Object.entries(pages)) {
    const server = await serve({ root, isolated });
    servers.push(server);
    results[which] = (async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(String(e)));
      await page.goto(`${server.url}/test-browser/pages/conformance.html`);
      await page.waitForFunction(() => "__results" in window, null, { timeout: 10_000 });
      const out = (await page.evaluate(() => (window as unknown as { __results: Promise<Result[]> }).__results)) as Result[];
      if (problems.length) out.push({ kind: "page", name: "page errors", ok: false, error: problems.join("\n") });
      await page.close();
      return out;
    })();
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

for (const which of Object.keys(pages)) {
  describe(`Chromium, ${which} page`, () => {
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
