// ProcessPoolExecutor on child_process: what only processes do (the shared conformance suite runs
// for processes too): no orphans, options, shared memory refused. Kills from outside and other
// faults: faults/.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BrokenExecutorError, ProcessPoolExecutor, TimeoutError, UnsupportedError, WorkerCrashedError, transfer } from "isofutures";
import { Gate, TASKS, collect, make, settle } from "./helpers/executors.js";
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

  it("values keep structured-clone semantics, whether a message travels as JSON or as a frame", async () => {
    const ex = make("process", { maxWorkers: 1 });
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const shared = { n: 1 };
    const values: unknown[] = [
      1, "two", true, null, [1, [2, { three: 3 }]], { a: { b: ["c"] } }, // exact in JSON
      undefined, NaN, -0, Infinity, 10n, new Date(5), /re/gi, new Map([[1, { x: 2 }]]), new Set([3]),
      new Uint8Array([1, 2, 3]), new Float64Array([0.5]), new ArrayBuffer(4), [1, , 3], { u: undefined }, cycle, [shared, shared],
      { __proto__: null, plain: 1 }, new Error("boom", { cause: 7 }),
    ];
    for (const v of values) expect(await ex.submit("echo", v)).toStrictEqual(structuredClone(v));
    const back = (await ex.submit("echo", cycle)) as Record<string, unknown>;
    expect(back.self).toBe(back);
    const pair = (await ex.submit("echo", [shared, shared])) as object[];
    expect(pair[0]).toBe(pair[1]);
  });

  it("JSON messages and frames interleaved in one burst keep their order", async () => {
    const ex = make("process", { maxWorkers: 2 });
    const inputs = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? new Uint8Array([i & 255, i >> 8]) : i % 5 === 0 ? new Map([[i, i]]) : i));
    const out = await Promise.all(inputs.map((x) => ex.submit("echo", x)));
    expect(out).toStrictEqual(inputs.map((x) => structuredClone(x)));
    expect(await collect(ex.map("echo", inputs, { chunksize: 7 }))).toStrictEqual(inputs.map((x) => structuredClone(x)));
  });

  it("a 16 MiB buffer goes there and back intact", async () => {
    const ex = make("process", { maxWorkers: 1 });
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 255;
    const back = (await ex.submit("echo", big)) as Uint8Array;
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(big))).toBe(0);
  });

  it("a child that cannot be started (no such cwd) breaks the executor instead of leaving its futures waiting", async () => {
    const ex = make("process", { cwd: join(tmpdir(), "isofutures-no-such-dir") });
    const r = await settle(ex.submit("add", 1, 2));
    expect(r.ok || r.error).toBeInstanceOf(BrokenExecutorError);
    expect(r.ok || (r.error as Error).message).toMatch(/before they were ready/);
  });
});
