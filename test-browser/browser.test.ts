// What only browsers do, in each browser (browsers.ts): Web Worker load failures,
// Content-Security-Policy, cross-origin isolation, serve() worker files, and the executors browsers
// cannot have.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, launch, NAMES, openFixture, type TestBrowser, type TestPage } from "./browsers.js";
import { serve, type StaticServer } from "./server.js";

const root = new URL("..", import.meta.url).pathname;
let isolated: StaticServer;
let plain: StaticServer;
let strict: StaticServer;

beforeAll(async () => {
  isolated = await serve({ root, isolated: true });
  plain = await serve({ root, isolated: false });
  // No 'unsafe-eval': self-contained functions cannot be compiled; blob: workers are allowed.
  strict = await serve({
    root,
    isolated: false,
    pageHeaders: { "/": { "Content-Security-Policy": "script-src 'self'; worker-src 'self' blob:" } },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([isolated, plain, strict].map((s) => s?.close()));
});

const open = (browser: TestBrowser, server: StaticServer): Promise<TestPage> => openFixture(browser, server.url, server === isolated);

for (const engine of engines()) {
  describe(NAMES[engine], () => {
    let browser: TestBrowser;
    beforeAll(async () => {
      browser = await launch(engine);
    }, 60_000);
    afterAll(() => browser?.close());

    it("platformInfo reports the browser, its CPUs and whether memory can be shared", async () => {
      for (const [server, shared] of [[isolated, true], [plain, false]] as const) {
        const page = await open(browser, server);
        const info = await page.evaluate(async () => {
          const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
          return { info: m.platformInfo(), cpu: m.cpuCount(), hc: navigator.hardwareConcurrency };
        });
        expect(info.info).toEqual({ runtime: "browser", cpuCount: info.hc, threads: true, processes: false, sharedMemory: shared });
        expect(info.cpu).toBe(info.hc);
        await page.close();
      }
    });

    it("ProcessPoolExecutor throws UnsupportedError naming the alternative", async () => {
      const page = await open(browser, plain);
      const error = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        try {
          new m.ProcessPoolExecutor();
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
      expect(error).toMatch(/^UnsupportedError: ProcessPoolExecutor needs child processes.*use ThreadPoolExecutor/);
      await page.close();
    });

    it("while its code loads, an executor queues in order, cancels, counts, and hands over to the scheduler", async () => {
      const page = await open(browser, plain);
      const seen = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        // Made and used in one turn: the scheduler's code (a chunk of its own) is not there yet.
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 1 });
        const order: number[] = [];
        const first = pool.submit((x: number) => x + 1, 1);
        const cancelled = pool.submit((x: number) => x + 1, 2);
        const ac = new AbortController();
        const aborted = pool.submitWith({ signal: ac.signal }, (x: number) => x, 3);
        const last = pool.submit((x: number) => x * 10, 4);
        first.addDoneCallback(() => order.push(1));
        last.addDoneCallback(() => order.push(4));
        const cancel = cancelled.cancel();
        ac.abort();
        const early = { stats: pool.stats().tasks, abortedAtOnce: aborted.cancelled() };
        const results = [await first, await last];
        const after = pool.stats().tasks;
        // terminate() before the code has loaded: pending futures end cancelled, at once.
        const other = new m.ThreadPoolExecutor();
        const doomed = other.submit(() => 1);
        const ended = other.terminate();
        const doomedState = doomed.state;
        const reason = await doomed.then(
          () => "resolved",
          (e: Error) => e.name,
        );
        await ended;
        // shutdown({ cancelFutures }) likewise cancels what waits, and resolves once it is over.
        const third = new m.ThreadPoolExecutor();
        const dropped = third.submit(() => 1);
        const closing = third.shutdown({ cancelFutures: true });
        const droppedState = dropped.state;
        await closing;
        await pool.shutdown();
        return { cancel, early, results, order, after, doomedState, reason, droppedState };
      });
      expect(seen.cancel).toBe(true);
      expect(seen.early.abortedAtOnce).toBe(true);
      expect(seen.early.stats).toEqual({ queued: 2, running: 0, completed: 0, failed: 0, cancelled: 2 });
      expect(seen.results).toEqual([2, 40]);
      expect(seen.order).toEqual([1, 4]);
      expect(seen.after).toEqual({ queued: 0, running: 0, completed: 2, failed: 0, cancelled: 2 });
      expect(seen.doomedState).toBe("cancelled");
      expect(seen.reason).toBe("CancelledError");
      expect(seen.droppedState).toBe("cancelled");
      await page.close();
    });

    it("a map asked for before its code has loaded: wrong calls throw at once, next() calls are answered in order, one let go submits nothing, and shutdown() waits for the others", async () => {
      const page = await open(browser, plain);
      const seen = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
        // Its scheduler has loaded; the page's first maps find map's iteration (a chunk of its own) not there yet.
        await pool.submit((x: number) => x, 0);
        let wrong = "no error";
        try {
          pool.map((x: number) => x, [1], { chunksize: 0 });
        } catch (e) {
          wrong = `${(e as Error).name}: ${(e as Error).message}`;
        }
        const squares = pool.map((x: number) => x * x, [1, 2, 3], { chunksize: 1 });
        const asked = [squares.next(), squares.next(), squares.next(), squares.next()];
        let closed = false;
        const input: IterableIterator<number> = {
          next: () => ({ value: 1, done: false }),
          return: () => ((closed = true), { value: undefined, done: true }),
          [Symbol.iterator]: () => input,
        };
        const dropped = pool.map((x: number) => x, input);
        const letGo = await dropped.return!();
        // The squares were submitted at their call, as the contract counts it: shutdown() waits for them.
        let doneAtShutdown = -1;
        const closing = pool.shutdown().then(() => (doneAtShutdown = pool.stats().tasks.completed));
        const answers = await Promise.all(asked);
        const afterwards = await dropped.next();
        await closing;
        const tasks = pool.stats().tasks;
        // Plain values: some drivers send one object only once, or undefined as null.
        const told = (r: IteratorResult<number>) => (r.done ? "done" : r.value);
        return {
          wrong,
          answers: answers.map(told),
          letGo: told(letGo),
          afterwards: told(afterwards),
          closed,
          doneAtShutdown,
          submitted: tasks.completed + tasks.cancelled + tasks.queued + tasks.running,
        };
      });
      expect(seen.wrong).toBe("RangeError: map: chunksize must be an integer ≥ 1, got 0");
      expect(seen.answers).toEqual([1, 4, 9, "done"]);
      expect(seen.letGo).toBe("done");
      expect(seen.afterwards).toBe("done");
      expect(seen.closed).toBe(true);
      expect(seen.doneAtShutdown).toBe(4);
      // The submit and the three squares, and nothing of the map let go.
      expect(seen.submitted).toBe(4);
      await page.close();
    });

    it("a map whose code is still loading when the executor is terminated ends with CancelledError, submitting nothing", async () => {
      const page = await open(browser, plain);
      const seen = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 1 });
        const it = pool.map((x: number) => x, [1, 2]);
        await pool.terminate();
        const end = await it.next().then(
          () => "no error",
          (e: Error) => `${e.name}: ${e.message}`,
        );
        const tasks = pool.stats().tasks;
        return { end, submitted: tasks.completed + tasks.cancelled + tasks.queued + tasks.running };
      });
      expect(seen.end).toMatch(/^CancelledError: map: the executor was terminated, or shut down with cancelFutures, before these inputs were submitted/);
      expect(seen.submitted).toBe(0);
      await page.close();
    });

    it("a tasks module that is missing or broken fails the futures with a message naming its URL", async () => {
      const page = await open(browser, plain);
      const messages = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const out: string[] = [];
        for (const tasks of ["/test-browser/fixtures/missing-tasks.js", "/test-browser/fixtures/broken-tasks.js"]) {
          const pool = new m.ThreadPoolExecutor({ tasks, maxWorkers: 1 });
          try {
            await pool.submit("ok");
            out.push("resolved");
          } catch (e) {
            out.push((e as Error).message);
          }
          out.push(String(await pool.submit((x: number) => x + 1, 1))); // the pool still works
          await pool.terminate();
        }
        return out;
      });
      expect(messages[0]).toMatch(/could not load the tasks module http:\/\/127\.0\.0\.1:\d+\/test-browser\/fixtures\/missing-tasks\.js/);
      expect(messages[1]).toBe("2");
      expect(messages[2]).toMatch(/could not load the tasks module http:\/\/127\.0\.0\.1:\d+\/test-browser\/fixtures\/broken-tasks\.js/);
      expect(messages[3]).toBe("2");
      await page.close();
    });

    it("a worker file that fails to load (404, syntax error) fails the futures, naming its URL", async () => {
      const page = await open(browser, plain);
      const messages = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const out: string[] = [];
        for (const url of ["/test-browser/fixtures/missing.worker.js", "/test-browser/fixtures/broken.worker.js"]) {
          const pool = new m.ThreadPoolExecutor({ worker: () => new Worker(url, { type: "module" }), maxWorkers: 1 });
          try {
            await pool.submit("double", 1);
            out.push("resolved");
          } catch (e) {
            const err = e as Error & { cause?: Error };
            out.push(`${err.name}: ${err.message}`);
          }
          await pool.terminate();
        }
        return out;
      });
      for (const [i, file] of ["missing.worker.js", "broken.worker.js"].entries()) {
        expect(messages[i]).toMatch(/^BrokenExecutorError: /);
        expect(messages[i]).toContain(`the worker made by the worker option (/test-browser/fixtures/${file}) failed to load`);
      }
      await page.close();
    });

    it("the worker option runs a serve() worker file", async () => {
      const page = await open(browser, plain);
      const result = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const pool = new m.ThreadPoolExecutor({ worker: () => new Worker("/test-browser/fixtures/served.worker.js", { type: "module" }) });
        const r = [await pool.submit("double", 21), await pool.submit((x: number) => x - 1, 1)];
        await pool.shutdown();
        return r;
      });
      expect(result).toEqual([42, 0]);
      await page.close();
    });

    it("under a CSP without 'unsafe-eval', a self-contained function fails with an error that says what to do; tasks modules work", async () => {
      const page = await open(browser, strict);
      const out = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const pool = new m.ThreadPoolExecutor({ tasks: "/test-shared/tasks.js", maxWorkers: 1 });
        let message = "no error";
        try {
          await pool.submit((x: number) => x + 1, 1);
        } catch (e) {
          message = `${(e as Error).name}: ${(e as Error).message}`;
        }
        const viaTasks = await pool.submit("add", 2, 3);
        await pool.shutdown();
        return { message, viaTasks };
      });
      expect(out.message).toMatch(/^EvalError: this page's Content-Security-Policy forbids compiling functions from source \('unsafe-eval'\).*tasks.*serve\(\)/);
      expect(out.viaTasks).toBe(5);
      await page.close();
    });

    it("shutdown ends every worker", async () => {
      const page = await open(browser, isolated);
      const stats = await page.evaluate(async () => {
        const m = (window as unknown as { iso: typeof import("isofutures") }).iso;
        const pool = new m.ThreadPoolExecutor({ maxWorkers: 2 });
        await Promise.all([1, 2, 3, 4].map((i) => pool.submit((x: number) => x, i)));
        await pool.shutdown();
        return pool.stats().workers;
      });
      expect(stats).toEqual({ live: 0, idle: 0, busy: 0 });
      await page.close();
    });
  });
}
