// The shared-memory primitives in each browser (browsers.ts): between Web Workers and the page on a
// cross-origin isolated page, and a clear refusal on a page without isolation, or in an engine
// without SharedArrayBuffer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, launch, NAMES, openFixture, type TestBrowser, type TestPage } from "./browsers.js";
import { serve, type StaticServer } from "./server.js";

type Iso = typeof import("isofutures");
const root = new URL("..", import.meta.url).pathname;
let isolated: StaticServer;
let plain: StaticServer;

beforeAll(async () => {
  isolated = await serve({ root, isolated: true });
  plain = await serve({ root, isolated: false });
}, 60_000);

afterAll(async () => {
  await Promise.all([isolated, plain].map((s) => s?.close()));
});

const open = (browser: TestBrowser, server: StaticServer, sharedMemory = server === isolated): Promise<TestPage> =>
  openFixture(browser, server.url, sharedMemory);

for (const engine of engines()) {
  describe(NAMES[engine], () => {
    let browser: TestBrowser;
    beforeAll(async () => {
      browser = await launch(engine);
    }, 60_000);
    afterAll(() => browser?.close());

    describe("isolated page", () => {
      it("a Lock keeps a counter exact across two Web Workers", async () => {
        const page = await open(browser, isolated);
        const count = await page.evaluate(async () => {
          const m = (window as unknown as { iso: Iso }).iso;
          const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
          const lock = new m.Lock();
          const counter = new m.SharedArray("int32", 1);
          const add = (l: InstanceType<Iso["Lock"]>, c: InstanceType<Iso["SharedArray"]>, n: number) => {
            for (let i = 0; i < n; i++) {
              l.acquireSync();
              (c.values as Int32Array)[0]++;
              l.release();
            }
          };
          await Promise.all([pool.submit(add, lock, counter, 100_000), pool.submit(add, lock, counter, 100_000)]);
          await pool.shutdown();
          return counter.values[0];
        });
        expect(count).toBe(200_000);
        await page.close();
      });

      it("a Queue carries items from a worker to the page, a RingBuffer values, an Event a signal", async () => {
        const page = await open(browser, isolated);
        const out = await page.evaluate(async () => {
          const m = (window as unknown as { iso: Iso }).iso;
          const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
          const q = new m.Queue<{ i: number; when: Date }>();
          const ring = new m.RingBuffer(64, { type: "int32" });
          const ev = new m.Event();
          const producer = pool.submit((qq: InstanceType<Iso["Queue"]>, n: number) => {
            for (let i = 0; i < n; i++) qq.putSync({ i, when: new Date(i) });
            qq.close();
          }, q, 1000);
          const writer = pool.submit((r: InstanceType<Iso["RingBuffer"]>, e: InstanceType<Iso["Event"]>) => {
            e.waitSync({ timeout: 10_000 });
            for (let i = 0; i < 1000; i++) r.writeSync([i]);
          }, ring, ev);
          let ok = 0;
          for await (const item of q) if (item.when instanceof Date && item.when.getTime() === item.i) ok++;
          ev.set();
          let sum = 0;
          let n = 0;
          while (n < 1000) {
            const values = await ring.read(1000 - n, { timeout: 10_000 });
            for (const v of values) sum += v as number;
            n += values.length;
          }
          await Promise.all([producer, writer]);
          await pool.shutdown();
          return { ok, sum };
        });
        expect(out).toEqual({ ok: 1000, sum: 499_500 });
        await page.close();
      });

      it("a Barrier and a Condition across workers and the page", async () => {
        const page = await open(browser, isolated);
        const out = await page.evaluate(async () => {
          const m = (window as unknown as { iso: Iso }).iso;
          const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
          const barrier = new m.Barrier(3);
          const parties = [1, 2].map(() => pool.submit((b: InstanceType<Iso["Barrier"]>) => b.waitSync({ timeout: 10_000 }), barrier));
          const mine = await barrier.wait({ timeout: 10_000 });
          const indices = [mine, ...(await Promise.all(parties))].sort();
          const cond = new m.Condition();
          const holding = new m.Event();
          const waiter = pool.submit((c: InstanceType<Iso["Condition"]>, e: InstanceType<Iso["Event"]>) => {
            c.lock.acquireSync();
            e.set();
            const r = c.waitSync({ timeout: 10_000 });
            c.lock.release();
            return r;
          }, cond, holding);
          await holding.wait();
          await cond.lock.acquire(); // free only once the waiter is inside wait()
          cond.notify();
          cond.lock.release();
          const notified = await waiter;
          await pool.shutdown();
          return { indices, notified };
        });
        expect(out).toEqual({ indices: [0, 1, 2], notified: true });
        await page.close();
      });

      it("the Sync forms refuse to block the page's main thread, saying to use the async form", async () => {
        const page = await open(browser, isolated);
        const message = await page.evaluate(async () => {
          const m = (window as unknown as { iso: Iso }).iso;
          const lock = new m.Lock();
          await lock.acquire();
          try {
            lock.acquireSync({ timeout: 10 });
            return "blocked";
          } catch (e) {
            return (e as Error).message;
          }
        });
        expect(message).toMatch(/may not block.*use the async form/);
        await page.close();
      });
    });

    describe("page without cross-origin isolation", () => {
      it("making a primitive throws UnsupportedError naming the headers to send", async () => {
        const page = await open(browser, plain);
        const errors = await page.evaluate(() => {
          const m = (window as unknown as { iso: Iso }).iso;
          const out: string[] = [];
          for (const make of [() => new m.Lock(), () => new m.Queue(), () => new m.RingBuffer(8), () => new m.SharedArray("int32", 1)]) {
            try {
              make();
              out.push("made");
            } catch (e) {
              out.push(`${(e as Error).name}: ${(e as Error).message}`);
            }
          }
          return out;
        });
        for (const e of errors) {
          expect(e).toMatch(/^UnsupportedError: \w+ needs shared memory \(SharedArrayBuffer\), which this page does not have/);
          expect(e).toContain("Cross-Origin-Opener-Policy: same-origin");
        }
        await page.close();
      });

      it("a Pipe works without isolation (it needs no shared memory)", async () => {
        const page = await open(browser, plain);
        const out = await page.evaluate(async () => {
          const m = (window as unknown as { iso: Iso }).iso;
          const pool = new m.ThreadPoolExecutor({ maxWorkers: 1 });
          const [a, b] = m.Pipe<number>();
          const echo = pool.submit(async (c: InstanceType<Iso["Connection"]>) => {
            const v = (await c.recv()) as number;
            c.send(v + 1);
          }, b);
          a.send(41);
          const r = await a.recv({ timeout: 10_000 });
          await echo;
          await pool.shutdown();
          return r;
        });
        expect(out).toBe(42);
        await page.close();
      });
    });
  });
}

// WebKitGTK keeps SharedArrayBuffer off unless told (JSC_useSharedArrayBuffer=1), even on an isolated
// page: the error must name the engine, not the page's headers, which are right.
if (engines().includes("webkit")) {
  describe("WebKitGTK without SharedArrayBuffer", () => {
    it("on an isolated page, a primitive throws UnsupportedError saying the engine lacks it; platformInfo says no shared memory", async () => {
      const browser = await launch("webkit");
      try {
        const page = await open(browser, isolated, false);
        const out = await page.evaluate(() => {
          const m = (window as unknown as { iso: Iso }).iso;
          let message = "made";
          try {
            new m.Lock();
          } catch (e) {
            message = `${(e as Error).name}: ${(e as Error).message}`;
          }
          return { message, isolated: crossOriginIsolated, sharedMemory: m.platformInfo().sharedMemory };
        });
        expect(out.isolated).toBe(true);
        expect(out.sharedMemory).toBe(false);
        expect(out.message).toMatch(/^UnsupportedError: Lock needs shared memory \(SharedArrayBuffer\), which this JavaScript engine does not provide although the page is cross-origin isolated/);
        expect(out.message).toContain("JSC_useSharedArrayBuffer=1");
        expect(out.message).not.toContain("Cross-Origin-Opener-Policy");
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
}
