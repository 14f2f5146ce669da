// Shared scenarios for what service code ported from piscina, workerpool, poolifier and tinypool
// relies on, and Python's last gaps: several tasks per worker, strict options, events, timings,
// user-made futures, map over several iterables, a stream's result. Run by the Node suite (every
// kind) and the browser suite (Web Workers and inline), as the scenarios of scenarios.ts.
import type { Scenario } from "./scenarios.js";
import { equal, match, named, ok, rejects, same, throws } from "./check.js";

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

/** Resolves with the `detail` of the next event of `type` on `target`. */
const nextEvent = (target: EventTarget, type: string): Promise<Record<string, unknown>> =>
  new Promise((resolve) => target.addEventListener(type, (e) => resolve((e as CustomEvent).detail as Record<string, unknown>), { once: true }));

export const serviceScenarios: Scenario[] = [
  {
    name: "concurrentTasksPerWorker: one worker runs that many tasks at once",
    async run({ make, gate }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 3 });
      const g = gate();
      const fs = [0, 1, 2].map((i) => ex.submit("gate", g.handle, i));
      const fourth = ex.submit("gate", g.handle, 3);
      await g.arrivals(3); // all three wait at the gate together, in the one worker
      ok(fs.every((f) => f.running()), "the three are running");
      equal(fourth.state, "pending", "a fourth waits for room");
      equal(ex.stats().workers.live, 1, "one worker");
      g.open();
      same(await Promise.all([...fs, fourth]), [0, 1, 2, 3], "results");
      g.close();
      throws(() => make({ concurrentTasksPerWorker: 0 }), "concurrentTasksPerWorker 0");
    },
  },
  {
    name: "an unknown option is a TypeError naming it and the closest known option",
    async run({ make }) {
      const typo = throws(() => make({ maxWorker: 2 }), "maxWorker");
      named(typo, "TypeError");
      match(typo.message, /unknown option "maxWorker"; did you mean "maxWorkers"\?/);
      match(throws(() => make({ idleTimout: 10 }), "idleTimout").message, /did you mean "idleTimeout"/);
      match(throws(() => make({ workerData: {} }), "workerData").message, /unknown option "workerData": .*initArgs/);
    },
  },
  {
    name: "events: workerstart, drain, idle and workerexit, each with a detail",
    async run({ make, kind, gate }) {
      const ex = make({ maxWorkers: 1 });
      const started = nextEvent(ex, "workerstart");
      const g = gate();
      const first = ex.submit("gate", g.handle);
      const second = ex.submit("add", 1, 2); // waits for the one worker
      const start = await started;
      match(String(start.name), /-1$/, "the worker's name");
      if (kind === "process") ok(typeof start.pid === "number", "a child's pid");
      const drained = nextEvent(ex, "drain");
      const idle = nextEvent(ex, "idle");
      await g.arrivals(1);
      g.open();
      await drained; // the second task got the worker
      await idle;
      equal(await first, "passed");
      equal(await second, 3);
      const exited = nextEvent(ex, "workerexit");
      await ex.shutdown();
      const exit = await exited;
      equal(exit.crashed, false, "closed, not crashed");
      ok("code" in exit && "signal" in exit, "code and signal");
      g.close();
    },
  },
  {
    name: "workerexit says crashed when a worker dies under a task",
    kinds: ["thread", "process"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 1 });
      const exited = nextEvent(ex, "workerexit");
      ok((await rejects(ex.submit("crash", 3), "crash")) instanceof api.WorkerCrashedError, "WorkerCrashedError");
      const exit = await exited;
      equal(exit.crashed, true, "crashed");
    },
  },
  {
    name: "stats().timings: how long recent tasks waited and ran",
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const none = ex.stats().timings;
      equal(none.run.count, 0, "nothing yet");
      await Promise.all([ex.submit("sleep", 40), ex.submit("sleep", 40), ex.submit("add", 1, 1)]);
      const { wait, run } = ex.stats().timings;
      equal(run.count, 3, "three runs");
      equal(wait.count, 3, "three waits");
      ok(run.max >= 35, `the longest run took its 40 ms (${run.max})`);
      ok(wait.max >= 35, `the last task waited for the worker (${wait.max})`);
      for (const s of [wait, run]) ok(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max && s.mean <= s.max, "ordered");
    },
  },
  {
    name: "new Future(): settled by its maker, awaited like any other; an executor's futures refuse",
    async run({ make, api }) {
      const f = new api.Future<number>();
      equal(f.state, "pending");
      equal(f.setRunningOrNotifyCancel(), true, "pending → running");
      named(throws(() => f.setRunningOrNotifyCancel(), "second start"), "InvalidStateError");
      const waiting = api.wait([f]);
      f.setResult(42);
      equal(await f, 42);
      equal((await waiting).done.has(f), true, "wait saw it");
      named(throws(() => f.setResult(1), "second result"), "InvalidStateError");
      named(throws(() => f.setException(new Error("x")), "exception after result"), "InvalidStateError");
      equal(await f.result(), 42, "the first outcome stays");

      const failed = new api.Future<number>();
      const seen: string[] = [];
      failed.addDoneCallback((x) => seen.push(x.state));
      failed.setException(new RangeError("bad"));
      named(await failed.exception(), "RangeError");
      same(seen, ["finished"], "callbacks ran");
      const cancelled = new api.Future<number>();
      equal(cancelled.cancel(), true);
      equal(cancelled.setRunningOrNotifyCancel(), false, "cancelled: do not run");
      named(throws(() => cancelled.setResult(1), "result after cancel"), "InvalidStateError");
      const order: unknown[] = [];
      for await (const x of api.asCompleted([cancelled, failed])) order.push(x);
      equal(order.length, 2, "asCompleted yields both");

      const own = make().submit("add", 1, 1);
      named(throws(() => own.setResult(3), "an executor's future"), "InvalidStateError");
      named(throws(() => own.setRunningOrNotifyCancel(), "an executor's future"), "InvalidStateError");
      equal(await own, 2, "untouched");
    },
  },
  {
    name: "map with several iterables zips them, stopping at the shortest",
    async run({ make }) {
      const ex = make();
      same(await collect(ex.map("pow", [2, 3, 4], [3, 2])), [8, 9], "two arrays");
      same(await collect(ex.map("identity", [1, 2, 3], new Set(["a", "b"]), [true, false, true], { chunksize: 2 })), [[1, "a", true], [2, "b", false]], "three iterables");
    },
  },
  {
    name: "stream.result is what the generator returns, after its values",
    async run({ make, api }) {
      const ex = make();
      const stream = ex.stream("progress", 4);
      same(await collect(stream), [0, 1, 2, 3], "the values");
      same(await stream.result, { sum: 6, n: 4 }, "the return value");
      const observed = ex.stream("ticks", 2);
      await collect(observed);
      equal(await observed.result, undefined, "an Observable returns nothing");
      const failing = ex.stream("failAfter", 1);
      await rejects(collect(failing), "stream error");
      named(await rejects(failing.result, "result of a failed stream"), "RangeError");
      const left = ex.stream("endless", "no-gate");
      for await (const v of left) if (v === 1) break;
      ok((await rejects(left.result, "let go")) instanceof api.CancelledError, "CancelledError when let go");
    },
  },
];
