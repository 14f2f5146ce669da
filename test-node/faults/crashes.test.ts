// Workers that die or misbehave, in thread and process pools: each fault fails only the futures it
// touches, with the right error; the pool stays usable; nothing hangs; no thread or child is left.
import { Worker } from "node:worker_threads";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BrokenExecutorError, ThreadPoolExecutor, WorkerCrashedError, taskRef } from "isofutures";
import { FIXTURES, Gate, POOLS, SharedGate, make, settle, track, warm, where } from "../helpers/executors.js";
import { StrayCheck, alive, until } from "../helpers/strays.js";

/** Children of a process pool would print the uncaught errors these tests provoke: keep the output clean. */
const quiet = (kind: string) => (kind === "process" ? { stdio: "ignore" as const } : {});

describe.each(POOLS)("%s pool: a worker that dies", (kind) => {
  it("calling process.exit() fails only its own future, with WorkerCrashedError and the exit code", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 2 });
    const gate = new Gate();
    const other = ex.submit("gate", gate.handle, "other");
    await gate.arrivals(1);
    const crash = ex.submit("exitWith", 7); // goes to the second worker
    const r = await settle(crash);
    const e = r.ok ? undefined : r.error;
    expect(e).toBeInstanceOf(WorkerCrashedError);
    expect(e).not.toBeInstanceOf(BrokenExecutorError);
    expect(e.exitCode).toBe(7);
    expect(e.message).toMatch(/worker "isofutures-2" exited with code 7 while running this task \(task "exitWith"\); the executor replaced it and goes on/);
    gate.open();
    expect(await other).toBe("other");
    expect(await ex.submit("add", 1, 1)).toBe(2);
    expect(ex.stats().tasks).toMatchObject({ completed: 2, failed: 1, queued: 0, running: 0 });
    await ex.shutdown();
    await strays.clean();
  });

  it("dying during shutdown() fails its task; queued work still runs; shutdown resolves", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const dying = ex.submit("gateThenExit", gate.handle, 3);
    const queued = [1, 2, 3].map((i) => ex.submit("echo", i));
    await gate.arrivals(1);
    const closed = ex.shutdown();
    gate.open();
    await closed;
    const r = await settle(dying);
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(r.ok || r.error.exitCode).toBe(3);
    expect(await Promise.all(queued)).toEqual([1, 2, 3]);
    expect(ex.stats()).toMatchObject({
      workers: { live: 0, idle: 0, busy: 0 },
      tasks: { queued: 0, running: 0, completed: 3, failed: 1, cancelled: 0 },
    });
    await strays.clean();
  });

  it("several crashes in a row still leave a working pool", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => ex.submit("exitWith", 1)));
    expect(results.every((x) => x.status === "rejected" && x.reason instanceof WorkerCrashedError)).toBe(true);
    expect(await ex.submit("add", 20, 22)).toBe(42);
    await ex.shutdown();
    await strays.clean();
  });

  it("out of memory fails its task with WorkerCrashedError that says so; the pool goes on", async () => {
    const strays = new StrayCheck();
    const ex =
      kind === "thread"
        ? make(kind, { maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } })
        : make(kind, { maxWorkers: 1, execArgv: ["--max-old-space-size=48"], stdio: "ignore" });
    const r = await settle(ex.submit("allocate", 4000));
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(String(r.ok || r.error.message)).toMatch(/out of memory|memory limit/i);
    if (kind === "process") {
      // V8 aborts the process: the signal is all the parent sees, and the message says what it means.
      expect(r.ok || r.error.signal).toBe("SIGABRT");
      expect(String(r.ok || r.error.message)).toMatch(/--max-old-space-size/);
    }
    expect(await ex.submit("add", 2, 3)).toBe(5);
    await ex.shutdown();
    await strays.clean();
  });

  it("an exception thrown by a timer after the task finished: the result stands, the dead idle worker is replaced", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1, ...quiet(kind) });
    const gate = new Gate();
    const first = await ex.submit("whoami");
    expect(await ex.submit("throwLater", gate.handle)).toBe("returned");
    writeFileSync(join(gate.handle, "fire"), "");
    await until(() => ex.stats().workers.live === 0, "the worker to die of its timer");
    const next = await ex.submit("whoami");
    expect(where(next)).not.toBe(where(first));
    expect(ex.stats().tasks).toMatchObject({ completed: 3, failed: 0 });
    await ex.shutdown();
    await strays.clean();
  });

  it("a result on its way when the worker dies of an uncaught error still reaches the caller", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1, ...quiet(kind) });
    // 10 MB: more than an IPC pipe takes at once, so the child is still writing when its error comes.
    const big = ex.submit("bigThenThrow", 10_000_000);
    expect((await big).length).toBe(10_000_000);
    await until(() => ex.stats().workers.live === 0, "the worker to die of its error");
    expect(await ex.submit("add", 1, 2)).toBe(3);
    expect(ex.stats().tasks).toMatchObject({ completed: 2, failed: 0 });
    await ex.shutdown();
    await strays.clean();
  });

  it.each(["throwLater", "rejectLater"] as const)(
    "%s: a task running in that worker when the timer fires fails with WorkerCrashedError; nothing reaches the caller",
    async (leave) => {
      const strays = new StrayCheck();
      const ex = make(kind, { maxWorkers: 1, ...quiet(kind) });
      const gate = new Gate();
      expect(await ex.submit(leave, gate.handle)).toBe("returned");
      const victim = ex.submit("gate", gate.handle, "never");
      await gate.arrivals(1);
      writeFileSync(join(gate.handle, "fire"), "");
      const r = await settle(victim);
      expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
      // The uncaught error reaches the executor: it is in the message and the cause (a process
      // sends it before it exits with code 1, as Node would).
      expect(String(r.ok || r.error.message)).toMatch(/(thrown|rejected) by a timer after its task had finished/);
      expect(String(r.ok || r.error.cause?.message)).toMatch(/(thrown|rejected) by a timer after its task had finished/);
      if (kind === "process") expect(r.ok || r.error.exitCode).toBe(1);
      expect(await ex.submit("add", 1, 2)).toBe(3);
      await ex.shutdown();
      await strays.clean();
    },
  );
});

describe.each(POOLS)("%s pool: task code that does not load", (kind) => {
  it.each([
    ["throws-at-load.mjs", /could not load the tasks module .*throws-at-load\.mjs: this tasks module throws while loading/],
    ["broken-tasks.mjs", /could not load the tasks module .*broken-tasks\.mjs: .*(Unexpected|Invalid|SyntaxError)/],
  ])("a tasks module that fails to load (%s) fails the tasks that need it, not the worker", async (file, message) => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1, tasks: new URL(file, FIXTURES) });
    const rs = await Promise.allSettled([ex.submit("f" as never), ex.submit("ok" as never)]);
    for (const r of rs) {
      expect(r.status).toBe("rejected");
      expect(String((r as PromiseRejectedResult).reason.message)).toMatch(message);
    }
    const a = await ex.submit(() => process.pid);
    const b = await ex.submit(() => process.pid);
    expect(a).toBe(b); // one worker all along: a load failure does not kill it
    await ex.shutdown();
    await strays.clean();
  });

  it("a tasks module that ends its worker while loading breaks the executor after three tries, and no worker is respawned", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 2, tasks: new URL("exits-at-load.mjs", FIXTURES) });
    const rs = await Promise.allSettled([ex.submit("f" as never), ex.submit("f" as never), ex.submit((x: number) => x, 1)]);
    for (const r of rs) {
      expect(r.status).toBe("rejected");
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(BrokenExecutorError);
      expect(e.message).toMatch(/the executor is broken: 3 workers in a row exited with code 3 before they were ready/);
    }
    expect(() => ex.submit("f" as never)).toThrow(BrokenExecutorError);
    await strays.clean(); // without shutdown(): nothing keeps starting workers
  });

  it("with minWorkers too: the executor breaks instead of restarting workers forever", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { minWorkers: 1, tasks: new URL("exits-at-load.mjs", FIXTURES) });
    await until(() => {
      try {
        ex.submit((x: number) => x, 1).cancel();
        return false;
      } catch (error) {
        return error instanceof BrokenExecutorError;
      }
    }, "the executor to break");
    await strays.clean();
  });

  it("a taskRef module that ends its worker while loading fails that task with WorkerCrashedError; the pool goes on", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1 });
    const ref = taskRef(new URL("exits-at-load.mjs", FIXTURES), "f");
    const r = await settle(ex.submit(ref));
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(r.ok || r.error.exitCode).toBe(3);
    expect(String(r.ok || r.error.message)).toMatch(/exited with code 3 while running this task \("f" from .*exits-at-load\.mjs\)/);
    expect(await ex.submit("add", 1, 2)).toBe(3);
    await ex.shutdown();
    await strays.clean();
  });
});

describe("thread pool: a serve() worker file that throws at load", () => {
  it("breaks the executor after three workers died before they were ready, with the error as cause", async () => {
    const strays = new StrayCheck();
    const ex = track(new ThreadPoolExecutor({ worker: () => new Worker(new URL("serve-throws-at-load.mjs", FIXTURES)) }));
    const r = await settle(ex.submit("f" as never));
    expect(r.ok || r.error).toBeInstanceOf(BrokenExecutorError);
    expect(String(r.ok || r.error.message)).toMatch(/3 workers in a row exited with code 1 \(this worker file throws while loading\) before they were ready/);
    expect(r.ok || r.error.cause.message).toBe("this worker file throws while loading");
    await strays.clean();
  });
});

describe("process pool: a child killed from outside", () => {
  it("mid-task (kill -9): its task fails with WorkerCrashedError naming the signal; a new child takes over", async () => {
    const strays = new StrayCheck();
    const ex = make("process", { maxWorkers: 1 });
    const { pid } = await ex.submit("whoami");
    const gate = new Gate();
    const busy = ex.submit("gate", gate.handle);
    const behind = ex.submit("add", 2, 2);
    await gate.arrivals(1);
    process.kill(pid, "SIGKILL");
    const r = await settle(busy);
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(r.ok || r.error.signal).toBe("SIGKILL");
    expect(String(r.ok || r.error.message)).toMatch(/was killed by SIGKILL while running this task \(task "gate"\)/);
    expect(await behind).toBe(4);
    expect(alive(pid)).toBe(false);
    expect((await ex.submit("whoami")).pid).not.toBe(pid);
    await ex.shutdown();
    await strays.clean();
  });

  it("while idle: nothing fails, and it is replaced when work comes", async () => {
    const strays = new StrayCheck();
    const ex = make("process", { maxWorkers: 1 });
    const { pid } = await ex.submit("whoami");
    process.kill(pid, "SIGKILL");
    await until(() => ex.stats().workers.live === 0, "the pool to notice");
    expect((await ex.submit("whoami")).pid).not.toBe(pid);
    expect(ex.stats().tasks).toMatchObject({ completed: 2, failed: 0 });
    await ex.shutdown();
    await strays.clean();
  });

  it("during shutdown(), busy or idle: the running task fails, shutdown() resolves, no child is left", async () => {
    const strays = new StrayCheck();
    const ex = make("process", { maxWorkers: 2 });
    const gate = new Gate();
    const busy = ex.submit("gate", gate.handle);
    const idlePid = (await ex.submit("whoami")).pid;
    await gate.arrivals(1);
    const busyPid = Number(gate.arrived()[0]?.split("-")[1]);
    expect(busyPid).not.toBe(idlePid);
    const closed = ex.shutdown();
    process.kill(busyPid, "SIGKILL");
    process.kill(idlePid, "SIGKILL"); // told to close, killed before it could (its exit has not been handled yet)
    await closed;
    const r = await settle(busy);
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(r.ok || r.error.signal).toBe("SIGKILL");
    await strays.clean();
  });
});

describe("thread pool: a task stopped before its worker started it", () => {
  it("is not queued again when its worker dies: the counts stay right and shutdown() resolves", async () => {
    const strays = new StrayCheck();
    const ex = make("thread", { maxWorkers: 1, cancelGrace: 60_000 });
    await warm(ex);
    const gate = new SharedGate();
    const controller = new AbortController();
    const crash = ex.submit("blockThenExit", gate.buffer, 1);
    const stopped = ex.submitWith({ signal: controller.signal }, "echo", "never started");
    await gate.arrivals(1);
    expect(stopped.state).toBe("running"); // handed to the worker, behind the blocked task
    controller.abort(new Error("not needed any more"));
    await expect(stopped).rejects.toThrow("not needed any more");
    gate.open();
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(ex.stats().tasks).toMatchObject({ queued: 0, running: 0, failed: 2 });
    expect(await ex.submit("add", 1, 2)).toBe(3);
    await Promise.race([ex.shutdown(), new Promise((_, reject) => setTimeout(reject, 5000, new Error("shutdown() did not resolve")))]);
    await strays.clean();
  });

  it("is not taken over by an idle worker: the worker that held it takes new tasks again", async () => {
    const strays = new StrayCheck();
    const ex = make("thread", { maxWorkers: 2, cancelGrace: 60_000 });
    // One blocked task per worker, and behind them, in the same message, tasks each worker holds
    // but has not started; half of those are then stopped. Holding 20 each takes credit windows
    // widened by quick tasks, which a loaded machine can make look slow: until they are wide
    // enough, everything is let through and the warm-up done again.
    const setUp = async () => {
      await warm(ex);
      const [gateA, gateB] = [new SharedGate(), new SharedGate()];
      const controller = new AbortController();
      const long = ex.submit("block", gateA.buffer, 0, "long");
      const other = ex.submit("block", gateB.buffer, 0, "other");
      const shorts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ex.submitWith({ signal: controller.signal }, "echo", i) : ex.submit("echo", i)));
      await Promise.all([gateA.arrivals(1), gateB.arrivals(1)]);
      return { gateA, gateB, controller, long, other, shorts };
    };
    let setup = await setUp();
    for (let attempt = 1; !setup.shorts.every((f) => f.state === "running"); attempt++) {
      if (attempt === 5) throw new Error("the workers' credit windows never widened to hold 20 tasks each");
      setup.gateA.open();
      setup.gateB.open();
      await Promise.allSettled([setup.long, setup.other, ...setup.shorts]);
      setup = await setUp();
    }
    const { gateA, gateB, controller, long, other, shorts } = setup;
    controller.abort(new Error("stopped"));
    // The second worker finishes, goes idle and takes over what the first one holds.
    gateB.open();
    expect(await other).toBe("other");
    const rs = await Promise.allSettled(shorts);
    rs.forEach((r, i) => {
      if (i % 2 === 1) expect(r).toEqual({ status: "fulfilled", value: i });
      else expect(r).toMatchObject({ status: "rejected", reason: { message: "stopped" } });
    });
    expect(ex.stats().tasks.queued).toBe(0);
    gateA.open();
    expect(await long).toBe("long");
    // Both workers take work again: two blocking tasks run side by side.
    const gateC = new SharedGate();
    const both = [ex.submit("block", gateC.buffer, 0, 1), ex.submit("block", gateC.buffer, 0, 2)];
    await gateC.arrivals(2);
    gateC.open();
    expect(await Promise.all(both)).toEqual([1, 2]);
    await Promise.race([ex.shutdown(), new Promise((_, reject) => setTimeout(reject, 5000, new Error("shutdown() did not resolve")))]);
    await strays.clean();
  });
});
