// map / starmap / mapUnordered for every executor kind (PYTHON-SEMANTICS §6: 27–47).
import { describe, expect, it } from "vitest";
import { CancelledError, TimeoutError } from "isofutures";
import { Gate, KINDS, SharedLog, collect, make, settle } from "../helpers/executors.js";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** Runs the garbage collector until `ref` is cleared, a few times at most (IPC writes finish late). */
async function collected(ref: WeakRef<object>): Promise<void> {
  for (let i = 0; i < 20 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setTimeout(r, 10));
    (globalThis as { gc?: () => void }).gc?.();
  }
}

function* counter(from = 0): Generator<number> {
  for (let i = from; ; i++) yield i;
}

describe.each(KINDS)("%s executor: map", (kind) => {
  it("starmap(pow) over pairs equals the serial map, with any chunksize (27)", async () => {
    const ex = make(kind);
    const pairs = range(10).map((i) => [i, i] as [number, number]);
    const expected = pairs.map(([a, b]) => a ** b);
    expect(await collect(ex.starmap("pow", pairs))).toEqual(expected);
    expect(await collect(ex.starmap("pow", pairs, { chunksize: 3 }))).toEqual(expected);
  });

  it("yields results in input order even when later tasks finish first (28)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const delays = [60, 40, 20, 0, 30, 10];
    expect(await collect(ex.map("sleep", delays))).toEqual(delays);
    expect(await collect(ex.map("sleep", delays, { chunksize: 1 }))).toEqual(delays);
  });

  it("throws a task's error when iteration reaches it, after the earlier results (29)", async () => {
    const ex = make(kind);
    const it = ex.starmap("divmod", [[1, 2], [1, 3], [1, 0], [1, 5]]);
    expect((await it.next()).value).toEqual([0, 1]);
    expect((await it.next()).value).toEqual([0, 1]);
    await expect(it.next()).rejects.toThrow(/division or modulo by zero/);
  });

  it("goes on after a task's error, like Python's newest map (30)", async () => {
    const ex = make(kind);
    for (const chunksize of [1, 3]) {
      const it = ex.starmap("divmod", [[5, 2], [5, 3], [5, 0], [5, 5]], { chunksize });
      expect((await it.next()).value).toEqual([2, 1]);
      expect((await it.next()).value).toEqual([1, 2]);
      await expect(it.next()).rejects.toBeInstanceOf(RangeError);
      expect((await it.next()).value).toEqual([1, 0]);
      expect((await it.next()).done).toBe(true);
      expect((await it.next()).done).toBe(true);
    }
  });

  it("a failing item in a chunk does not hide the good results before it (31)", async () => {
    const ex = make(kind);
    const it = ex.starmap("divmod", [[5, 2], [5, 0], [5, 5]], { chunksize: 3 });
    expect((await it.next()).value).toEqual([2, 1]);
    await expect(it.next()).rejects.toBeInstanceOf(RangeError);
    expect((await it.next()).value).toEqual([1, 0]);
  });

  it("the timeout counts from the call: reaching it throws TimeoutError and ends the iteration (32)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const gate = new Gate();
    const it = ex.starmap("gate", [[gate.handle, 0], [gate.handle, 1], [gate.handle, 2]], { timeout: 100, chunksize: 1 });
    const started = Date.now();
    await expect(it.next()).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await it.next()).done).toBe(true);
    gate.open();
  });

  it("a TimeoutError thrown by the task itself is an ordinary task error (33)", async () => {
    const ex = make(kind);
    for (const options of [{}, { timeout: 10_000 }]) {
      const it = ex.map("timeoutOnOne", [0, 1, 2, 3], options);
      expect((await it.next()).value).toBe(0);
      await expect(it.next()).rejects.toThrow("task's own timeout");
      expect((await it.next()).value).toBe(2);
      expect((await it.next()).value).toBe(3);
    }
  });

  it("submits at the call: tasks run even if the iterator is never consumed (34)", async () => {
    const ex = make(kind);
    const log = new SharedLog();
    ex.starmap("record", range(5).map((i) => [log.handle, i]));
    await ex.shutdown({ wait: true });
    expect(log.values().sort()).toEqual(range(5));
  });

  it("after return() (break), next() is done, also with chunks (35)", async () => {
    const ex = make(kind);
    for (const chunksize of [1, 3]) {
      const it = ex.map("echo", range(10), { chunksize });
      expect((await it.next()).value).toBe(0);
      await it.return!();
      expect((await it.next()).done).toBe(true);
      expect((await it.next()).done).toBe(true);
    }
    let seen = 0;
    for await (const x of ex.map("echo", range(100), { chunksize: 1 })) {
      seen++;
      if (x === 2) break;
    }
    expect(seen).toBe(3);
  });

  it("a timeout on a saturated executor cancels the waiting tasks: they never run (36)", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const log = new SharedLog();
    const blocker = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const it = ex.starmap("record", [[log.handle, 2], [log.handle, 3]], { timeout: 0, chunksize: 1 });
    await expect(it.next()).rejects.toBeInstanceOf(TimeoutError);
    gate.open();
    await blocker;
    await ex.shutdown();
    expect(log.values()).toEqual([]);
    expect(ex.stats().tasks.cancelled).toBe(2);
  });

  it("buffersize 1, 2, n, 2n give the same results (37)", async () => {
    const ex = make(kind);
    for (const buffersize of [1, 2, 4, 8]) {
      expect(await collect(ex.map((x: number) => String(x), range(4), { buffersize }))).toEqual(["0", "1", "2", "3"]);
      expect(await collect(ex.starmap("add", range(4).map((i) => [i, i] as [number, number]), { buffersize }))).toEqual([0, 2, 4, 6]);
    }
  });

  it("with a buffersize, infinite inputs work on demand (38)", async () => {
    const ex = make(kind);
    const it = ex.map((x: number) => String(x), counter(), { buffersize: 2 });
    expect([(await it.next()).value, (await it.next()).value, (await it.next()).value]).toEqual(["0", "1", "2"]);
    await it.return!();
    const pairs = (function* () {
      for (const i of counter()) yield [i, i] as [number, number];
    })();
    const it2 = ex.starmap("add", pairs, { buffersize: 2 });
    expect([(await it2.next()).value, (await it2.next()).value, (await it2.next()).value]).toEqual([0, 2, 4]);
    await it2.return!();
  });

  it("an empty input is exhausted at once (39)", async () => {
    const ex = make(kind);
    expect(await collect(ex.map("echo", [], { buffersize: 2 }))).toEqual([]);
    expect(await collect(ex.map("echo", new Set()))).toEqual([]);
  });

  it("rejects bad chunksize and buffersize with errors naming them (40, 43)", () => {
    const ex = make(kind);
    expect(() => ex.map("echo", [1], { buffersize: "foo" as never })).toThrow(TypeError);
    expect(() => ex.map("echo", [1], { buffersize: "foo" as never })).toThrow(/buffersize must be an integer ≥ 1/);
    expect(() => ex.map("echo", [1], { buffersize: 0 })).toThrow(RangeError);
    expect(() => ex.map("echo", [1], { buffersize: -1 })).toThrow(RangeError);
    expect(() => ex.map("echo", [1], { buffersize: 2.5 })).toThrow(RangeError);
    expect(() => ex.map("echo", [1], { chunksize: -1 })).toThrow(/chunksize must be an integer ≥ 1, got -1/);
    expect(() => ex.map("echo", [1], { timeout: -1 })).toThrow(RangeError);
    expect(() => ex.map("echo", 42 as never)).toThrow(/expected an iterable or async iterable/);
  });

  it("map(pow, xs, ys) zips its iterables as Python's map does, with any chunksize (27)", async () => {
    const ex = make(kind);
    const expected = range(10).map((i) => i ** i);
    expect(await collect(ex.map("pow", range(10), range(10)))).toEqual(expected);
    expect(await collect(ex.map("pow", range(10), range(10), { chunksize: 3 }))).toEqual(expected);
    expect(await collect(ex.map("pow", new Set(range(10)), range(10).values(), { chunksize: 4, buffersize: 1 }))).toEqual(expected);
  });

  it("map with several iterables stops at the shortest, without reading past it, and closes the others", async () => {
    const ex = make(kind);
    let closed = 0;
    function* endless(): Generator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed++;
      }
    }
    expect(await collect(ex.map("pow", [2, 3, 4], endless()))).toEqual([1, 3, 16]);
    expect(closed).toBe(1);
    expect(await collect(ex.map("pow", endless(), [5, 6], { chunksize: 1 }))).toEqual([0, 1]);
    expect(closed).toBe(2);
    expect(await collect(ex.map("identity", [1, 2], ["a", "b", "c"], [true]))).toEqual([[1, "a", true]]);
  });

  it("map zips async iterables with sync ones, and a task's error comes at its place (29)", async () => {
    const ex = make(kind);
    async function* divisors(): AsyncGenerator<number> {
      yield* [2, 3, 0, 5];
    }
    const it = ex.map("divmod", [1, 1, 1, 1], divisors());
    expect((await it.next()).value).toEqual([0, 1]);
    expect((await it.next()).value).toEqual([0, 1]);
    await expect(it.next()).rejects.toThrow(/division or modulo by zero/);
    expect((await it.next()).value).toEqual([0, 1]);
    expect((await it.next()).done).toBe(true);
  });

  it("map tells its options from one more iterable: a plain object last is the options", async () => {
    const ex = make(kind);
    expect(await collect(ex.map("pow", [2, 3], [3, 2], { chunksize: 1 }))).toEqual([8, 9]);
    expect(await collect(ex.map("pow", [2, 3], [3, 2], undefined))).toEqual([8, 9]);
    expect(await collect(ex.map("echo", [1, 2], Object.assign(Object.create(null), { chunksize: 1 }) as never))).toEqual([1, 2]);
    // A Map is iterable, so it is an input (its entries), not the options.
    expect(await collect(ex.map("identity", [1], new Map([["k", 2]])))).toEqual([[1, ["k", 2]]]);
    expect(() => ex.map("pow", [1, 2], 42 as never)).toThrow(/iterable 2 of 2: expected an iterable or async iterable of inputs, got number 42/);
    expect(() => (ex.map as (fn: string) => unknown)("pow")).toThrow(/expected at least one iterable of inputs/);
  });

  it("starmap and mapUnordered still take one iterable: a second one where the options go is refused", () => {
    const ex = make(kind);
    expect(() => ex.mapUnordered("pow", [1, 2], new Set([2]) as never)).toThrow(/mapUnordered takes one iterable of inputs; map\(fn, xs, ys\) zips several/);
    expect(() => ex.starmap("pow", [[1, 2]], [[2, 2]] as never)).toThrow(/starmap takes one iterable whose items are argument arrays/);
    const { queued, running, completed, failed, cancelled } = ex.stats().tasks;
    expect(queued + running + completed + failed + cancelled).toBe(0);
  });

  it("buffersize 2 reads only two inputs ahead of the consumer (41)", async () => {
    const ex = make(kind);
    const input = range(4)[Symbol.iterator]();
    ex.map("echo", input, { buffersize: 2 });
    await ex.shutdown({ wait: true });
    expect(input.next().value).toBe(2);
  });

  it("with buffersize b and one worker, min(b, n) run before iterating, one more per next() (42)", async () => {
    for (const [b, n] of [[1, 4], [2, 4], [4, 4], [6, 4]]) {
      const ex = make(kind, { maxWorkers: 1 });
      const log = new SharedLog();
      const it = ex.starmap("record", range(n).map((i) => [log.handle, i]), { buffersize: b });
      while (ex.stats().tasks.completed < Math.min(b, n)) await new Promise((r) => setTimeout(r, 5));
      expect(log.values().length).toBe(Math.min(b, n));
      await it.next();
      while (ex.stats().tasks.completed < Math.min(b + 1, n)) await new Promise((r) => setTimeout(r, 5));
      expect(log.values().length).toBe(Math.min(b + 1, n));
      await it.return!();
    }
  });

  it("chunksize 6, 40 and 50 on 40 items give the same results (43)", async () => {
    const ex = make(kind);
    const xs = range(40);
    for (const chunksize of [6, 40, 50]) {
      expect(await collect(ex.map("echo", xs, { chunksize }))).toEqual(xs);
    }
  });

  it("chunks arrays automatically: a big map takes few tasks", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const xs = range(100_000);
    const out = await collect(ex.map((x: number) => x * 2, xs));
    expect(out.length).toBe(100_000);
    expect(out[99_999]).toBe(199_998);
    const tasks = ex.stats().tasks.completed;
    expect(tasks).toBeGreaterThanOrEqual(16);
    expect(tasks).toBeLessThanOrEqual(64);
  });

  it("reads async iterables", async () => {
    const ex = make(kind);
    async function* source() {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield i;
      }
    }
    expect(await collect(ex.map((x: number) => x + 1, source()))).toEqual([1, 2, 3, 4, 5]);
    expect(await collect(ex.map((x: number) => x + 1, source(), { chunksize: 2 }))).toEqual([1, 2, 3, 4, 5]);
  });

  it("an input iterable that throws ends the iteration at its position, after earlier results", async () => {
    const ex = make(kind);
    function* bad() {
      yield 1;
      yield 2;
      throw new Error("input broke");
    }
    const it = ex.map("echo", bad(), { chunksize: 1 });
    expect((await it.next()).value).toBe(1);
    expect((await it.next()).value).toBe(2);
    await expect(it.next()).rejects.toThrow("input broke");
    expect((await it.next()).done).toBe(true);
  });

  it("break closes the input iterator", async () => {
    const ex = make(kind);
    let closed = false;
    function* source() {
      try {
        yield* counter();
      } finally {
        closed = true;
      }
    }
    for await (const x of ex.map("echo", source(), { buffersize: 2 })) if (x === 3) break;
    expect(closed).toBe(true);
  });

  it("an aborted signal ends the iteration with its reason", async () => {
    const ex = make(kind);
    const ac = new AbortController();
    const gate = new Gate();
    const it = ex.starmap("gate", [[gate.handle, 1], [gate.handle, 2]], { signal: ac.signal, chunksize: 1 });
    const next = it.next();
    ac.abort(new Error("stop mapping"));
    await expect(next).rejects.toThrow("stop mapping");
    expect((await it.next()).done).toBe(true);
    gate.open();
  });

  it("the executor does not keep a task's arguments alive after it completes (45)", async () => {
    const ex = make(kind);
    let arg: object | undefined = { payload: new Array(1000).fill(1) };
    const ref = new WeakRef(arg);
    await ex.submit("echo", arg);
    arg = undefined;
    await collected(ref);
    expect(ref.deref()).toBeUndefined();
  });

  it("the map iterator keeps no reference to results already yielded (46)", async () => {
    const ex = make(kind);
    const it = ex.map((n: number) => ({ n }), [1, 2, 3], { chunksize: 3 });
    let first: object | undefined = (await it.next()).value as object;
    const ref = new WeakRef(first);
    first = undefined;
    await collected(ref);
    expect(ref.deref()).toBeUndefined();
    expect((await it.next()).value).toEqual({ n: 2 });
  });

  it("shutdown() right after a map of maxWorkers + 1 tasks returns (47)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const it = ex.map((x: number) => String(x), [2, 2, 2], { chunksize: 1 });
    await ex.shutdown();
    expect(await collect(it)).toEqual(["2", "2", "2"]);
  });

  it("inputs read after terminate() end the map with CancelledError instead of waiting for ever", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    async function* input(): AsyncGenerator<number> {
      yield 1;
      await slow; // terminate() comes while the map waits for its next input
      yield 2;
    }
    const it = ex.map("echo", input(), { chunksize: 1, buffersize: 1 });
    expect((await it.next()).value).toBe(1);
    await ex.terminate();
    release();
    const r = await settle(it.next());
    expect(r.ok || r.error).toBeInstanceOf(CancelledError);
    expect(String((r.error as Error)?.message)).toMatch(/terminated, or shut down with cancelFutures, before these inputs were submitted/);
  });

  it("map ends with CancelledError when shutdown cancels its pending tasks", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const it = ex.starmap("gate", [[gate.handle, 1], [gate.handle, 2], [gate.handle, 3]], { chunksize: 1 });
    await gate.arrivals(1);
    void ex.shutdown({ wait: false, cancelFutures: true });
    gate.open();
    expect((await it.next()).value).toBe(1);
    const r = await settle(it.next());
    expect(r.ok || r.error).toBeInstanceOf(CancelledError);
  });
});

describe.each(KINDS)("%s executor: mapUnordered", (kind) => {
  it("yields every result, in completion order", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const gate = new Gate();
    const it = ex.mapUnordered("gateOrEcho", [{ gate: gate.handle }, 1, 2], { chunksize: 1 });
    const first = [(await it.next()).value, (await it.next()).value];
    expect(first.sort()).toEqual([1, 2]); // both passed the one still waiting at the gate
    gate.open();
    expect((await it.next()).value).toBe("slow");
    expect((await it.next()).done).toBe(true);
  });

  it("throws task errors when reached and goes on", async () => {
    const ex = make(kind);
    const results: unknown[] = [];
    const it = ex.mapUnordered((x: number) => {
      if (x === 2) throw new Error("two");
      return x;
    }, [1, 2, 3], { chunksize: 1 });
    for (let i = 0; i < 3; i++) {
      const r = await settle(it.next());
      results.push(r.ok ? r.value.value : (r.error as Error).message);
    }
    expect(results.sort()).toEqual([1, 3, "two"]);
    expect((await it.next()).done).toBe(true);
  });

  it("works with big automatically chunked arrays", async () => {
    const ex = make(kind);
    const out = await collect(ex.mapUnordered((x: number) => x + 1, range(10_000)));
    expect(out.length).toBe(10_000);
    expect(out.reduce((a, b) => a + b, 0)).toBe((10_000 * 10_001) / 2);
  });
});
