// Errors crossing from a worker: fidelity, and no way for a worker's data to harm the caller.
import { describe, expect, it } from "vitest";
import { decodeError, encodeError } from "../src/wire/error-codec.js";
import { CancelledError, TimeoutError } from "isofutures";
import { KINDS, make, settle } from "./helpers/executors.js";

describe.each(KINDS)("%s executor: hostile errors", (kind) => {
  it("keys like __proto__ and constructor stay data; getters that throw and circular causes do no harm", async () => {
    const ex = make(kind);
    const r = await settle(ex.submit("throwHostile"));
    const e = r.ok ? undefined : r.error;
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("hostile");
    expect(Object.getPrototypeOf(e)).toBe(Error.prototype);
    expect(Object.getOwnPropertyDescriptor(e, "__proto__")?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(e, "constructor")?.value).toEqual({ prototype: { polluted: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(e.toString).toBe("not a function");
    expect(e.cause.message).toBe("a");
    expect(e.cause.cause.message).toBe("b");
    // the cycle is cut after a bounded depth
    let depth = 0;
    for (let c = e.cause; c !== undefined && depth < 100; c = c.cause) depth++;
    expect(depth).toBeLessThan(20);
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });
});

describe.each(KINDS)("%s executor: the package's errors thrown by a task", (kind) => {
  it("keep their class when the task made them with its own import of the package", async () => {
    const ex = make(kind, { tasks: new URL("./fixtures/package-errors.mjs", import.meta.url) });
    const timeout = await settle(ex.submit("throwTimeout" as never));
    expect(timeout.ok || timeout.error).toBeInstanceOf(TimeoutError);
    expect((timeout as { error: Error }).error.message).toBe("the task's own deadline passed");
    const cancelled = await settle(ex.submit("throwCancelled" as never));
    expect(cancelled.ok || cancelled.error).toBeInstanceOf(CancelledError);
  });
});

describe("the error codec", () => {
  it("rebuilds from hostile wire data without touching any prototype", () => {
    const wire = {
      $: "E" as const,
      ctor: "__proto__",
      name: "Evil",
      message: "m",
      stack: "Evil: m",
      props: [["__proto__", { polluted: 1 }], ["constructor", { prototype: { polluted: 1 } }], ["prototype", 1]] as [string, unknown][],
    };
    const e = decodeError(wire) as Error & Record<string, unknown>;
    expect(Object.getPrototypeOf(e)).toBe(Error.prototype);
    expect(e.name).toBe("Evil");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(e)).toEqual(["__proto__", "constructor", "prototype"]);
  });

  it("encodes values that are not errors, and never throws", () => {
    expect(encodeError(undefined)).toEqual({ $: "V", value: undefined });
    expect(encodeError(Symbol("s"))).toEqual({ $: "V", value: "Symbol(s)" });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => encodeError(revoked.proxy)).not.toThrow();
  });

  it("keeps AggregateError's errors and DOMException's name", () => {
    const agg = decodeError(encodeError(new AggregateError([new TypeError("a"), new RangeError("b")], "many"))) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors.map((x: Error) => x.constructor)).toEqual([TypeError, RangeError]);
    const dom = decodeError(encodeError(new DOMException("nope", "DataCloneError"))) as DOMException;
    expect(dom).toBeInstanceOf(DOMException);
    expect(dom.name).toBe("DataCloneError");
  });
});
