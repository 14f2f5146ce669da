// How long a program lives: while anyone awaits something of ours it stays alive; once nobody
// waits, nothing of ours holds it open. Observed on whole Node programs (what only a process shows:
// whether it ends by itself, its exit code), under node:test too, whose runner ends a test whose
// promise is still pending when the event loop has nothing left.
import { describe, expect, it } from "vitest";
import { runNode, runProgram, PROGRAMS } from "./helpers/programs.js";
import { fileURLToPath } from "node:url";
import { make, settle } from "./helpers/executors.js";

describe("a program that only waits", () => {
  it.each([[[]], [["--idle-pool"]]])("timed waits on the main thread wait, then answer as Python does (%j)", async (args) => {
    const r = await runProgram("timed-waits.mjs", args, { timeout: 15_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      event: false,
      lock: false,
      queue: "TimeoutError",
      semaphore: false,
      condition: false,
      barrier: "BrokenBarrierError",
      join: false,
      waitedEnough: true,
      ...(args.length > 0 ? { pool: 1 } : {}),
    });
    // …and it ended by itself once nothing waited (an idle pool holds nothing either).
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe("the executor contract under node:test, inside describe", () => {
  it("every test passes and the program ends by itself", async () => {
    const file = fileURLToPath(new URL("node-test-contract.mjs", PROGRAMS));
    // TAP on every Node (24 reports in its "spec" format by default).
    for (const args of [["--test-reporter=tap", file], ["--test", "--test-reporter=tap", file]]) {
      const r = await runNode(args, { timeout: 60_000 });
      if (/not ok/.test(r.stdout)) expect.fail(`${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toMatch(/^# pass 17$/m);
      expect(r.stdout).toMatch(/^# fail 0$/m);
      expect(r.code).toBe(0);
    }
  });
});

describe("a program that is its own tasks module", () => {
  it.each(["thread", "process"])("without a guard, the %s pool refuses to start one pool per worker, and says how to guard", async (kind) => {
    const r = await runProgram("self-tasks.mjs", [], { timeout: 20_000, env: { ...process.env, SELF_TASKS_KIND: kind } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^Error: could not load the tasks module file://.*/self-tasks\\.mjs: a ${kind} executor was created while a worker was loading its tasks module .*parentProcess\\(\\) === null`),
    );
  });

  it.each(["thread", "process"])("guarded, it works (%s)", async (kind) => {
    const r = await runProgram("self-tasks.mjs", [], { timeout: 20_000, env: { ...process.env, SELF_TASKS_KIND: kind, SELF_TASKS_GUARDED: "1" } });
    expect(r.stdout).toBe("3\n");
    expect(r.code).toBe(0);
  });
});

describe("nested pools", () => {
  it("tasks may create pools of their own, but not beyond 8 levels", async () => {
    const ex = make("thread", { maxWorkers: 1 });
    expect(await ex.submit("nest", 3)).toEqual([3, 2, 1]);
    const r = await settle(ex.submit("nest", 12));
    expect(r.ok).toBe(false);
    expect(String(r.ok || r.error.message)).toMatch(/a thread executor was created 8 levels deep in nested pools .*at most 8 are allowed/);
  });
});
