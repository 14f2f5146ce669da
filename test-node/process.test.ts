// Process (like multiprocessing.Process): one child process or thread that runs one target and
// ends. Real children and threads; what a target sees inside is written to a file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  Event,
  InvalidStateError,
  Process,
  ProcessPoolExecutor,
  Queue,
  SharedArray,
  ThreadPoolExecutor,
  UnsupportedError,
  activeChildren,
  currentProcess,
  parentProcess,
  taskRef,
  transfer,
  type ProcessOptions,
} from "isofutures";
import { runProgram } from "./helpers/programs.js";
import { StrayCheck, alive, until } from "./helpers/strays.js";

const TASKS = new URL("./fixtures/process-tasks.mjs", import.meta.url);
const KINDS = ["process", "thread"] as const;

const made = new Set<Process>();
/** A Process on the fixture targets; killed after the test if still running. */
function proc(options: Omit<ProcessOptions, "tasks">): Process {
  const p = new Process({ tasks: TASKS, ...options });
  made.add(p);
  return p;
}
afterEach(async () => {
  for (const p of made) if (p.pid !== undefined && p.exitCode === null) p.kill();
  await Promise.all([...made].map((p) => (p.pid !== undefined ? p.join().catch(() => {}) : undefined)));
  made.clear();
});

/** A fresh file path for a target to write to (its folder is removed after the tests). */
const folders: string[] = [];
const outFile = () => {
  folders.push(mkdtempSync(join(tmpdir(), "isofutures-process-")));
  return join(folders.at(-1) as string, "out");
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
/** Resolves once `file` exists: the target has got that far. */
const written = (file: string) => until(() => existsSync(file), `the target to write ${file}`, 15_000);

/** Gone, or a zombie nobody reaps: not running either way. */
function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

describe.each(KINDS)('Process of kind "%s"', (kind) => {
  it("runs nothing before start(); start() runs the target; join() resolves true once it has ended, exitCode 0", async () => {
    const file = outFile();
    const p = proc({ target: "record", args: [file], kind });
    expect([p.pid, p.exitCode, p.isAlive(), activeChildren().includes(p)]).toEqual([undefined, null, false, false]);
    p.start();
    expect(p.isAlive()).toBe(true);
    expect(typeof p.pid).toBe("number");
    expect(activeChildren()).toContain(p);
    expect(await p.join()).toBe(true);
    expect([p.exitCode, p.error, p.isAlive(), activeChildren().includes(p)]).toEqual([0, undefined, false, false]);
    expect(existsSync(file)).toBe(true);
    expect(await p.join()).toBe(true);
  });

  it("a target that throws ends with exitCode 1 and its error rebuilt; so does one whose promise rejects", async () => {
    const thrown = proc({ target: "boom", kind });
    const rejected = proc({ target: "rejects", kind });
    thrown.start();
    rejected.start();
    await Promise.all([thrown.join(), rejected.join()]);
    expect(thrown.exitCode).toBe(1);
    expect(thrown.error).toBeInstanceOf(RangeError);
    expect(thrown.error).toMatchObject({ message: "boom in the target", code: "E_BOOM" });
    expect(rejected.exitCode).toBe(1);
    expect(rejected.error).toBeInstanceOf(TypeError);
    expect((rejected.error as Error).message).toBe("rejected later");
  });

  it("exitCode is the code the target gave process.exit()", async () => {
    const [three, zero] = [proc({ target: "exitWith", args: [3], kind }), proc({ target: "exitWith", args: [0], kind })];
    three.start();
    zero.start();
    await Promise.all([three.join(), zero.join()]);
    expect([three.exitCode, zero.exitCode]).toEqual([3, 0]);
    expect(three.error).toBeUndefined();
  });

  it("terminate() ends a busy target with exitCode -15, kill() with -9", async () => {
    for (const [stop, code] of [["terminate", -15], ["kill", -9]] as const) {
      const file = outFile();
      const p = proc({ target: "spinForever", args: [file], kind });
      p.start();
      await written(file);
      p[stop]();
      expect(await p.join()).toBe(true);
      expect(p.exitCode).toBe(code);
      expect(p.isAlive()).toBe(false);
      if (kind === "process") expect(running(p.pid as number)).toBe(false);
      p.terminate(); // once it has ended, nothing happens
      expect(p.exitCode).toBe(code);
    }
  });

  it("join({ timeout }) resolves false while it runs, true once it has ended", async () => {
    const file = outFile();
    const p = proc({ target: "spinForever", args: [file], kind });
    p.start();
    await written(file);
    expect(await p.join({ timeout: 50 })).toBe(false);
    expect(p.isAlive()).toBe(true);
    expect(p.exitCode).toBeNull();
    p.terminate();
    expect(await p.join({ timeout: 10_000 })).toBe(true);
  });

  it("the target's return value is dropped, as Python drops it: one that cannot be cloned is no failure", async () => {
    const p = proc({ target: "returnsFunction", kind });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it("start() twice, close() while alive, and anything but reading after close() throw InvalidStateError", async () => {
    const file = outFile();
    const p = proc({ target: "spinForever", args: [file], kind });
    p.start();
    expect(() => p.start()).toThrow(InvalidStateError);
    expect(() => p.start()).toThrow(/start\(\) may be called once/);
    expect(() => p.close()).toThrow(InvalidStateError);
    expect(() => p.close()).toThrow(/still running.*join\(\) or terminate\(\) it first/);
    p.kill();
    await p.join();
    p.close();
    p.close();
    expect([p.name, p.exitCode, typeof p.pid]).toEqual([p.name, -9, "number"]);
    expect(() => p.isAlive()).toThrow(InvalidStateError);
    expect(() => p.start()).toThrow(/after close\(\)/);
    expect(() => p.terminate()).toThrow(InvalidStateError);
    await expect(p.join()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it("join(), terminate() and kill() before start() throw InvalidStateError; a never-started process may be closed", async () => {
    const p = proc({ target: "record", args: [outFile()], kind });
    await expect(p.join()).rejects.toThrow(/join\(\) before start\(\)/);
    expect(() => p.terminate()).toThrow(InvalidStateError);
    expect(() => p.kill()).toThrow(InvalidStateError);
    p.close();
    expect(() => p.start()).toThrow(InvalidStateError);
  });

  it("inside, currentProcess() is the Process, parentProcess() this program, activeChildren() empty", async () => {
    const file = outFile();
    const p = proc({ target: "record", args: [file], kind, name: "recorder", daemon: true });
    p.start();
    await p.join();
    const seen = readJson(file);
    expect(seen.current).toEqual({ name: "recorder", pid: p.pid, daemon: true });
    expect(seen.parent).toEqual({ pid: process.pid });
    expect(seen.active).toEqual([]);
    // pid is the child's pid, or the thread's threadId
    if (kind === "process") expect([seen.pid, seen.threadId]).toEqual([p.pid, 0]);
    else expect([seen.pid, seen.threadId]).toEqual([process.pid, p.pid]);
  });

  it("a Process may start Processes: names Process-N:1, parentProcess() is the Process, activeChildren() lists them", async () => {
    for (const inner of KINDS) {
      const file = outFile();
      const p = proc({ target: "nest", args: [file, inner], kind });
      p.start();
      await p.join();
      expect(p.exitCode).toBe(0);
      const outer = readJson(file);
      const child = readJson(file + ".child");
      const number = p.name.slice("Process-".length);
      expect(outer.childName).toBe(`Process-${number}:1`);
      expect(outer.active).toEqual([outer.childName]);
      expect(outer.childExitCode).toBe(0);
      expect(child.current).toEqual({ name: outer.childName, pid: outer.childPid, daemon: false });
      expect(child.parent).toEqual({ pid: p.pid });
    }
  });
});

describe("Process", () => {
  it('is a child process by default in Node (kind "process"), named Process-N, N counting each Process made', async () => {
    const [a, b] = [proc({ target: "exitWith", args: [0] }), proc({ target: "exitWith", args: [0] })];
    const n = Number(a.name.slice("Process-".length));
    expect(a.name).toMatch(/^Process-\d+$/);
    expect(b.name).toBe(`Process-${n + 1}`);
    a.start();
    expect(a.pid).not.toBe(process.pid);
    expect(running(a.pid as number)).toBe(true);
    await a.join();
    expect(a.daemon).toBe(false);
  });

  it("an unknown option is a TypeError naming it and the closest known one", () => {
    expect(() => new Process({ target: "record", deamon: true } as ProcessOptions)).toThrow(TypeError);
    expect(() => new Process({ target: "record", deamon: true } as ProcessOptions)).toThrow(/unknown option "deamon"; did you mean "daemon"\?/);
    expect(() => new Process({ target: "record", argz: [] } as ProcessOptions)).toThrow(/unknown option "argz"; did you mean "args"\?/);
    expect(() => new Process({ target: "record", colour: 1 } as ProcessOptions)).toThrow(/unknown option "colour" \(its options are: args, daemon, env, execArgv, kind, name, target, tasks\)/);
  });

  it("invalid options are TypeErrors naming the option", () => {
    expect(() => new Process(undefined as never)).toThrow(/options must be an object/);
    expect(() => new Process({} as ProcessOptions)).toThrow(/target must be the name of an export of tasks.*got none/);
    expect(() => new Process({ target: 42 } as never)).toThrow(/target must be/);
    expect(() => new Process({ target: "record" })).toThrow(/has no tasks module to find "record"/);
    expect(() => new Process({ target: "record", tasks: TASKS, kind: "fiber" } as never)).toThrow(/kind must be "process" or "thread"/);
    expect(() => new Process({ target: "record", tasks: TASKS, args: 1 } as never)).toThrow(/args must be an array/);
    expect(() => new Process({ target: "record", tasks: TASKS, daemon: "yes" } as never)).toThrow(/daemon must be true or false/);
    expect(() => new Process({ target: "record", tasks: TASKS, name: "" })).toThrow(/name must be a non-empty string/);
    expect(() => new Process({ target: "record", tasks: TASKS, execArgv: "--x" } as never)).toThrow(/execArgv must be an array of strings/);
  });

  it("takes self-contained functions and taskRefs as targets", async () => {
    const file = outFile();
    const fn = proc({ target: (code: number) => process.exit(code), args: [5], kind: "thread" });
    const ref = proc({ target: taskRef(TASKS, "record"), args: [file] });
    fn.start();
    ref.start();
    await Promise.all([fn.join(), ref.join()]);
    expect([fn.exitCode, ref.exitCode, existsSync(file)]).toEqual([5, 0, true]);
  });

  it("transfer() moves a buffer to a thread Process", async () => {
    const file = outFile();
    const buffer = new ArrayBuffer(1024);
    const p = proc({ target: "byteLength", args: [transfer(buffer, [buffer]), file], kind: "thread" });
    p.start();
    expect(buffer.byteLength).toBe(0);
    await p.join();
    expect(readFileSync(file, "utf8")).toBe("1024");
  });

  it("shared objects in args work in a thread Process", async () => {
    const [go, done] = [new Event(), new Event()];
    const p = proc({ target: "relay", args: [go, done], kind: "thread" });
    p.start();
    go.set();
    expect(await done.wait({ timeout: 10_000 })).toBe(true);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it("shared objects in args work in a child process too: an Event, Queues inside an object; nothing is left after", async () => {
    const strays = new StrayCheck();
    const [go, done] = [new Event(), new Event()];
    const relay = proc({ target: "relay", args: [go, done] });
    const [inbox, outbox] = [new Queue<number>(), new Queue<number>()];
    const doubler = proc({ target: "double", args: [{ inbox, outbox }, 3] });
    relay.start();
    doubler.start();
    go.set();
    expect(await done.wait({ timeout: 10_000 })).toBe(true);
    for (const n of [1, 2, 3]) await inbox.put(n);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await outbox.get({ timeout: 10_000 }));
    expect(got).toEqual([2, 4, 6]);
    await Promise.all([relay.join(), doubler.join()]);
    expect([relay.exitCode, doubler.exitCode]).toEqual([0, 0]);
    await strays.clean(); // the broker thread that served them, once both Processes have ended
  });

  it('memory only threads can share is refused at start() for a child process, naming Queue and kind "thread"', () => {
    const p = proc({ target: "relay", args: [{ cells: new SharedArray("int32", 4) }, null] });
    expect(() => p.start()).toThrow(UnsupportedError);
    expect(() => p.start()).toThrow(/SharedArray .*cannot be passed to a Process of kind "process".*Pass a Queue, a Manager's dict or list.*use kind "thread"/);
    expect([p.isAlive(), p.pid]).toEqual([false, undefined]);
  });

  it.each(KINDS)("args that cannot be cloned make start() throw, and leave nothing running (%s)", async (kind) => {
    const strays = new StrayCheck();
    const p = proc({ target: "record", args: [() => 1], kind });
    expect(() => p.start()).toThrow(/its args could not be sent: .*structured-cloneable/);
    expect([p.isAlive(), p.pid, activeChildren()]).toEqual([false, undefined, []]);
    await strays.clean();
  });

  it("in the main program, currentProcess() is MainProcess and parentProcess() null", () => {
    expect(currentProcess()).toEqual({ name: "MainProcess", pid: process.pid, daemon: false });
    expect(parentProcess()).toBeNull();
  });

  it("in a pool's worker, currentProcess() names the worker and parentProcess() is this program", async () => {
    for (const Pool of [ThreadPoolExecutor, ProcessPoolExecutor]) {
      const pool = new Pool({ tasks: TASKS, maxWorkers: 1, name: "pooled" });
      try {
        const file = outFile();
        await pool.submit("record", file);
        const seen = readJson(file);
        const pid = Pool === ThreadPoolExecutor ? seen.threadId : seen.pid;
        expect(seen.current).toEqual({ name: "pooled-1", pid, daemon: false });
        expect(seen.parent).toEqual({ pid: process.pid });
        expect(pid).not.toBe(process.pid);
      } finally {
        await pool.shutdown();
      }
    }
  });
});

describe("how long a program with Processes lives", () => {
  it.each(KINDS)("a non-daemon Process keeps the program alive until it ends (%s)", async (kind) => {
    const r = await runProgram("process-lifetime.mjs", [kind, "normal", "later", "300", "child done"]);
    expect(r.stdout).toMatch(/^started Process-1\nchild done\n$/);
    expect(r.code).toBe(0);
  });

  it.each(KINDS)("a daemon Process does not: the program ends without waiting, and the daemon with it (%s)", async (kind) => {
    const r = await runProgram("process-lifetime.mjs", [kind, "daemon", "later", "3000", "child done"]);
    expect(r.stdout).toBe("started Process-1\n");
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2500);
  });

  it.each(KINDS)("join() of a daemon keeps the program alive while it waits (%s)", async (kind) => {
    const r = await runProgram("process-lifetime.mjs", [kind, "daemon", "later", "300", "child done", "--join"]);
    expect(r.stdout).toBe("started Process-1\nchild done\njoined 0\n");
    expect(r.code).toBe(0);
  });

  it.each(["spinForever", "idleForever", "spinSource"])("a daemon child process (%s) does not outlive the program", async (target) => {
    const file = outFile();
    const r = await runProgram("process-lifetime.mjs", ["process", "daemon", target, file]);
    expect(r.code).toBe(0);
    const pid = Number(/child (\d+)/.exec(r.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    try {
      await until(() => !running(pid), `the daemon child ${pid} to end with its program`);
    } finally {
      if (running(pid)) process.kill(pid, "SIGKILL"); // an orphan, if this failed: not left behind
    }
  });

  it("a non-daemon child process does not outlive a program that calls process.exit()", async () => {
    const file = outFile();
    const r = await runProgram("process-exit.mjs", [file]);
    expect(r.code).toBe(0);
    const pid = Number(readFileSync(file, "utf8"));
    try {
      await until(() => !running(pid), `the child ${pid} to end with its program`);
    } finally {
      if (running(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
