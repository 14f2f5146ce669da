// Conformance scenarios shared by the Node suite (every executor kind, under vitest) and the browser
// suite (Web Workers and inline, in Chromium): one definition of the behaviour, run everywhere.
import type * as Api from "isofutures";
import type { Executor } from "isofutures";
import { equal, match, named, ok, rejects, same, throws } from "./check.js";
import { serviceScenarios } from "./service-scenarios.js";

export type Kind = "inline" | "thread" | "process";

/** A gate the `gate` task waits at. */
export interface TestGate {
  readonly handle: string;
  open(): void;
  arrivals(n: number): Promise<void>;
  close(): void;
  /** Arrivals so far. */
  count(): number;
}

export interface Ctx {
  kind: Kind;
  api: typeof Api;
  /** An executor of this kind, with `tasks` = test-shared/tasks.js unless given. */
  make(options?: Record<string, unknown>): Executor<any>;
  gate(): TestGate;
  /** URL of a file in test-shared/. */
  url(file: string): URL;
}

export interface Scenario {
  name: string;
  /** Kinds it applies to (default: all). */
  kinds?: Kind[];
  run(ctx: Ctx): Promise<void>;
}

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const scenarios: Scenario[] = [
  ...serviceScenarios,
  {
    name: "submit runs a task and resolves its future",
    async run({ make }) {
      const ex = make();
      const f = ex.submit("pow", 2, 8);
      equal(await f, 256);
      equal(await f.result(), 256);
      equal(f.state, "finished", "state");
      same(await ex.submit("identity", 1, { fn: 3 }, [4]), [1, { fn: 3 }, [4]], "arguments");
    },
  },
  {
    name: "submit throws TypeError at once for what is not a task",
    async run({ make }) {
      const ex = make();
      named(throws(() => ex.submit(42 as never), "a number"), "TypeError");
      named(throws(() => ex.submit(Math.max as never), "a native function"), "TypeError");
    },
  },
  {
    name: "self-contained functions run, async ones too, compiled once per worker",
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      equal(await ex.submit((a: number, b: number) => a * b, 6, 7), 42);
      equal(await ex.submit(async (s: string) => s.toUpperCase(), "hi"), "HI");
      function calls(): number {
        const self = calls as unknown as { n?: number };
        self.n = (self.n ?? 0) + 1;
        return self.n;
      }
      same([await ex.submit(calls), await ex.submit(calls)], [1, 2], "state kept on the compiled function");
    },
  },
  {
    name: "a function that closes over a variable fails with a message that says so",
    async run({ make }) {
      const ex = make();
      // Not a literal: Bun's transpiler replaces a constant that holds one by its value.
      const outer = Number("1");
      const e = await rejects(ex.submit((x: number) => x + outer, 1), "closure");
      named(e, "ReferenceError");
      match(e.message, /cannot use variables from the scope it was written in \(it closes over "outer"\)/);
    },
  },
  {
    name: "taskRef runs an export of any module; a missing export lists the exports",
    async run({ make, api, url }) {
      const ex = make();
      equal(await ex.submit(api.taskRef(url("extra.js"), "triple"), 5), 15);
      const e = await rejects(ex.submit("nope" as never), "missing export");
      match(e.message, /has no exported function "nope"; its exported functions are: .*add/);
    },
  },
  {
    name: "errors keep class, name, message, code, own properties, cause and the worker stack",
    async run({ make }) {
      const ex = make();
      const e = await rejects(ex.submit("throwRich"), "rich error");
      ok(e instanceof RangeError, "a RangeError");
      equal(e.message, "rich failure");
      equal(e.code, "E_RICH", "code");
      same(e.details, { n: 1, list: [1, 2, 3] }, "own property");
      ok(e.cause instanceof TypeError, "cause is a TypeError");
      equal(e.cause.cause.message, "root cause", "cause of cause");
      match(e.stack, /throwRich/, "stack");
      const custom = await rejects(ex.submit("throwCustom"), "custom error");
      equal(custom.name, "ValidationError");
      equal(custom.field, "email");
      for (const [kind, value] of [["undefined", undefined], ["zero", 0], ["empty", ""]] as const) {
        equal(await rejects(ex.submit("throwValue", kind), kind), value, `thrown ${kind}`);
      }
    },
  },
  {
    name: "map yields in input order, throws a task's error where it is and goes on",
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      same(await collect(ex.map("sleep", [30, 10, 0, 20])), [30, 10, 0, 20], "order");
      const it = ex.starmap("divmod", [[5, 2], [5, 0], [5, 5]], { chunksize: 3 });
      same((await it.next()).value, [2, 1]);
      named(await rejects(it.next(), "the failing item"), "RangeError");
      same((await it.next()).value, [1, 0]);
      equal((await it.next()).done, true, "done");
    },
  },
  {
    name: "map chunks arrays automatically and reads infinite inputs lazily",
    async run({ make }) {
      const ex = make();
      const out = await collect(ex.map((x: number) => x * 2, range(20_000)));
      equal(out.length, 20_000);
      equal(out[19_999], 39_998);
      function* naturals() {
        for (let i = 0; ; i++) yield i;
      }
      const it = ex.map((x: number) => x + 1, naturals(), { buffersize: 2 });
      same([(await it.next()).value, (await it.next()).value, (await it.next()).value], [1, 2, 3]);
      await it.return?.();
    },
  },
  {
    name: "map's timeout ends the iteration; a task's own TimeoutError does not",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const it = ex.map("gate", [g.handle, g.handle], { timeout: 50, chunksize: 1 });
      ok((await rejects(it.next(), "map timeout")) instanceof api.TimeoutError, "TimeoutError");
      equal((await it.next()).done, true, "ended");
      g.open();
      const own = ex.map("timeoutOnOne", [0, 1, 2]);
      equal((await own.next()).value, 0);
      match((await rejects(own.next(), "own timeout")).message, /the task's own timeout/);
      equal((await own.next()).value, 2);
      g.close();
    },
  },
  {
    name: "mapUnordered yields in completion order",
    async run({ make, gate }) {
      const ex = make({ maxWorkers: 2 });
      const g = gate();
      const it = ex.mapUnordered("gateOrEcho", [{ gate: g.handle }, 1, 2], { chunksize: 1 });
      same([(await it.next()).value, (await it.next()).value].sort(), [1, 2], "the quick ones first");
      g.open();
      equal((await it.next()).value, "slow");
      g.close();
    },
  },
  {
    name: "a pending future can be cancelled, a running one cannot",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const running = ex.submit("gate", g.handle, "ran");
      await g.arrivals(1);
      const pending = ex.submit("add", 1, 1);
      equal(running.state, "running");
      equal(running.cancel(), false, "cancel a running future");
      equal(pending.cancel(), true, "cancel a pending future");
      ok((await rejects(pending, "cancelled")) instanceof api.CancelledError, "CancelledError");
      g.open();
      equal(await running, "ran");
      g.close();
    },
  },
  {
    name: "wait and asCompleted see a cancellation at once",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const running = ex.submit("gate", g.handle);
      await g.arrivals(1);
      const pending = ex.submit("add", 1, 1);
      const waiting = api.wait([pending, running], { returnWhen: api.FIRST_COMPLETED });
      const yielded = api.asCompleted([pending, running])[Symbol.asyncIterator]().next();
      pending.cancel();
      const { done, notDone } = await waiting;
      ok(done.has(pending) && notDone.has(running), "wait: the cancelled one is done");
      equal((await yielded).value, pending, "asCompleted yields it");
      g.open();
      g.close();
    },
  },
  {
    name: "wait returns what is done at its timeout; asCompleted's timeout counts the unfinished",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 2 });
      const g = gate();
      const quick = ex.submit("add", 1, 1);
      await quick;
      const slow = ex.submit("gate", g.handle);
      const { done, notDone } = await api.wait([quick, slow], { timeout: 30 });
      ok(done.has(quick) && notDone.has(slow), "split at the timeout");
      const seen: unknown[] = [];
      const error = await rejects(
        (async () => {
          for await (const f of api.asCompleted([quick, slow], { timeout: 30 })) seen.push(f);
        })(),
        "asCompleted timeout",
      );
      same(seen.length, 1, "yielded the done one");
      equal(error.message, "1 (of 2) futures unfinished");
      g.open();
      await slow;
      g.close();
    },
  },
  {
    name: "a timeout stops a task that runs too long; the executor goes on",
    async run({ make, api, kind }) {
      const ex = make();
      const f = ex.submitWith({ timeout: 100 }, kind === "inline" ? "sleep" : "forever", 60_000);
      ok((await rejects(f, "timeout")) instanceof api.TimeoutError, "TimeoutError");
      equal(await ex.submit("add", 1, 2), 3);
    },
  },
  {
    name: "an aborted signal cancels a pending task and stops a running one",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const ac = new AbortController();
      const running = ex.submitWith({ signal: ac.signal }, "gate", g.handle);
      await g.arrivals(1);
      const pending = ex.submitWith({ signal: ac.signal }, "add", 1, 1);
      ac.abort(new Error("stop now"));
      ok((await rejects(pending, "pending")) instanceof api.CancelledError, "pending: CancelledError");
      equal((await rejects(running, "running")).message, "stop now", "running: the signal's reason");
      equal(await ex.submit("add", 2, 2), 4);
      g.close();
    },
  },
  {
    name: "a worker that dies fails only its task with WorkerCrashedError and is replaced",
    kinds: ["thread", "process"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 1 });
      equal(await ex.submit("add", 1, 1), 2);
      const e = await rejects(ex.submit("crash", 3), "crash");
      ok(e instanceof api.WorkerCrashedError, `a WorkerCrashedError, got ${e?.name}: ${e?.message}`);
      equal(await ex.submit("add", 2, 3), 5);
    },
  },
  {
    name: "transfer() moves a buffer to the task and back",
    async run({ make, kind, api }) {
      const ex = make();
      const buf = new ArrayBuffer(64);
      const out = (await ex.submit("fill", api.transfer(buf, [buf]), 7)) as ArrayBuffer;
      equal(new Uint8Array(out)[63], 7, "filled");
      if (kind === "thread") equal(buf.byteLength, 0, "moved, not copied");
    },
  },
  {
    name: "shutdown lets queued work finish, or cancels it; submit then throws ShutdownError",
    async run({ make, api }) {
      const ex = make({ maxWorkers: 1 });
      const fs = range(5).map((i) => ex.submit("sleep", 1, i));
      await ex.shutdown();
      same(await Promise.all(fs), range(5), "all ran");
      named(throws(() => ex.submit("add", 1, 1), "after shutdown"), "ShutdownError");
      const ex2 = make({ maxWorkers: 1 });
      const gs = range(5).map((i) => ex2.submit("sleep", 20, i));
      await gs[0];
      await ex2.shutdown({ cancelFutures: true });
      ok(gs.some((f) => f.cancelled()), "some cancelled");
      ok(gs.filter((f) => !f.cancelled()).every((f) => f.state === "finished"), "the rest finished");
      void api;
    },
  },
  {
    name: "terminate ends running and pending futures as cancelled",
    async run({ make, api, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const running = ex.submit("gate", g.handle);
      await g.arrivals(1);
      const pending = ex.submit("add", 1, 1);
      await ex.terminate();
      ok(running.cancelled() && pending.cancelled(), "both cancelled");
      ok((await rejects(running, "terminated")) instanceof api.CancelledError, "CancelledError");
      g.open();
      g.close();
    },
  },
  {
    name: "stats count workers and tasks",
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await Promise.all([ex.submit("add", 1, 1), ex.submit("add", 2, 2)]);
      await rejects(ex.submit("divmod", 1, 0), "failure");
      const s = ex.stats();
      equal(s.tasks.completed, 2, "completed");
      equal(s.tasks.failed, 1, "failed");
      ok(s.workers.live >= 1 && s.workers.live <= 2, "live workers");
    },
  },
  {
    name: "stream yields a generator's values in order, then completes",
    async run({ make }) {
      const ex = make();
      same(await collect(ex.stream("produce", 5, "unused-gate")), [0, 1, 2, 3, 4], "for await");
      const seen: number[] = [];
      await new Promise<void>((resolve, reject) =>
        ex.stream(async function* (n: number) {
          for (let i = 0; i < n; i++) yield i * i;
        }, 4).subscribe({ next: (v: number) => seen.push(v), error: reject, complete: resolve }),
      );
      same(seen, [0, 1, 4, 9], "subscribe");
      same(await collect(ex.stream("ticks", 3)), [0, 1, 2], "an Observable-like task");
    },
  },
  {
    name: "a stream's error arrives after the values before it, with its class",
    async run({ make }) {
      const ex = make();
      const got: number[] = [];
      const error = await rejects(
        (async () => {
          for await (const v of ex.stream("failAfter", 2)) got.push(v as number);
        })(),
        "stream error",
      );
      same(got, [0, 1], "values before the error");
      ok(error instanceof RangeError, "a RangeError");
      equal(error.message, "failed after 2 values");
      const once = ex.stream("failAfter", 1);
      once.subscribe({ error() {} });
      const second = await new Promise((resolve) => once.subscribe({ error: resolve }));
      named(second, "InvalidStateError", "a second subscriber");
    },
  },
  {
    name: "break stops the worker's generator (its finally runs)",
    async run({ make, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      let n = 0;
      for await (const v of ex.stream("endless", g.handle)) {
        equal(v, n);
        if (++n === 3) break;
      }
      await g.arrivals(1); // the generator's finally ran
      equal(await ex.submit("add", 1, 2), 3, "the worker goes on");
      g.close();
    },
  },
  {
    name: "a slow consumer holds the producer back (at most the high-water mark ahead)",
    async run({ make, gate }) {
      const ex = make({ maxWorkers: 1 });
      const g = gate();
      const it = ex.stream("produce", 200, g.handle)[Symbol.asyncIterator]();
      equal((await it.next()).value, 0);
      await g.arrivals(10);
      await new Promise((r) => setTimeout(r, 200));
      const produced = g.count();
      ok(produced <= 16 + 2, `produced ${produced} values ahead of a consumer that took 1`);
      let rest = 0;
      for (let r = await it.next(); !r.done; r = await it.next()) rest++;
      equal(rest, 199, "then everything");
      g.close();
    },
  },
  {
    name: "a task that honours its signal keeps its worker; one that ignores it loses it",
    kinds: ["thread", "process"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 200 });
      const before = await ex.submit("workerId");
      ok((await rejects(ex.submitWith({ timeout: 50 }, "cooperative", 10_000), "timeout")) instanceof api.TimeoutError, "TimeoutError");
      equal(await ex.submit("workerId"), before, "the same worker after a cooperative stop");
      ok((await rejects(ex.submitWith({ timeout: 50 }, "forever"), "timeout")) instanceof api.TimeoutError, "TimeoutError");
      ok((await ex.submit("workerId")) !== before, "a new worker after the task ignored the signal");
    },
  },
  {
    name: "cancel() of a running task asks it to stop; it answers as it likes",
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.submit("cooperative", 10_000);
      while (f.state !== "running") await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, 20));
      equal(f.cancel(), false, "cancel() of a running future");
      equal(await f, "stopped", "the task saw its signal and returned");
    },
  },
];
