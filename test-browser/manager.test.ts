// Manager in each browser (browsers.ts): a page and its Web Workers share its dictionaries and lists.
// The broker core that keeps them is a chunk of its own, fetched when the Manager is made: requests
// made before it has loaded wait for it, and a core that cannot be loaded fails every request, the
// page's and a worker's blocking one alike, with the reason instead of leaving them waiting.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, launch, NAMES, openFixture, type TestBrowser, type TestPage } from "./browsers.js";
import { serve, type StaticServer } from "./server.js";

type Iso = typeof import("isofutures");
type Dict = ReturnType<InstanceType<Iso["Manager"]>["dict"]>;
const root = new URL("..", import.meta.url).pathname;
let isolated: StaticServer;
// The same pages and build, without the chunk of the Manager's core (as when it fails to download).
let coreless: StaticServer;
let corelessRoot: string;

beforeAll(async () => {
  isolated = await serve({ root, isolated: true });
  corelessRoot = mkdtempSync(join(tmpdir(), "isofutures-coreless-"));
  symlinkSync(join(root, "test-browser"), join(corelessRoot, "test-browser"));
  cpSync(join(root, "dist/browser"), join(corelessRoot, "dist/browser"), { recursive: true });
  rmSync(join(corelessRoot, "dist/browser/platform/browser/manager-core.bundle.js"));
  coreless = await serve({ root: corelessRoot, isolated: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([isolated, coreless].map((s) => s?.close()));
  if (corelessRoot) rmSync(corelessRoot, { recursive: true, force: true });
});

const open = (browser: TestBrowser, server: StaticServer): Promise<TestPage> => openFixture(browser, server.url, true);

for (const engine of engines()) {
  describe(NAMES[engine], () => {
    let browser: TestBrowser;
    beforeAll(async () => {
      browser = await launch(engine);
    }, 60_000);
    afterAll(() => browser?.close());

    it("the page and a worker share a dict and a list, asked for before the core has loaded", async () => {
      const page = await open(browser, isolated);
      const seen = await page.evaluate(async () => {
        const m = (window as unknown as { iso: Iso }).iso;
        // Made and asked in one turn: the core's chunk is not there yet.
        const manager = new m.Manager();
        const counts = manager.dict<number>({ a: 1 });
        const log = manager.list<string>(["page"]);
        const early = counts.get("a");
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 1 });
        const fromWorker = await pool.submit(
          async (d: Dict, l: ReturnType<InstanceType<Iso["Manager"]>["list"]>) => {
            d.setSync("b", (d.getSync("a") as number) + 1);
            await l.append("worker");
            return d.sizeSync();
          },
          counts,
          log,
        );
        await pool.shutdown();
        const out = { early: await early, fromWorker, entries: await counts.entries(), log: await log.slice() };
        await manager.shutdown();
        return out;
      });
      expect(seen).toEqual({ early: 1, fromWorker: 2, entries: [["a", 1], ["b", 2]], log: ["page", "worker"] });
      await page.close();
    });

    it("when the core cannot be loaded, the page's requests and a worker's blocking one fail with the reason", async () => {
      const page = await open(browser, coreless);
      const seen = await page.evaluate(async () => {
        const m = (window as unknown as { iso: Iso }).iso;
        const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;
        const manager = new m.Manager();
        const counts = manager.dict<number>({ a: 1 });
        const page = await counts.get("a").then(() => "no error", message);
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 1 });
        const worker = await pool.submit((d: Dict) => {
          try {
            d.getSync("a");
            return "no error";
          } catch (e) {
            return `${(e as Error).name}: ${(e as Error).message}`;
          }
        }, counts);
        await pool.shutdown();
        return { page, worker };
      });
      expect(seen.page).toMatch(/^Error: the Manager's code could not be loaded: /);
      expect(seen.worker).toMatch(/^Error: the Manager's code could not be loaded: /);
      await page.close();
    });
  });
}
