// concurrentTasksPerWorker under faults, on real threads and processes: a hard stop (timeout) or a
// crash of one task ends its worker, and with it the tasks running beside it; tasks the worker
// held but had not started go to another worker (threads, which share the control word); a task
// that stops within cancelGrace keeps its worker and its siblings.
import { describe, expect, it } from "vitest";
import { TimeoutError, WorkerCrashedError, type Future } from "isofutures";
import { Gate, POOLS, make, settle, where } from "./helpers/executors.js";

describe.each(POOLS)("%s pool: several tasks per worker", (kind) => {
  it("a timed-out task that ignores its signal takes down the tasks running beside it, naming itself", async () => {
    const ex = make(kind, { maxWorkers: 1, concurrentTasksPerWorker: 3, cancelGrace: 20 });
    const gate = new Gate();
    const sibling = ex.submit("gate", gate.handle, "sibling"); // started, waits at the gate
    const stuck = ex.submitWith({ timeout: 150 }, "forever"); // started next, blocks the worker
    const held = ex.submit("add", 2, 3); // sent in the same batch, never started
    expect((await settle(stuck)).ok || (await settle(stuck)).error).toBeInstanceOf(TimeoutError);
    const s = await settle(sibling);
    expect(s.ok).toBe(false);
    const error = s.ok ? undefined : (s.error as Error);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error?.message).toMatch(/was terminated to stop another task it was running \(task "forever"\): it ran past its timeout of 150 ms and did not stop within 20 ms; this task \(task "gate"\) was in the same worker and ended with it/);
    if (kind === "thread") {
      // The control word says it never started: it runs on the replacement worker.
      expect(await held).toBe(5);
    } else {
      // Without shared memory every task the child held counts as started.
      expect((await settle(held)).ok || (await settle(held)).error).toBeInstanceOf(WorkerCrashedError);
    }
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("a worker that crashes fails the tasks it was running; those it had not started go elsewhere", async () => {
    const ex = make(kind, { maxWorkers: 1, concurrentTasksPerWorker: 3 });
    const gate = new Gate();
    const sibling = ex.submit("gate", gate.handle);
    const crash = ex.submit("exitWith", 7);
    const held = ex.submit("add", 20, 22);
    for (const f of [sibling, crash]) {
      const r = await settle(f);
      expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
      expect(r.ok || (r.error as Error).message).toMatch(/exited with code 7 while running this task/);
    }
    if (kind === "thread") expect(await held).toBe(42);
    else expect((await settle(held)).ok || (await settle(held)).error).toBeInstanceOf(WorkerCrashedError);
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("a task that stops within cancelGrace keeps its worker: the tasks beside it finish there", async () => {
    const ex = make(kind, { maxWorkers: 1, concurrentTasksPerWorker: 2, cancelGrace: 2000 });
    const gate = new Gate();
    const sibling = ex.submit("gate", gate.handle); // returns "<pid>:<threadId>" of its worker
    const stopped = ex.submitWith({ timeout: 100 }, "cooperative", 30_000);
    await gate.arrivals(1);
    expect((await settle(stopped)).ok || (await settle(stopped)).error).toBeInstanceOf(TimeoutError);
    // The stopping task may still cost the worker its life: nothing new goes to it meanwhile.
    const later = ex.submit("whoami");
    gate.open();
    const ran = await sibling;
    expect(where(await later)).toBe(ran);
  });

  it("long tasks never make the window grow past concurrentTasksPerWorker, even when they end together", async () => {
    const ex = make(kind, { maxWorkers: 1, concurrentTasksPerWorker: 2 });
    // Two tasks that start together and end a few µs apart, in two result messages: the pace
    // between those messages looks quick, though each task took 40 ms.
    const later = async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      await new Promise((r) => setImmediate(r));
      return ms;
    };
    const fs: Future<unknown>[] = [];
    let most = 0;
    const look = () => {
      most = Math.max(most, fs.filter((f) => f.running()).length);
    };
    for (let i = 0; i < 6; i++) fs.push(ex.submit("sleep", 40), ex.submit(later, 40));
    for (const f of fs) f.addDoneCallback(() => queueMicrotask(look));
    await Promise.all(fs);
    expect(most).toBe(2);
    expect(ex.stats().timings.run.p50).toBeGreaterThanOrEqual(35);
  });
});
