// shutdown, terminate, disposal and whole-program behaviour (PYTHON-SEMANTICS §6: 48–58).
import { describe, expect, it } from "vitest";
import { CancelledError, ShutdownError } from "isofutures";
import { Gate, KINDS, make, settle } from "../helpers/executors.js";
import { runNode, runProgram } from "../helpers/programs.js";

describe.each(KINDS)("%s executor: shutdown and terminate", (kind) => {
  it("queued work is not dropped: every future succeeds after shutdown() (51)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const fs = Array.from({ length: 50 }, (_, i) => ex.submit("sleep", 1, i));
    await ex.shutdown();
    expect(fs.every((f) => f.state === "finished")).toBe(true);
    expect(await Promise.all(fs)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("cancelFutures cancels what has not started; the rest completes without error (52)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const fs = Array.from({ length: 20 }, (_, i) => ex.submit("sleep", 30, i));
    await fs[0]; // work is under way
    await ex.shutdown({ wait: true, cancelFutures: true });
    const cancelled = fs.filter((f) => f.cancelled());
    const finished = fs.filter((f) => !f.cancelled());
    expect(cancelled.length).toBeGreaterThan(10);
    expect(finished.length).toBeGreaterThan(0);
    for (const f of finished) expect(await f.exception()).toBeUndefined();
    expect(ex.stats().tasks.cancelled).toBe(cancelled.length);
  });

  it("shutdown() returns promptly after a cancelled submit (53)", async () => {
    const ex = make(kind);
    expect(await ex.submit("add", 1, 1).result()).toBe(2);
    ex.submit("add", 2, 2).cancel();
    const started = Date.now();
    await ex.shutdown({ wait: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("shutdown() is safe to call again, and waits for running work each time", async () => {
    const ex = make(kind);
    const gate = new Gate();
    const f = ex.submit("gate", gate.handle, "done");
    await gate.arrivals(1);
    const first = ex.shutdown();
    const second = ex.shutdown();
    expect(f.state).toBe("running");
    gate.open();
    await Promise.all([first, second]);
    expect(await f).toBe("done");
    await ex.shutdown();
  });

  it("shutdown({ wait: false }) resolves at once; the work still finishes and workers go (58)", async () => {
    const ex = make(kind);
    const gate = new Gate();
    const f = ex.submit("gate", gate.handle, "late");
    await gate.arrivals(1);
    await ex.shutdown({ wait: false });
    expect(f.state).toBe("running");
    gate.open();
    expect(await f).toBe("late");
    await ex.shutdown({ wait: true });
    expect(ex.stats().workers.live).toBe(0);
  });

  it("Symbol.asyncDispose shuts down and waits (56)", async () => {
    const ex = make(kind);
    const dispose = (ex as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose];
    expect(typeof dispose).toBe("function");
    const results: number[] = [];
    for await (const x of ex.map((x: number) => Math.abs(x), [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4])) results.push(x);
    await dispose!.call(ex);
    expect(results).toEqual([5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
    expect(() => ex.submit("add", 1, 1)).toThrow(ShutdownError);
    expect(ex.stats().workers.live).toBe(0);
  });

  it("terminate() stops now: running and pending futures end cancelled", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const running = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const pending = ex.submit("add", 1, 1);
    await ex.terminate();
    expect(running.cancelled()).toBe(true);
    expect(pending.cancelled()).toBe(true);
    const r = await settle(running);
    expect(r.ok || r.error).toBeInstanceOf(CancelledError);
    expect(String(r.ok || r.error.message)).toMatch(/terminated while this task .* was running/);
    expect(() => ex.submit("add", 1, 1)).toThrow(ShutdownError);
    expect(ex.stats().workers.live).toBe(0);
    gate.open();
  });

  it("shutdown options are checked", async () => {
    const ex = make(kind);
    await expect(ex.shutdown(null as never)).rejects.toThrow(/options must be an object/);
  });
});

describe("whole programs (thread pool)", () => {
  it("a program that never calls shutdown() still runs its task to completion and exits (50, 57)", async () => {
    const r = await runProgram("no-shutdown.mjs");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("printed by the task");
    expect(r.stdout).toContain("result: slept");
    expect(r.stderr).toBe("");
  });

  it("shutdown({ wait: false }) with a running task: the program exits cleanly after it (54)", async () => {
    const r = await runProgram("shutdown-nowait.mjs");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("after shutdown\ntask done\n");
    expect(r.stderr).toBe("");
  });

  it("shutdown({ wait: false, cancelFutures: true }) right after submitting: clean exit (55)", async () => {
    const r = await runProgram("shutdown-nowait.mjs", ["--cancel"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^after shutdown\n(task done|task: CancelledError)\n$/);
    expect(r.stderr).toBe("");
  });

  it("after shutdown() the process exits by itself", async () => {
    const r = await runProgram("exits-by-itself.mjs", [], { timeout: 10_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stats {"live":0,"idle":0,"busy":0}');
    expect(r.ms).toBeLessThan(8000);
  });

  it("idle workers, even kept by minWorkers, do not keep the program alive", async () => {
    const r = await runProgram("idle-pool.mjs", [], { timeout: 10_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("42\n");
  });

  it("aborting the executor's signal shuts it down, cancelling pending work", async () => {
    const r = await runProgram("abort-executor.mjs");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ running: "ran", pending: "cancelled", shutdownError: "ShutdownError" });
  });

  it("works from `node --input-type=module -e` (the parent's -e and --input-type do not reach workers)", async () => {
    const code = [
      'import { ThreadPoolExecutor } from "isofutures";',
      "const pool = new ThreadPoolExecutor();",
      "console.log(await pool.submit((a, b) => a + b, 40, 2));",
      "await pool.shutdown();",
    ].join("\n");
    const r = await runNode(["--expose-gc", "--input-type=module", "-e", code]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("42\n");
    expect(r.code).toBe(0);
  });

  it("the CommonJS build works with require()", async () => {
    const r = await runProgram("require.cjs");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("cjs result 42 function\n");
  });
});
