// ThreadPoolExecutor on worker_threads: workers, faults and options (PYTHON-SEMANTICS §6: 59–66,
// plus hard timeout, abort, recycling, initializer, work stealing). Crashes, out of memory and other
// faults of both pools: faults/.
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  BrokenExecutorError,
  ThreadPoolExecutor,
  TimeoutError,
  WorkerCrashedError,
  cpuCount,
  createExecutor,
  InlineExecutor,
  ProcessPoolExecutor,
} from "isofutures";
import { FIXTURES, Gate, SharedGate, TASKS, make, settle, track, warm, type Tasks } from "./helpers/executors.js";

const until = async (check: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("ThreadPoolExecutor: workers", () => {
  it("defaults maxWorkers to cpuCount() (59)", () => {
    const ex = make("thread");
    expect(ex.maxWorkers).toBe(cpuCount());
  });

  it("15 × maxWorkers blocked tasks start exactly maxWorkers workers (60)", async () => {
    const ex = make("thread", { maxWorkers: 3 });
    const gate = new Gate();
    const fs = Array.from({ length: 45 }, () => ex.submit("gate", gate.handle));
    await gate.arrivals(3);
    expect(ex.stats().workers.live).toBe(3);
    gate.open();
    const ids = new Set(await Promise.all(fs));
    expect(ids.size).toBe(3);
  });

  it("sequential submit-then-result uses one worker (61)", async () => {
    const ex = make("thread", { maxWorkers: 4 });
    const a = await ex.submit("whoami");
    const b = await ex.submit("whoami");
    const c = await ex.submit("whoami");
    expect(new Set([a.threadId, b.threadId, c.threadId]).size).toBe(1);
    expect(ex.stats().workers.live).toBe(1);
  });

  it("names workers <name>-<n> (62)", async () => {
    const ex = make("thread", { name: "SpecialPool", maxWorkers: 2 });
    const r = await settle(ex.submit("divmod", 1, 0));
    expect(String(r.ok || r.error.stack)).toMatch(/at <worker "SpecialPool-[12]">$/);
    const d = make("thread");
    const r2 = await settle(d.submit("divmod", 1, 0));
    expect(String(r2.ok || r2.error.stack)).toMatch(/at <worker "isofutures-1">$/);
  });

  it("blocked tasks hold one thread each; after release and shutdown all threads end (63)", async () => {
    const ex = make("thread", { maxWorkers: 5 });
    const gate = new SharedGate();
    const fs = [0, 1, 2].map((i) => ex.submit("block", gate.buffer, 0, i));
    await gate.arrivals(3);
    expect(ex.stats().workers).toEqual({ live: 3, idle: 0, busy: 3 });
    gate.open();
    expect(await Promise.all(fs)).toEqual([0, 1, 2]);
    await ex.shutdown();
    expect(ex.stats().workers.live).toBe(0);
  });

  it("starts minWorkers at once and keeps them; idle workers above it exit after idleTimeout", async () => {
    const ex = make("thread", { minWorkers: 1, maxWorkers: 3, idleTimeout: 50 });
    await until(() => ex.stats().workers.idle === 1, "the min worker to be ready");
    const gate = new Gate();
    const fs = [1, 2, 3].map((i) => ex.submit("gate", gate.handle, i));
    await gate.arrivals(3);
    expect(ex.stats().workers.live).toBe(3);
    gate.open();
    await Promise.all(fs);
    await until(() => ex.stats().workers.live === 1, "idle workers to exit");
    expect(ex.stats().workers).toEqual({ live: 1, idle: 1, busy: 0 });
  });

  it("an initializer runs in every worker before its first task (64)", async () => {
    const ex = make("thread", { maxWorkers: 2, initializer: "setGlobal", initArgs: ["initialized"] });
    const gate = new Gate();
    const blockers = [ex.submit("gate", gate.handle), ex.submit("gate", gate.handle)];
    await gate.arrivals(2);
    gate.open();
    await Promise.all(blockers);
    const seen = await Promise.all(Array.from({ length: 8 }, () => ex.submit("readGlobal")));
    expect(seen).toEqual(Array(8).fill("initialized"));
    const fnInit = make("thread", { initializer: (v: string) => ((globalThis as Record<string, unknown>).__initValue = v), initArgs: ["from a function"] });
    expect(await fnInit.submit("readGlobal")).toBe("from a function");
  });

  it("a failing initializer breaks the executor: pending futures fail and later submits throw (65)", async () => {
    const ex = make("thread", { initializer: "failInit" });
    const f = ex.submit("add", 1, 2);
    const r = await settle(f);
    expect(r.ok || r.error).toBeInstanceOf(BrokenExecutorError);
    expect(String(r.ok || r.error.message)).toMatch(/initializer failed .*initializer says no/);
    expect(r.ok || r.error.cause.message).toBe("initializer says no");
    expect(() => ex.submit("add", 1, 2)).toThrow(BrokenExecutorError);
    await ex.shutdown();
    expect(ex.stats().workers.live).toBe(0);
  });

  it("the worker option runs a serve() worker file", async () => {
    const ex = track(new ThreadPoolExecutor({ worker: () => new Worker(new URL("served-worker.mjs", FIXTURES)) }));
    expect(await ex.submit("double" as never, 21)).toBe(42);
    expect(await ex.submit((a: number) => a - 1, 1)).toBe(0);
    await expect(ex.submit("missing" as never)).rejects.toThrow(/has no exported function "missing"; its exported functions are: double, hello/);
  });
});

describe("ThreadPoolExecutor: faults", () => {
  it("tasks a crashed worker held but had not started run on another worker", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    await warm(ex);
    const crash = ex.submit("exitWith", 3);
    const others = [1, 2, 3].map((i) => ex.submit("echo", i));
    await Promise.resolve();
    await Promise.resolve();
    expect(others.map((f) => f.state)).toEqual(["running", "running", "running"]); // sent with the crashing task
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await Promise.all(others)).toEqual([1, 2, 3]);
  });

  it("a hard timeout stops an endless task, replaces its worker, and re-runs tasks queued behind it", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    await warm(ex);
    const started = Date.now();
    const endless = ex.submitWith({ timeout: 100 }, "forever");
    const behind = [1, 2].map((i) => ex.submit("echo", i));
    await Promise.resolve();
    await Promise.resolve();
    expect(behind.map((f) => f.state)).toEqual(["running", "running"]);
    await expect(endless).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await Promise.all(behind)).toEqual([1, 2]);
    expect(ex.stats().workers.live).toBe(1);
  });

  it("an idle worker takes over tasks another worker holds behind a long one", async () => {
    const ex = make("thread", { maxWorkers: 2 });
    await warm(ex);
    const gate = new SharedGate();
    const long = ex.submit("block", gate.buffer, 0, "long");
    const short = Array.from({ length: 20 }, (_, i) => ex.submit("echo", i));
    // Every short task finishes while the long one still blocks its worker's thread.
    const all = Promise.all(short);
    const bounded = await Promise.race([all, new Promise((r) => setTimeout(r, 5000, "still waiting"))]);
    expect(bounded).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(long.state).toBe("running");
    gate.open();
    expect(await long).toBe("long");
  });

  it("replaces a worker after maxTasksPerWorker tasks (recycling)", async () => {
    const ex = make("thread", { maxWorkers: 1, maxTasksPerWorker: 3 });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await ex.submit("whoami")).threadId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[1]).toBe(ids[2]);
    expect(ids[3]).not.toBe(ids[2]);
    expect(ids[3]).toBe(ids[5]);
    expect(ids[6]).not.toBe(ids[5]);
    expect(ex.stats().workers.live).toBeLessThanOrEqual(2);
    const burst = await Promise.all(Array.from({ length: 30 }, () => ex.submit("whoami")));
    const perThread = new Map<number, number>();
    for (const { threadId } of burst) perThread.set(threadId, (perThread.get(threadId) ?? 0) + 1);
    expect(Math.max(...perThread.values())).toBeLessThanOrEqual(3);
  });

  it("workers that cannot start break the executor with the reason", async () => {
    const ex = make("thread", { execArgv: ["--no-such-flag-at-all"] });
    const r = await settle(ex.submit("add", 1, 1));
    expect(r.ok || r.error).toBeInstanceOf(BrokenExecutorError);
    expect(String(r.ok || r.error.message)).toMatch(/could not be started: .*--no-such-flag-at-all/);
    expect(() => ex.submit("add", 1, 1)).toThrow(BrokenExecutorError);
  });

});

describe("ThreadPoolExecutor: idle workers", () => {
  it("an idle worker keeps its event loop turning: a timer left by a finished task fires", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    await ex.submit("leaveTimer", 30);
    await new Promise((r) => setTimeout(r, 300));
    const late = await ex.submit("timerLateness");
    expect(late).not.toBeNull();
    expect(late as number).toBeLessThan(250);
  });

  it("async tasks keep running while the same worker takes more tasks", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    const slow = ex.submit("sleep", 50, "slept");
    const quick = await Promise.all(Array.from({ length: 500 }, (_, i) => ex.submit("echo", i)));
    expect(quick.length).toBe(500);
    expect(await slow).toBe("slept");
  });

  it("one task at a time, thousands of times, in a row", async () => {
    const ex = make("thread", { maxWorkers: 2 });
    for (let i = 0; i < 3000; i++) expect(await ex.submit("echo", i)).toBe(i);
    expect(ex.stats().workers.live).toBe(1);
  });
});

describe("ThreadPoolExecutor: options", () => {
  it("rejects bad options with errors naming them", () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers must be an integer ≥ 1, got 0/);
    expect(() => new ThreadPoolExecutor({ maxWorkers: -1 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: Number.NaN })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 1.5 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: "2" as never })).toThrow(TypeError);
    expect(() => new ThreadPoolExecutor({ maxWorkers: 1, minWorkers: 2 })).toThrow(/minWorkers \(2\) must not exceed maxWorkers \(1\)/);
    expect(() => new ThreadPoolExecutor({ maxTasksPerWorker: 0 })).toThrow(/maxTasksPerWorker/);
    expect(() => new ThreadPoolExecutor({ idleTimeout: -1 })).toThrow(/idleTimeout/);
    expect(() => new ThreadPoolExecutor({ name: "" })).toThrow(/name must be a non-empty string/);
    expect(() => new ThreadPoolExecutor({ tasks: 5 as never })).toThrow(/tasks must be a URL or a path string/);
    expect(() => new ThreadPoolExecutor({ initializer: "setGlobal" })).toThrow(/no tasks module/);
    expect(() => new ThreadPoolExecutor({ initArgs: "x" as never })).toThrow(/initArgs must be an array/);
    expect(() => new ThreadPoolExecutor({ initArgs: [() => 1], initializer: (f: unknown) => f })).toThrow(/initArgs must be structured-cloneable/);
    expect(() => new ThreadPoolExecutor({ tasks: TASKS, worker: () => new Worker("") })).toThrow(/either tasks or worker, not both/);
    expect(() => new ThreadPoolExecutor({ signal: "x" as never })).toThrow(/signal must be an AbortSignal/);
  });

  it("env sets the workers' environment; by default they see the parent's", async () => {
    process.env.ISOFUTURES_TEST_VALUE = "from parent";
    try {
      const plain = make("thread");
      expect(await plain.submit("envValue", "ISOFUTURES_TEST_VALUE")).toBe("from parent");
      const custom = make("thread", { env: { ISOFUTURES_TEST_VALUE: "custom" } });
      expect(await custom.submit("envValue", "ISOFUTURES_TEST_VALUE")).toBe("custom");
    } finally {
      delete process.env.ISOFUTURES_TEST_VALUE;
    }
  });

  it("execArgv is passed to workers", async () => {
    const ex = make("thread", { execArgv: ["--no-warnings"] });
    expect(await ex.submit("execArgv")).toEqual(["--no-warnings"]);
  });

  it("relative tasks paths resolve against the current directory", async () => {
    const cwd = process.cwd();
    try {
      process.chdir(new URL(".", FIXTURES).pathname);
      const ex = make("thread", { tasks: "./tasks.mjs" });
      expect(await ex.submit("add", 1, 2)).toBe(3);
    } finally {
      process.chdir(cwd);
    }
  });

  it("createExecutor picks the kind", async () => {
    const auto = track(createExecutor<Tasks>({ tasks: TASKS }));
    expect(auto).toBeInstanceOf(ThreadPoolExecutor);
    expect(await auto.submit("add", 1, 2)).toBe(3);
    expect(track(createExecutor({ kind: "inline" }))).toBeInstanceOf(InlineExecutor);
    expect(() => createExecutor({ kind: "gpu" as never })).toThrow(/kind must be "auto", "thread", "process" or "inline"/);
    const proc = track(createExecutor<Tasks>({ kind: "process", tasks: TASKS }));
    expect(proc).toBeInstanceOf(ProcessPoolExecutor);
    expect(await proc.submit("add", 2, 2)).toBe(4);
    expect(() => createExecutor({ kind: "process", resourceLimits: {} })).toThrow(/resourceLimits is an option of thread executors, not of kind "process"/);
  });

  it("workerstart and workerexit name the thread, with its threadId", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    const starts: { name: string; threadId?: number }[] = [];
    const exits: { name: string; code: number | null; crashed: boolean }[] = [];
    ex.addEventListener("workerstart", (e) => starts.push(e.detail));
    ex.addEventListener("workerexit", (e) => exits.push(e.detail));
    const { threadId } = await ex.submit("whoami");
    await ex.shutdown();
    expect(starts).toEqual([{ name: "isofutures-1", threadId }]);
    expect(exits).toEqual([{ name: "isofutures-1", code: 0, signal: null, crashed: false }]);
  });

  it("stats() counts workers and tasks", async () => {
    const ex = make("thread", { maxWorkers: 2 });
    const gate = new Gate();
    const running = [ex.submit("gate", gate.handle), ex.submit("gate", gate.handle)];
    const queued = ex.submit("add", 1, 1);
    await gate.arrivals(2);
    expect(ex.stats()).toMatchObject({
      workers: { live: 2, idle: 0, busy: 2 },
      tasks: { queued: 1, running: 2, completed: 0, failed: 0, cancelled: 0 },
    });
    queued.cancel();
    gate.open();
    await Promise.all(running);
    await ex.submit("divmod", 1, 0).exception();
    expect(ex.stats().tasks).toEqual({ queued: 0, running: 0, completed: 2, failed: 1, cancelled: 1 });
  });
});
