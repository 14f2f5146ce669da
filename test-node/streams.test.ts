// Streams' options and cooperative cancellation details (the shared scenarios cover the basics in
// every kind), and workers written for threads.js driven unchanged.
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { ThreadPoolExecutor, TimeoutError, WorkerCrashedError } from "isofutures";
import { FIXTURES, KINDS, collect, make, settle, track } from "./helpers/executors.js";

const SHARED = new URL("../test-shared/", import.meta.url);
const shared = (kind: (typeof KINDS)[number], options: Record<string, unknown> = {}) => make(kind, { tasks: new URL("tasks.js", SHARED), ...options });

describe.each(KINDS)("%s executor: stream options", (kind) => {
  it("streamWith({ timeout }) ends the stream with TimeoutError", async () => {
    const ex = shared(kind);
    const r = await settle(collect(ex.streamWith({ timeout: 50 }, "endless", "no-gate")));
    expect(r.ok || r.error).toBeInstanceOf(TimeoutError);
  });

  it("streamWith({ signal }) ends the stream with the signal's reason", async () => {
    const ex = shared(kind);
    const ac = new AbortController();
    const values: unknown[] = [];
    const done = (async () => {
      for await (const v of ex.streamWith({ signal: ac.signal }, "endless", "no-gate")) {
        values.push(v);
        if (values.length === 3) ac.abort(new Error("enough"));
      }
    })();
    await expect(done).rejects.toThrow("enough");
    expect(values.length).toBeGreaterThanOrEqual(3);
  });

  it("a higher highWaterMark lets more values run ahead", async () => {
    const ex = shared(kind);
    expect(await collect(ex.streamWith({ highWaterMark: 64 }, "produce", 100, "no-gate"))).toHaveLength(100);
    expect(() => ex.streamWith({ highWaterMark: 0 }, "produce", 1, "x")).toThrow(/highWaterMark must be an integer ≥ 1/);
  });

  it("a stream task that returns something else fails with a TypeError that says what it needs", async () => {
    const ex = shared(kind);
    await expect(collect(ex.stream("add", 1, 2))).rejects.toThrow(/a stream task must return an async iterable, an iterable or an Observable/);
  });
});

describe("cooperative cancellation", () => {
  it("cancelGrace 0 terminates at once, as before", async () => {
    const ex = shared("thread", { maxWorkers: 1, cancelGrace: 0 });
    const before = await ex.submit("workerId");
    await expect(ex.submitWith({ timeout: 30 }, "cooperative", 10_000)).rejects.toBeInstanceOf(TimeoutError);
    expect(await ex.submit("workerId")).not.toBe(before);
  });

  it("rejects a bad cancelGrace", () => {
    expect(() => new ThreadPoolExecutor({ cancelGrace: -1 })).toThrow(/cancelGrace/);
  });

  it("an unsubscribed stream that ignores its signal loses its worker after the grace", async () => {
    const ex = make("thread", { maxWorkers: 1, cancelGrace: 50, tasks: undefined });
    const first = await ex.submit(() => (globalThis as { __id?: number }).__id ??= Math.random());
    const stubborn = ex.stream(function* () {
      for (let i = 0; ; i++) {
        const end = Date.now() + 5;
        while (Date.now() < end); // a generator that never looks at its signal
        yield i;
      }
    });
    for await (const v of stubborn) if (v === 2) break;
    const second = await ex.submit(() => (globalThis as { __id?: number }).__id ??= Math.random());
    expect(second).not.toBe(first);
  });

  it("a stream's future counts as cancelled when the consumer lets go", async () => {
    const ex = shared("thread", { maxWorkers: 1 });
    for await (const v of ex.stream("endless", "no-gate")) if (v === 1) break;
    await ex.submit("add", 1, 1);
    expect(ex.stats().tasks.cancelled).toBe(1);
  });
});

describe("threads.js workers (protocol: \"threads.js\")", () => {
  const worker = () => new Worker(new URL("threads-worker.mjs", FIXTURES));

  it("runs the exposed functions, keeps error classes, maps over them", async () => {
    const ex = track(new ThreadPoolExecutor({ maxWorkers: 2, protocol: "threads.js", worker }));
    expect(await ex.submit("add", 2, 3)).toBe(5);
    expect(await Promise.all([1, 2, 3].map((x) => ex.submit("slowDouble", x)))).toEqual([2, 4, 6]);
    const r = await settle(ex.submit("fail", "nope"));
    expect(r.ok || r.error).toBeInstanceOf(RangeError);
    expect(r.ok || r.error.message).toBe("nope");
    expect(await collect(ex.map("slowDouble", [1, 2, 3, 4, 5]))).toEqual([2, 4, 6, 8, 10]);
    await expect(ex.submit("nothere")).rejects.toThrow(/exposes no function "nothere"; it exposes: add, slowDouble, fail, count/);
  });

  it("an Observable is a stream through stream(), and its last value through submit()", async () => {
    const ex = track(new ThreadPoolExecutor({ protocol: "threads.js", worker }));
    expect(await collect(ex.stream("count", 4))).toEqual([0, 1, 2, 3]);
    expect(await ex.submit("count", 3)).toBe(2);
    for await (const v of ex.stream("count", 1000)) if (v === 2) break; // unsubscribes in the worker
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("a worker exposing one function takes any task name", async () => {
    const ex = track(new ThreadPoolExecutor({ protocol: "threads.js", worker: () => new Worker(new URL("threads-function-worker.mjs", FIXTURES)) }));
    expect(await ex.submit("reverse", "abc")).toBe("cba");
  });

  it("functions sent as source, initializers and a missing worker option are refused clearly", async () => {
    const ex = track(new ThreadPoolExecutor({ protocol: "threads.js", worker }));
    await expect(ex.submit((x: number) => x, 1)).rejects.toThrow(/runs only the functions it exposes/);
    expect(() => new ThreadPoolExecutor({ protocol: "threads.js" })).toThrow(/drives a worker file of yours/);
    expect(() => new ThreadPoolExecutor({ protocol: "comlink" as never, worker })).toThrow(/protocol must be "isofutures" or "threads.js"/);
    const init = track(new ThreadPoolExecutor({ protocol: "threads.js", worker, initializer: () => 1 }));
    await expect(init.submit("add", 1, 1)).rejects.toThrow(/an initializer cannot run in a worker driven with protocol "threads.js"/);
  });

  it("a threads.js worker that dies fails its task with WorkerCrashedError and is replaced", async () => {
    const ex = track(new ThreadPoolExecutor({ maxWorkers: 1, protocol: "threads.js", worker: () => new Worker(new URL("threads-crash-worker.mjs", FIXTURES)) }));
    await expect(ex.submit("exit", 3)).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await ex.submit("ping")).toBe("pong");
  });
});
