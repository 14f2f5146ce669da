// ProcessPoolExecutor on child_process: what only processes do (the shared conformance suite runs
// for processes too): no orphans, options, shared memory refused. Kills from outside and other
// faults: faults/.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { ProcessPoolExecutor, TimeoutError, UnsupportedError, WorkerCrashedError, transfer } from "isofutures";
import { Gate, TASKS, make, settle } from "./helpers/executors.js";
import { PROGRAMS, runProgram } from "./helpers/programs.js";
import { alive, until } from "./helpers/strays.js";
import { fileURLToPath } from "node:url";

describe("ProcessPoolExecutor", () => {
  it("runs tasks in other processes", async () => {
    const ex = make("process", { maxWorkers: 2 });
    const { pid } = await ex.submit("whoami");
    expect(pid).not.toBe(process.pid);
    expect(await ex.submit((a: number, b: number) => a * b, 6, 7)).toBe(42);
  });

  it("a task that calls process.exit(0) is a crash for its future", async () => {
    const ex = make("process", { maxWorkers: 1 });
    const r = await settle(ex.submit("exitWith", 0));
    expect(r.ok || r.error).toBeInstanceOf(WorkerCrashedError);
    expect(r.ok || r.error.exitCode).toBe(0);
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("a hard timeout stops a child that ignores SIGTERM (SIGKILL after a grace)", async () => {
    const ex = make("process", { maxWorkers: 1 });
    const { pid } = await ex.submit("whoami");
    const started = Date.now();
    await expect(ex.submitWith({ timeout: 100 }, "stubborn")).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    await until(() => !alive(pid), "the stubborn child to die");
    expect(await ex.submit("add", 2, 2)).toBe(4);
  });

  it("no child is left after shutdown() or terminate()", async () => {
    for (const stop of ["shutdown", "terminate"] as const) {
      const ex = make("process", { maxWorkers: 2 });
      const gate = new Gate();
      const fs = [ex.submit("gate", gate.handle), ex.submit("gate", gate.handle)];
      await gate.arrivals(2);
      const pids = readdirSync(gate.handle).map((f) => Number(f.split("-")[1]));
      expect(new Set(pids).size).toBe(2);
      for (const pid of pids) expect(alive(pid)).toBe(true);
      if (stop === "shutdown") {
        gate.open();
        await ex.shutdown();
      } else {
        await ex.terminate();
      }
      await Promise.allSettled(fs);
      for (const pid of pids) expect(alive(pid)).toBe(false);
    }
  });

  it("children exit when their parent dies, idle or busy", async () => {
    const parent = spawn(process.execPath, [fileURLToPath(new URL("process-parent.mjs", PROGRAMS))], { stdio: ["ignore", "pipe", "inherit"] });
    let pids: number[] = [];
    try {
      pids = await new Promise((resolve, reject) => {
        parent.stdout.once("data", (d: Buffer) => resolve(JSON.parse(String(d))));
        parent.once("exit", (code) => reject(new Error(`parent exited early (${code})`)));
      });
      expect(pids.length).toBe(2);
      for (const pid of pids) expect(alive(pid)).toBe(true);
      parent.kill("SIGKILL");
      await until(() => pids.every((pid) => !alive(pid)), "the children to exit", 5000);
    } finally {
      // Whatever happened above, leave nothing running behind this test.
      parent.kill("SIGKILL");
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("honours cwd and env", async () => {
    const dir = realpathSync(mkdtempSync(`${tmpdir()}/isofutures-cwd-`));
    const ex = make("process", { cwd: dir, env: { ...process.env, ISOFUTURES_PROCESS_TEST: "yes" } });
    expect(await ex.submit("cwd")).toBe(dir);
    expect(await ex.submit("envValue", "ISOFUTURES_PROCESS_TEST")).toBe("yes");
  });

  it("shows its name as the process title", async () => {
    const ex = make("process", { name: "imgworker" });
    expect(await ex.submit("title")).toBe("imgworker-1");
    const pid = (await ex.submit("whoami")).pid;
    const ps = execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
    expect(ps).toContain("imgworker-1");
  });

  it("refuses shared memory and message ports with UnsupportedError; the pool goes on", async () => {
    const ex = make("process");
    for (const arg of [new SharedArrayBuffer(8), new Int32Array(new SharedArrayBuffer(8)), { nested: [new SharedArrayBuffer(4)] }, new MessageChannel().port1]) {
      const r = await settle(ex.submit("echo", arg));
      expect(r.ok || r.error).toBeInstanceOf(UnsupportedError);
      expect(String(r.ok || r.error.message)).toMatch(/processes do not share memory or message ports\. Pass a Queue, a Manager's dict or list, or the data itself — or use a ThreadPoolExecutor/);
    }
    expect(await ex.submit("add", 1, 1)).toBe(2);
    expect(ex.stats().tasks.failed).toBe(4);
  });

  it("transfer() copies: the caller's buffer stays usable", async () => {
    const ex = make("process");
    const buf = new ArrayBuffer(16);
    const out = (await ex.submit("fill", transfer(buf, [buf]), 9)) as ArrayBuffer;
    expect(new Uint8Array(out)[15]).toBe(9);
    expect(buf.byteLength).toBe(16);
  });

  it("recycles children after maxTasksPerWorker", async () => {
    const ex = make("process", { maxWorkers: 1, maxTasksPerWorker: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) pids.push((await ex.submit("whoami")).pid);
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[1]);
    expect(pids[2]).toBe(pids[3]);
  });

  it("runs an initializer in each child", async () => {
    const ex = make("process", { initializer: "setGlobal", initArgs: ["ready"] });
    expect(await ex.submit("readGlobal")).toBe("ready");
  });

  it("rejects a bad stdio option", () => {
    expect(() => new ProcessPoolExecutor({ stdio: "tty" as never, tasks: TASKS })).toThrow(/stdio must be "inherit", "pipe" or "ignore"/);
  });

  it.each(["inherit", "pipe"])("a task's stdout reaches the parent's output (stdio %s)", async (stdio) => {
    const r = await runProgram("process-output.mjs", [stdio]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`hello from a child (${stdio})`);
    expect(r.stdout).toContain("parent done");
  });

  it("stdio ignore drops the children's output", async () => {
    const r = await runProgram("process-output.mjs", ["ignore"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("parent done\n");
  });
});
