// The Future state machine on its own (PYTHON-SEMANTICS §6, cases 1–23). Executors settle futures
// through module-private functions, so this file drives them from the sources; everything else
// runs against the built package.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CancelledError, InvalidStateError, TimeoutError } from "../src/futures/errors.js";
import { Future, forceCancel, newFuture, setException, setResult, setRunning } from "../src/futures/future.js";

const pending = () => newFuture<number>();
function running(): Future<number> {
  const f = newFuture<number>();
  setRunning(f);
  return f;
}
function succeeded(value = 42): Future<number> {
  const f = running();
  setResult(f, value);
  return f;
}
function failed(...error: [unknown?]): Future<number> {
  const f = running();
  setException(f, error.length ? error[0] : new Error("boom"));
  return f;
}
function cancelled(): Future<number> {
  const f = pending();
  f.cancel();
  return f;
}

afterEach(() => vi.restoreAllMocks());

describe("Future states", () => {
  it("a new future is pending: not done, not running, not cancelled (1)", () => {
    const f = pending();
    expect(f.state).toBe("pending");
    expect([f.done(), f.running(), f.cancelled()]).toEqual([false, false, false]);
  });

  it("cancel() on a pending future returns true; it is then cancelled and done (2)", () => {
    const f = pending();
    expect(f.cancel()).toBe(true);
    expect(f.state).toBe("cancelled");
    expect([f.cancelled(), f.done(), f.running()]).toEqual([true, true, false]);
  });

  it("cancel() on a running future returns false and it stays running (3)", () => {
    const f = running();
    expect(f.cancel()).toBe(false);
    expect(f.state).toBe("running");
    expect(f.running()).toBe(true);
  });

  it("cancel() on a finished future returns false and changes nothing (4)", async () => {
    const ok = succeeded(7);
    const bad = failed();
    expect(ok.cancel()).toBe(false);
    expect(bad.cancel()).toBe(false);
    expect(ok.state).toBe("finished");
    expect(bad.state).toBe("finished");
    expect(await ok.result()).toBe(7);
  });

  it("cancel() on a cancelled future returns true again and runs no callback twice (5)", () => {
    const f = pending();
    const cb = vi.fn();
    f.addDoneCallback(cb);
    expect(f.cancel()).toBe(true);
    expect(f.cancel()).toBe(true);
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it("setRunning on a cancelled future returns false; twice, or after completion, throws (15)", () => {
    const c = cancelled();
    expect(setRunning(c)).toBe(false);
    const p = pending();
    expect(setRunning(p)).toBe(true);
    expect(p.running()).toBe(true);
    expect(() => setRunning(p)).toThrow(InvalidStateError);
    expect(() => setRunning(succeeded())).toThrow(InvalidStateError);
  });

  it("forceCancel (terminate) moves a running future to cancelled with the given error", async () => {
    const f = running();
    expect(forceCancel(f, new CancelledError("terminated"))).toBe(true);
    expect(f.state).toBe("cancelled");
    await expect(f.result()).rejects.toThrow("terminated");
    expect(forceCancel(succeeded(), new CancelledError("x"))).toBe(false);
  });
});

describe("result() and exception()", () => {
  it("with timeout 0 on a pending or running future reject with TimeoutError at once (6)", async () => {
    for (const f of [pending(), running()]) {
      await expect(f.result(0)).rejects.toBeInstanceOf(TimeoutError);
      await expect(f.exception(0)).rejects.toBeInstanceOf(TimeoutError);
      expect(f.done()).toBe(false); // a timeout never affects the future
    }
  });

  it("on a cancelled future reject with CancelledError, also with timeout 0 (7)", async () => {
    const f = cancelled();
    await expect(f.result()).rejects.toBeInstanceOf(CancelledError);
    await expect(f.result(0)).rejects.toBeInstanceOf(CancelledError);
    await expect(f.exception()).rejects.toBeInstanceOf(CancelledError);
    await expect(f.exception(0)).rejects.toBeInstanceOf(CancelledError);
    await expect(Promise.resolve(f)).rejects.toBeInstanceOf(CancelledError);
  });

  it("result() rejects with the stored error; exception() returns it; a success has exception undefined (8)", async () => {
    const error = new RangeError("stored");
    const f = failed(error);
    await expect(f.result()).rejects.toBe(error);
    await expect(f.result()).rejects.toBe(error); // the same object every time
    expect(await f.exception()).toBe(error);
    expect(await succeeded().exception()).toBeUndefined();
  });

  it("result(timeout) waiting resolves when the result is set later (9)", async () => {
    const f = running();
    const waiting = f.result(5000);
    setTimeout(() => setResult(f, 42), 20);
    expect(await waiting).toBe(42);
  });

  it("result(timeout) waiting rejects with CancelledError when the future is cancelled (10)", async () => {
    const f = pending();
    const waiting = f.result(5000);
    setTimeout(() => f.cancel(), 20);
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
  });

  it("exception(timeout) waiting resolves with the error when it fails later (11)", async () => {
    const f = running();
    const error = new Error("later");
    const waiting = f.exception(5000);
    setTimeout(() => setException(f, error), 20);
    expect(await waiting).toBe(error);
  });

  it("result(timeout) rejects with TimeoutError when time runs out, and the future goes on", async () => {
    const f = running();
    await expect(f.result(20)).rejects.toThrow(/did not finish within 20 ms/);
    setResult(f, 1);
    expect(await f.result(0)).toBe(1);
  });

  it("bad timeouts are rejected with errors that name them", async () => {
    const f = pending();
    await expect(f.result(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(f.result(Number.NaN)).rejects.toBeInstanceOf(RangeError);
    await expect(f.result("1" as never)).rejects.toThrow(/timeout must be a number/);
  });

  it("a failed future nobody awaits raises no unhandled rejection", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      failed(new Error("ignored"));
      const f = running();
      setException(f, new Error("ignored too"));
      await new Promise((r) => setTimeout(r, 30));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("a falsy thrown value (undefined, 0, \"\") still fails the future (24)", async () => {
    for (const value of [undefined, 0, ""]) {
      const f = failed(value);
      expect(f.state).toBe("finished");
      await expect(f.result()).rejects.toBe(value);
      expect(String(f)).toMatch(/raised/);
    }
  });
});

describe("setting outcomes twice", () => {
  it("a second setResult throws InvalidStateError naming FINISHED; the first result stays (12)", async () => {
    const f = succeeded(1);
    expect(() => setResult(f, 2)).toThrow(InvalidStateError);
    expect(() => setResult(f, 2)).toThrow(/FINISHED/);
    expect(await f.result()).toBe(1);
  });

  it("a second setException throws InvalidStateError; the first error stays (13)", async () => {
    const first = new Error("first");
    const f = failed(first);
    expect(() => setException(f, new Error("second"))).toThrow(InvalidStateError);
    expect(await f.exception()).toBe(first);
  });

  it("setResult and setException on a cancelled future throw InvalidStateError (14)", () => {
    expect(() => setResult(cancelled(), 1)).toThrow(InvalidStateError);
    expect(() => setException(cancelled(), new Error())).toThrow(/CANCELLED/);
  });
});

describe("done-callbacks", () => {
  it("a callback added before completion is called once with the future and can read the result (16)", async () => {
    const f = running();
    const seen: unknown[] = [];
    f.addDoneCallback((g) => {
      seen.push(g);
      void g.result().then((v) => seen.push(v));
    });
    setResult(f, 5);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([f, 5]);
  });

  it("a callback sees the error after a failure (17)", async () => {
    const f = running();
    const error = new Error("x");
    let seen: unknown;
    f.addDoneCallback((g) => void g.exception().then((e) => (seen = e)));
    setException(f, error);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toBe(error);
  });

  it("a callback runs on cancel() and sees cancelled() true (18)", () => {
    const f = pending();
    let sawCancelled = false;
    f.addDoneCallback((g) => (sawCancelled = g.cancelled()));
    f.cancel();
    expect(sawCancelled).toBe(true);
  });

  it("on an already done future the callback runs at once, before addDoneCallback returns (19)", () => {
    for (const f of [succeeded(), failed(), cancelled()]) {
      let called = false;
      f.addDoneCallback(() => (called = true));
      expect(called).toBe(true);
    }
  });

  it("callbacks run in the order they were added (20)", () => {
    const f = running();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) f.addDoneCallback(() => order.push(i));
    setResult(f, 0);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("a throwing callback is reported and the next one still runs; setResult does not throw (21)", () => {
    const report = vi.spyOn(console, "error").mockImplementation(() => {});
    const f = running();
    let second = false;
    f.addDoneCallback(() => {
      throw new Error("callback failure");
    });
    f.addDoneCallback(() => (second = true));
    expect(() => setResult(f, 1)).not.toThrow();
    expect(second).toBe(true);
    expect(report).toHaveBeenCalledTimes(1);
    expect(String(report.mock.calls[0]?.[0])).toMatch(/exception calling a done-callback of Future<state=finished returned number>/);
    expect((report.mock.calls[0]?.[1] as Error).message).toBe("callback failure");
  });

  it("a throwing callback on a done future is reported, not thrown to the caller (22)", () => {
    const report = vi.spyOn(console, "error").mockImplementation(() => {});
    const f = succeeded();
    expect(() =>
      f.addDoneCallback(() => {
        throw new Error("late failure");
      }),
    ).not.toThrow();
    expect(report).toHaveBeenCalledTimes(1);
  });

  it("addDoneCallback rejects what is not a function", () => {
    expect(() => pending().addDoneCallback(42 as never)).toThrow(/expects a function, got number 42/);
  });
});

describe("textual form (23)", () => {
  it("says pending / running / cancelled / finished raised X / finished returned T", () => {
    expect(String(pending())).toBe("Future<state=pending>");
    expect(String(running())).toBe("Future<state=running>");
    expect(String(cancelled())).toBe("Future<state=cancelled>");
    expect(String(failed(new TypeError("x")))).toBe("Future<state=finished raised TypeError>");
    expect(String(succeeded(1))).toBe("Future<state=finished returned number>");
    expect(Object.prototype.toString.call(pending())).toBe("[object Future]");
  });
});

describe("thenable", () => {
  it("await, Promise.resolve and an async function's return all unwrap to the result", async () => {
    const f = succeeded(3);
    expect(await f).toBe(3);
    expect(await Promise.resolve(f)).toBe(3);
    expect(await (async () => f)()).toBe(3);
  });
});

describe("a Future is a Promise", () => {
  it("is an instance of Promise whose derived promises are plain promises", async () => {
    const f = succeeded(2);
    expect(f).toBeInstanceOf(Promise);
    const derived = f.then((x) => x * 2);
    expect(Object.getPrototypeOf(derived)).toBe(Promise.prototype);
    expect(await derived).toBe(4);
    expect(await failed(new Error("x")).catch((e: Error) => e.message)).toBe("x");
  });

  it("new Future() takes no arguments, so inherited statics fail instead of making broken futures", () => {
    const F = Future as unknown as { new (executor: unknown): unknown; resolve(x: unknown): unknown; all(x: unknown): unknown };
    expect(() => new F(() => {})).toThrow(/new Future\(\) takes no arguments/);
    expect(() => F.resolve(1)).toThrow(TypeError);
    expect(() => F.all([])).toThrow(TypeError);
    expect(succeeded().constructor).toBe(Promise); // so that await takes the engine's native path
  });
});

describe("new Future(), as Python's Future() for custom executors", () => {
  it("is a native promise too: await and Promise.all take it as they take an executor's", async () => {
    const f = new Future<number>();
    expect(f).toBeInstanceOf(Promise);
    expect(f.constructor).toBe(Promise);
    expect(Promise.resolve(f)).toBe(f); // no thenable job: the engine's native path
    setTimeout(() => f.setResult(5), 1);
    expect(await Promise.all([f, succeeded(6)])).toEqual([5, 6]);
  });

  it("follows Python's rules: a result on a pending future skips running; done is final (InvalidStateError)", async () => {
    const f = new Future<string>();
    f.setResult("early");
    expect(f.state).toBe("finished");
    expect(() => f.setRunningOrNotifyCancel()).toThrow(InvalidStateError);
    expect(() => f.setException(new Error("late"))).toThrow(/FINISHED: Future<state=finished returned string> cannot be set again/);
    const g = new Future<string>();
    g.setException(undefined); // a falsy error is still an error
    expect(await g.exception()).toBeUndefined();
    await expect(g.result()).rejects.toBeUndefined();
    expect(g.state).toBe("finished");
    const h = new Future<string>();
    h.setRunningOrNotifyCancel();
    expect(h.cancel()).toBe(false); // running: too late
    expect(h.running()).toBe(true);
  });
});
