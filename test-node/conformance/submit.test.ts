// submit / submitWith and task code, for every executor kind (PYTHON-SEMANTICS §6: 24–26, plus
// error fidelity, self-contained functions, taskRef, transfer and clone failures).
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  ShutdownError,
  TimeoutError,
  taskRef,
  transfer,
  type Future,
} from "isofutures";
import { FIXTURES, Gate, KINDS, make, settle } from "../helpers/executors.js";

describe.each(KINDS)("%s executor: submit", (kind) => {
  it("runs a task and resolves its future (25)", async () => {
    const ex = make(kind);
    const f = ex.submit("pow", 2, 8);
    expect(await f).toBe(256);
    expect(await f.result()).toBe(256);
    expect(f.state).toBe("finished");
  });

  it("passes any arguments through, including objects with keys like fn and self (26)", async () => {
    const ex = make(kind);
    expect(await ex.submit("identity", 1, { fn: 3, self: 2 }, [4])).toEqual([1, { fn: 3, self: 2 }, [4]]);
  });

  it("throws TypeError synchronously when fn is not a task (26)", () => {
    const ex = make(kind);
    expect(() => ex.submit(42 as never)).toThrow(TypeError);
    expect(() => ex.submit(undefined as never)).toThrow(/fn must be the name of an export/);
    expect(() => ex.submit(class A {} as never)).toThrow(/a class is not a task function/);
    expect(() => ex.submit(Math.max as never)).toThrow(/native or bound function/);
    expect(() => ex.submit(((x: number) => x).bind(null) as never)).toThrow(/native or bound function/);
  });

  it("a name without a tasks module throws a TypeError that says how to give one", () => {
    const ex = make(kind, { tasks: undefined });
    expect(() => ex.submit("add" as never, 1, 2)).toThrow(/has no tasks module to find "add" in/);
  });

  it("fails the future when the tasks module has no such export, listing the exports", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("nope" as never));
    expect(r.ok).toBe(false);
    expect(r.ok || r.error).toBeInstanceOf(TypeError);
    expect(String(r.ok || r.error.message)).toMatch(/has no exported function "nope"; its exported functions are: add, .*pow/);
    const r2 = await settle(ex.submit("notAFunction" as never));
    expect(String(r2.ok || r2.error.message)).toMatch(/its export "notAFunction" is number/);
  });

  it("runs self-contained functions sent as source, async ones too", async () => {
    const ex = make(kind);
    expect(await ex.submit((a: number, b: number) => a * b, 6, 7)).toBe(42);
    expect(await ex.submit(async (x: string) => x.toUpperCase(), "hi")).toBe("HI");
    expect(await ex.submit(function named(n: number): number {
      return n <= 1 ? n : named(n - 1) + named(n - 2);
    }, 15)).toBe(610);
    const methods = { square(x: number) { return x * x; } };
    expect(await ex.submit(methods.square, 9)).toBe(81);
  });

  it("compiles a self-contained function once per worker: later calls reuse it", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    // State kept on the function object itself survives between calls only if it is not recompiled.
    function calls(): number {
      const self = calls as unknown as { n?: number };
      self.n = (self.n ?? 0) + 1;
      return self.n;
    }
    expect([await ex.submit(calls), await ex.submit(calls), await ex.submit(calls)]).toEqual([1, 2, 3]);
  });

  it("a function that closes over outer variables fails with a message that says so", async () => {
    const ex = make(kind);
    const outer = 10;
    const r = await settle(ex.submit((x: number) => x + outer, 1));
    expect(r.ok).toBe(false);
    const error = r.ok ? undefined : r.error;
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error.message).toMatch(/outer is not defined/);
    expect(error.message).toMatch(/cannot use variables from the scope it was written in \(it closes over "outer"\)/);
    expect(error.message).toMatch(/Pass the value as an argument/);
  });

  it("runs a function from any module through taskRef", async () => {
    const ex = make(kind);
    const triple = taskRef<(x: number) => number>(new URL("extra.mjs", FIXTURES), "triple");
    expect(await ex.submit(triple, 5)).toBe(15);
    const missing = taskRef(new URL("extra.mjs", FIXTURES), "quadruple");
    await expect(ex.submit(missing)).rejects.toThrow(/has no exported function "quadruple"/);
    const nowhere = taskRef(new URL("does-not-exist.mjs", FIXTURES), "f");
    await expect(ex.submit(nowhere)).rejects.toThrow(/could not load the tasks module .*does-not-exist\.mjs/);
  });

  it("taskRef rejects bad input with TypeError", () => {
    expect(() => taskRef("", "f")).toThrow(TypeError);
    expect(() => taskRef(new URL("file:///x.mjs"), "")).toThrow(/exportName must be a non-empty string/);
  });

  it("a tasks module that fails to load fails the tasks that need it; the executor keeps working", async () => {
    const ex = make(kind, { tasks: new URL("broken-tasks.mjs", FIXTURES) });
    const r = await settle(ex.submit("ok" as never));
    expect(r.ok).toBe(false);
    expect(String(r.ok || r.error.message)).toMatch(/could not load the tasks module .*broken-tasks\.mjs: .*/);
    expect(await ex.submit((x: number) => x + 1, 1)).toBe(2);
  });

  it("keeps the class, name, message, code, own properties and cause of a task's error, with the worker stack", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("throwRich"));
    const e = r.ok ? undefined : r.error;
    expect(e).toBeInstanceOf(RangeError);
    expect(e.name).toBe("RangeError");
    expect(e.message).toBe("rich failure");
    expect(e.code).toBe("E_RICH");
    expect(e.details).toEqual({ n: 1, list: [1, 2, 3] });
    expect(e.when).toEqual(new Date(0));
    expect(e.cause).toBeInstanceOf(TypeError);
    expect(e.cause.message).toBe("the cause");
    expect(e.cause.cause.message).toBe("root cause");
    expect(e.stack).toMatch(/throwRich .*tasks\.mjs/);
    expect(e.stack).toMatch(/at <worker "isofutures-\d+">$/);
  });

  it("keeps a custom error's name and own properties (its class becomes Error)", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("throwCustom"));
    const e = r.ok ? undefined : r.error;
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("ValidationError");
    expect(e.field).toBe("email");
    expect(String(e)).toBe("ValidationError: email is invalid");
  });

  it("a falsy thrown value (undefined, 0, \"\", null) still fails the future with that value (24)", async () => {
    const ex = make(kind);
    for (const [kindOfValue, value] of [["undefined", undefined], ["zero", 0], ["empty", ""], ["null", null]] as const) {
      const f = ex.submit("throwValue", kindOfValue);
      const r = await settle(f);
      expect(r.ok).toBe(false);
      expect(r.ok || r.error).toBe(value);
      expect(f.state).toBe("finished");
    }
    const r = await settle(ex.submit("throwValue", "object"));
    expect(r.ok || r.error).toEqual({ reason: "plain object" });
  });

  it("a TimeoutError thrown by the task is the task's own error", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("throwsTimeoutError"));
    expect(r.ok || r.error.name).toBe("TimeoutError");
    expect(r.ok || r.error.message).toBe("my own timeout");
  });

  it("a result that cannot be cloned fails that future only (thread) — inline returns it as is", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("returnSymbol"));
    if (kind === "inline") {
      expect(r.ok).toBe(true);
    } else {
      expect(r.ok).toBe(false);
      expect(String(r.ok || r.error.message)).toMatch(/result could not be sent back to the caller/);
    }
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("an argument that cannot be cloned fails that future only, naming the argument", async () => {
    const ex = make(kind);
    const bad = ex.submit("identity", 1, () => 2);
    const good = ex.submit("add", 2, 3);
    const r = await settle(bad);
    if (kind === "inline") {
      expect(r.ok).toBe(true); // inline passes arguments by reference
    } else {
      expect(r.ok).toBe(false);
      expect(r.ok || r.error).toBeInstanceOf(TypeError);
      expect(String(r.ok || r.error.message)).toMatch(/argument 2 of task "identity" could not be sent to a worker/);
    }
    expect(await good).toBe(5);
  });

  it("transfer() moves an ArrayBuffer to the task and back", async () => {
    const ex = make(kind);
    const buf = new ArrayBuffer(1024);
    const out = (await ex.submit("fill", transfer(buf, [buf]), 7)) as ArrayBuffer;
    expect(out.byteLength).toBe(1024);
    expect(new Uint8Array(out)[1023]).toBe(7);
    if (kind === "thread") expect(buf.byteLength).toBe(0); // moved, not copied
    const copy = new ArrayBuffer(8);
    expect(await ex.submit("byteLength", copy)).toBe(8);
    expect(copy.byteLength).toBe(8); // not marked: copied
  });

  it("transfer() rejects a transfer list that is not an array", () => {
    expect(() => transfer(new ArrayBuffer(1), "x" as never)).toThrow(/transferables must be an array/);
  });

  it("submit after shutdown throws ShutdownError synchronously (48)", async () => {
    const ex = make(kind);
    await ex.shutdown();
    expect(() => ex.submit("add", 1, 2)).toThrow(ShutdownError);
    expect(() => ex.map("echo", [1])).toThrow(ShutdownError);
  });
});

describe.each(KINDS)("%s executor: submitWith", (kind) => {
  it("validates its options", () => {
    const ex = make(kind);
    expect(() => ex.submitWith(null as never, "add", 1, 2)).toThrow(/options must be an object/);
    expect(() => ex.submitWith({ timeout: -5 }, "add", 1, 2)).toThrow(RangeError);
    expect(() => ex.submitWith({ signal: {} as never }, "add", 1, 2)).toThrow(/signal must be an AbortSignal/);
  });

  it("a timeout stops a task that runs past it with TimeoutError; the executor goes on", async () => {
    const ex = make(kind);
    const started = Date.now();
    const f = ex.submitWith({ timeout: 100 }, kind === "inline" ? "sleep" : "forever", 60_000);
    await expect(f).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(f).rejects.toThrow(/did not finish within its timeout of 100 ms/);
    expect(await ex.submit("add", 1, 2)).toBe(3);
  });

  it("a task that finishes in time is not affected by its timeout", async () => {
    const ex = make(kind);
    expect(await ex.submitWith({ timeout: 5000 }, "sleep", 10, "ok")).toBe("ok");
  });

  it("an aborted signal on a running task fails it with the signal's reason", async () => {
    const ex = make(kind);
    const gate = new Gate();
    const ac = new AbortController();
    const f = ex.submitWith({ signal: ac.signal }, "gate", gate.handle);
    await gate.arrivals(1);
    expect(f.state).toBe("running");
    ac.abort(new Error("user gave up"));
    await expect(f).rejects.toThrow("user gave up");
    expect(await ex.submit("add", 2, 2)).toBe(4);
  });

  it("an aborted signal on a pending task cancels it (CancelledError)", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const blocker = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const ac = new AbortController();
    const f = ex.submitWith({ signal: ac.signal }, "add", 1, 1);
    expect(f.state).toBe("pending");
    ac.abort();
    expect(f.cancelled()).toBe(true);
    await expect(f).rejects.toBeInstanceOf(CancelledError);
    gate.open();
    await blocker;
  });

  it("a signal already aborted gives a cancelled future", async () => {
    const ex = make(kind);
    const f = ex.submitWith({ signal: AbortSignal.abort() }, "add", 1, 1);
    expect(f.cancelled()).toBe(true);
    expect(ex.stats().tasks.cancelled).toBe(1);
  });

  it("the task can watch currentTask().signal (inline: aborted on timeout)", async () => {
    const ex = make(kind);
    const r = await settle(ex.submitWith({ timeout: 50 }, "cooperative", 5000));
    expect(r.ok || r.error).toBeInstanceOf(TimeoutError);
  });
});

describe.each(KINDS)("%s executor: futures of real tasks", (kind) => {
  it("a queued future is pending and cancellable; a started one is running and is not (1–3)", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const first = ex.submit("gate", gate.handle, "first");
    const second = ex.submit("add", 1, 2);
    await gate.arrivals(1);
    expect(first.state).toBe("running");
    expect(first.cancel()).toBe(false);
    expect(second.state).toBe("pending");
    expect(second.cancel()).toBe(true);
    gate.open();
    expect(await first).toBe("first");
    await expect(second.result()).rejects.toBeInstanceOf(CancelledError);
    const s = ex.stats();
    expect(s.tasks.cancelled).toBe(1);
    expect(s.tasks.completed).toBe(1);
  });

  it("result(timeout) gives TimeoutError while the task goes on, then the result", async () => {
    const ex = make(kind);
    const gate = new Gate();
    const f: Future<unknown> = ex.submit("gate", gate.handle, "done");
    await expect(f.result(30)).rejects.toBeInstanceOf(TimeoutError);
    gate.open();
    expect(await f.result(5000)).toBe("done");
  });
});
