// An endless task with a timeout, in thread and process pools: how soon after its deadline it
// really stops running (not only when its future fails), and that its worker is replaced.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TimeoutError } from "isofutures";
import { POOLS, make, settle } from "../helpers/executors.js";
import { StrayCheck, alive, threadCount, until } from "../helpers/strays.js";


describe.each(POOLS)("%s pool: an endless task with a timeout", (kind) => {
  it("fails at its deadline, stops running within a bounded time after it, and its worker is replaced", async () => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1 });
    const before = await ex.submit("whoami");
    const threadsWithWorker = threadCount();
    const beats = join(mkdtempSync(join(tmpdir(), "isofutures-beat-")), "beats");
    const timeout = 200;
    const deadline = Date.now() + timeout; // the timeout counts from the hand-over, in this same turn
    const r = await settle(ex.submitWith({ timeout }, "heartbeatForever", beats));
    const failedAt = Date.now();
    expect(r.ok || r.error).toBeInstanceOf(TimeoutError);
    expect(String(r.ok || r.error.message)).toMatch(/did not finish within its timeout of 200 ms: it was asked to stop \(currentTask\(\)\.signal\), and its worker "isofutures-1" is replaced unless it stops within 50 ms/);

    // The task wrote the time every millisecond while it ran; once its worker is gone, the last
    // beat is when it stopped.
    if (kind === "process") await until(() => !alive(before.pid), "the child to be gone");
    else await until(() => threadCount() < threadsWithWorker, "the worker thread to be gone");
    const stoppedAt = Number(readFileSync(beats, "utf8"));
    const late = { failed: failedAt - deadline, stopped: stoppedAt - deadline };
    console.log(`${kind} pool, endless task with timeout ${timeout} ms: future failed ${late.failed} ms and the task stopped ${late.stopped} ms after the deadline`);
    expect(stoppedAt).toBeGreaterThanOrEqual(deadline - 5); // it did run until the deadline
    // Measured on a quiet machine: failed within ~2 ms, stopped ~52 ms (cancelGrace 50 + the kill).
    // The bounds are loose for busy machines: they prove that it stopped, not how fast.
    expect(late.failed).toBeLessThan(500);
    expect(late.stopped).toBeLessThan(1000);

    const after = await ex.submit("whoami");
    expect(`${after.pid}:${after.threadId}`).not.toBe(`${before.pid}:${before.threadId}`);
    expect(ex.stats().workers.live).toBe(1);
    await ex.shutdown();
    await strays.clean();
  });

  it("with cancelGrace 0 it is stopped at the deadline itself", async () => {
    const ex = make(kind, { maxWorkers: 1, cancelGrace: 0 });
    const before = await ex.submit("whoami");
    const threadsWithWorker = threadCount();
    const beats = join(mkdtempSync(join(tmpdir(), "isofutures-beat-")), "beats");
    const deadline = Date.now() + 100;
    await expect(ex.submitWith({ timeout: 100 }, "heartbeatForever", beats)).rejects.toBeInstanceOf(TimeoutError);
    if (kind === "process") await until(() => !alive(before.pid), "the child to be gone");
    else await until(() => threadCount() < threadsWithWorker, "the worker thread to be gone");
    const stopped = Number(readFileSync(beats, "utf8")) - deadline;
    console.log(`${kind} pool, cancelGrace 0: the task stopped ${stopped} ms after the deadline`);
    expect(stopped).toBeLessThan(1000);
    expect(await ex.submit("add", 1, 2)).toBe(3);
  });
});
