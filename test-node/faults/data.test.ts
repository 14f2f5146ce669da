// Data that cannot cross, or that is built to do harm, in thread and process pools: only the
// future concerned fails, the worker lives on, and nothing a worker sends can hurt the caller.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokenExecutorError } from "isofutures";
import { OP_INIT_FAILED, OP_READY, OP_RESULTS, ST_CHUNK_ERRORS } from "../../src/wire/protocol.js";
import { POOLS, make, settle, warm, where } from "../helpers/executors.js";
import { StrayCheck } from "../helpers/strays.js";

/** Uncaught exceptions in this (the caller's) process while a test runs. */
let uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeEach(() => {
  uncaught = [];
  process.on("uncaughtException", onUncaught);
});
afterEach(() => {
  process.off("uncaughtException", onUncaught);
});

function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect((Error.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

describe.each(POOLS)("%s pool: values that cannot be cloned", (kind) => {
  it.each(["returnSymbol", "returnFunction"] as const)("a result that cannot be cloned (%s) fails that future only; the worker lives on; shutdown is prompt", async (fn) => {
    const strays = new StrayCheck();
    const ex = make(kind, { maxWorkers: 1 });
    const before = await ex.submit("whoami");
    const r = await settle(ex.submit(fn));
    expect(r.ok || r.error).toBeInstanceOf(TypeError);
    expect(String(r.ok || r.error.message)).toMatch(/the task's result could not be sent back to the caller: .*Return structured-cloneable data/);
    expect(where(await ex.submit("whoami"))).toBe(where(before));
    const started = Date.now();
    await ex.shutdown();
    expect(Date.now() - started).toBeLessThan(2000); // the worker leaves when told to, not when forced after 5 s
    await strays.clean();
  });

  it("a result whose getter throws fails that future only", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const r = await settle(ex.submit("hostile", "result-getter"));
    expect(String(r.ok || r.error.message)).toMatch(/result could not be sent back to the caller: a getter of the result throws/);
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("an argument that cannot be cloned, sent in one batch with good ones, fails only its own future", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    await warm(ex, 5); // wide credit window
    const fs = Array.from({ length: 50 }, (_, i) => (i === 25 ? ex.submit("identity", 1, Symbol("no")) : ex.submit("echo", i)));
    const rs = await Promise.allSettled(fs);
    rs.forEach((r, i) => {
      if (i === 25) {
        expect(r.status).toBe("rejected");
        expect(String((r as PromiseRejectedResult).reason.message)).toMatch(/argument 2 of task "identity" could not be sent to a worker/);
      } else {
        expect(r).toEqual({ status: "fulfilled", value: i });
      }
    });
  });

  it("a 256 MiB argument arrives whole; the pool goes on", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    let bytes: Uint8Array | undefined = new Uint8Array(256 * 1024 * 1024);
    bytes[0] = 1;
    bytes[bytes.length - 1] = 2;
    expect(await ex.submit("probeBytes", bytes)).toEqual([256 * 1024 * 1024, 1, 2]);
    bytes = undefined;
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });
});

describe.each(POOLS)("%s pool: hostile errors and results", (kind) => {
  it.each([
    ["proxy", (e: unknown) => expect(e).toBe("[an error that could not be read]")],
    ["getters", (e: any) => {
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe("");
      expect(e.code).toBeUndefined(); // its getters threw: read as missing
    }],
    ["unprintable", (e: unknown) => expect(e).toBe("[object Object]")],
    ["thenable", (e: unknown) => expect(e).toBe("[object Object]")], // its then() never runs here
    ["deep-cause", (e: any) => {
      expect(e.message).toBe("9999");
      let depth = 0;
      for (let c = e; c instanceof Error; c = c.cause as Error) depth++;
      expect(depth).toBeLessThanOrEqual(9);
    }],
    ["self-reference", (e: any) => {
      expect(e.message).toBe("refers to itself");
      expect(e.self).toBeInstanceOf(Error);
      expect(e.self.message).toBe("refers to itself");
    }],
    ["fake-wire", (e: any) => {
      // A plain object with a string message and stack is taken for an error from another realm:
      // it becomes an Error, and its keys (ctor: "__proto__", props) stay plain data on it.
      expect(Object.getPrototypeOf(e)).toBe(Error.prototype);
      expect(e.name).toBe("Evil");
      expect(e.ctor).toBe("__proto__");
      expect(e.props).toEqual([["__proto__", { polluted: true }]]);
    }],
  ] as const)("%s: the future fails with what could be read; no prototype is touched; the worker lives on", async (hostile, check) => {
    const ex = make(kind, { maxWorkers: 1 });
    const before = await ex.submit("whoami");
    const r = await settle(ex.submit("hostile", hostile));
    expect(r.ok).toBe(false);
    check(r.ok ? undefined : (r.error as never));
    expectNoPollution();
    expect(where(await ex.submit("whoami"))).toBe(where(before));
    expect(uncaught).toEqual([]);
  });

  it("a result with __proto__ and constructor keys stays plain data", async () => {
    const ex = make(kind);
    const value = (await ex.submit("hostile", "result-proto")) as Record<string, any>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(value.inner, "__proto__")?.value).toEqual({ polluted: true });
    expect(value.constructor).toEqual({ prototype: { polluted: true } });
    expectNoPollution();
  });
});

describe.each(POOLS)("%s pool: messages a task sends outside the protocol", (kind) => {
  it("stray values are ignored: the caller does not crash and the tasks go on", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    for (const value of [null, "text", 42, { op: 13 }, [], [OP_RESULTS], [OP_READY], [OP_RESULTS, "x", "y", "z"], [999, 1, 2]]) {
      expect(await ex.submit("postRaw", value)).toBe("posted");
    }
    expect(await ex.submit("add", 2, 3)).toBe(5);
    expect(uncaught).toEqual([]);
    expect(ex.stats().tasks).toMatchObject({ completed: 10, failed: 0 });
  });

  it.each([
    ["an unknown status", [OP_RESULTS, 0, 99, 1]],
    ["a malformed chunk", [OP_RESULTS, 0, ST_CHUNK_ERRORS, null]],
    ["a malformed shared object", [OP_RESULTS, 0, 0, { "$isofutures.shared": "Lock", state: null }]],
  ])("a forged result with %s fails the task it names, and nothing else", async (_, forged) => {
    const ex = make(kind, { maxWorkers: 1 });
    // The first task of a new worker has sequence number 0: it forges a result for itself.
    const r = await settle(ex.submit("postRaw", forged));
    expect(r.ok || r.error).toBeInstanceOf(TypeError);
    expect(String(r.ok || r.error.message)).toMatch(/worker "isofutures-1" sent a result for this task \(task "postRaw"\) that could not be read/);
    expect(uncaught).toEqual([]);
    expect(await ex.submit("add", 2, 3)).toBe(5);
  });

  it("a forged report of a failed initializer, after the worker started, does not break the executor", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    expect(await ex.submit("postRaw", [OP_INIT_FAILED, { $: "V", value: "forged" }])).toBe("posted");
    const r = await settle(ex.submit("add", 2, 3));
    expect(r.ok || r.error).not.toBeInstanceOf(BrokenExecutorError);
    expect(r).toEqual({ ok: true, value: 5 });
  });
});
