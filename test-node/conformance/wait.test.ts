// wait() and asCompleted() over real executors (PYTHON-SEMANTICS §6: 88–100), with cancelled
// futures counting as done the moment they are cancelled (unlike CPython, §1.6).
import { describe, expect, it } from "vitest";
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, TimeoutError, asCompleted, wait, type Future } from "isofutures";
import { Gate, KINDS, make } from "../helpers/executors.js";

describe.each(KINDS)("%s executor: wait", (kind) => {
  async function fixtures() {
    const ex = make(kind, { maxWorkers: 3 }); // two blocked, one free
    const gate = new Gate();
    const succeeded = ex.submit("add", 1, 2);
    const failed = ex.submit("divmod", 1, 0);
    await Promise.allSettled([succeeded, failed]);
    const blocked = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const queued = ex.submit("gate", gate.handle); // second worker
    await gate.arrivals(2);
    const cancelled = ex.submit("add", 0, 0);
    expect(cancelled.cancel()).toBe(true);
    return { ex, gate, succeeded, failed, blocked, queued, cancelled };
  }

  it("collapses duplicates (88)", async () => {
    const ex = make(kind);
    const f = ex.submit("add", 1, 1);
    const { done, notDone } = await wait([f, f]);
    expect([...done]).toEqual([f]);
    expect(notDone.size).toBe(0);
  });

  it("FIRST_COMPLETED counts a cancelled future as done at once (89, 90)", async () => {
    const { gate, blocked, cancelled } = await fixtures();
    const { done, notDone } = await wait([cancelled, blocked], { returnWhen: FIRST_COMPLETED });
    expect(done).toEqual(new Set([cancelled]));
    expect(notDone).toEqual(new Set([blocked]));
    gate.open();
  });

  it("FIRST_COMPLETED wakes on the first completion", async () => {
    const { ex, gate, blocked } = await fixtures();
    const quick = ex.submit("sleep", 5);
    const { done, notDone } = await wait([quick, blocked], { returnWhen: FIRST_COMPLETED });
    expect(done.has(quick)).toBe(true);
    expect(notDone.has(blocked)).toBe(true);
    gate.open();
  });

  it("a future cancelled while wait() waits wakes it at once", async () => {
    const { ex, gate } = await fixtures();
    const pending = ex.submit("add", 1, 1);
    expect(pending.state).toBe("pending");
    const waiting = wait([pending], { returnWhen: ALL_COMPLETED, timeout: 10_000 });
    const started = Date.now();
    pending.cancel();
    const { done } = await waiting;
    expect(done.has(pending)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    gate.open();
  });

  it("FIRST_EXCEPTION returns on the first failure (91)", async () => {
    const { ex, gate, blocked } = await fixtures();
    const ok = ex.submit("add", 1, 1);
    await ok;
    const failing = ex.submit(async () => {
      throw new Error("fails after ok");
    });
    const { done, notDone } = await wait([ok, failing, blocked], { returnWhen: FIRST_EXCEPTION });
    expect(done).toEqual(new Set([ok, failing]));
    expect(notDone).toEqual(new Set([blocked]));
    gate.open();
  });

  it("FIRST_EXCEPTION with done, cancelled and failed inputs returns at once (92, 93)", async () => {
    const { gate, succeeded, failed, cancelled, blocked } = await fixtures();
    const { done, notDone } = await wait([succeeded, cancelled, failed, blocked], { returnWhen: FIRST_EXCEPTION });
    expect(done).toEqual(new Set([succeeded, cancelled, failed]));
    expect(notDone).toEqual(new Set([blocked]));
    gate.open();
  });

  it("ALL_COMPLETED waits for everything (94)", async () => {
    const { ex, gate, succeeded, failed, cancelled } = await fixtures();
    gate.open();
    const a = ex.submit("add", 2, 2);
    const b = ex.submit("divmod", 2, 0);
    const all = [succeeded, failed, cancelled, a, b];
    const { done, notDone } = await wait(all, { returnWhen: ALL_COMPLETED });
    expect(done).toEqual(new Set(all));
    expect(notDone.size).toBe(0);
  });

  it("a timeout returns what is done so far, without rejecting (95)", async () => {
    const { gate, succeeded, failed, cancelled, blocked } = await fixtures();
    const { done, notDone } = await wait([succeeded, failed, cancelled, blocked], { timeout: 50 });
    expect(done).toEqual(new Set([succeeded, failed, cancelled]));
    expect(notDone).toEqual(new Set([blocked]));
    gate.open();
  });

  it("100 futures released at once are all seen (66)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const gate = new Gate();
    const fs = Array.from({ length: 100 }, (_, i) => ex.submit("gate", gate.handle, i));
    const waiting = wait(fs, { returnWhen: ALL_COMPLETED });
    gate.open();
    const { done, notDone } = await waiting;
    expect(done.size).toBe(100);
    expect(notDone.size).toBe(0);
  });

  it("rejects bad input", () => {
    expect(() => wait([], { returnWhen: "SOMETIMES" as never })).toThrow(/returnWhen must be FIRST_COMPLETED/);
    expect(() => wait([1 as never])).toThrow(/expects futures, got number 1/);
    expect(() => wait([], { timeout: -1 })).toThrow(RangeError);
  });

  it("an empty list returns at once", async () => {
    expect(await wait([])).toEqual({ done: new Set(), notDone: new Set() });
  });
});

describe.each(KINDS)("%s executor: asCompleted", (kind) => {
  it("yields every input: cancelled, failed, succeeded and new tasks (96)", async () => {
    const ex = make(kind, { maxWorkers: 2 });
    const gate = new Gate();
    const blocker = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const succeeded = ex.submit("add", 1, 1);
    const failed = ex.submit("divmod", 1, 0);
    await Promise.allSettled([succeeded, failed]);
    const cancelled = ex.submit("add", 0, 0);
    cancelled.cancel();
    const a = ex.submit("sleep", 10);
    const b = ex.submit("sleep", 20);
    gate.open();
    const seen = new Set<Future<unknown>>();
    for await (const f of asCompleted([cancelled, failed, succeeded, a, b, blocker])) {
      expect(f.done()).toBe(true);
      seen.add(f);
    }
    expect(seen.size).toBe(6);
  });

  it("yields those already complete first, then throws TimeoutError for the slow one (97, 99)", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const succeeded = ex.submit("sleep", 0);
    await succeeded;
    const running = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const pending = ex.submit("gate", gate.handle);
    const cancelled = ex.submit("add", 1, 1);
    expect(cancelled.cancel()).toBe(true);
    expect([running.state, pending.state]).toEqual(["running", "pending"]);
    for (const timeout of [0, 100]) {
      const seen: Future<unknown>[] = [];
      let error: unknown;
      try {
        for await (const f of asCompleted([cancelled, pending, running, succeeded], { timeout })) seen.push(f);
      } catch (e) {
        error = e;
      }
      expect(new Set(seen)).toEqual(new Set([cancelled, succeeded]));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toBe("2 (of 4) futures unfinished");
    }
    gate.open();
  });

  it("a future given several times is yielded once (98)", async () => {
    const ex = make(kind);
    const f = ex.submit("add", 2, 3);
    const seen = [];
    for await (const g of asCompleted([f, f, f][Symbol.iterator]())) seen.push(g);
    expect(seen).toEqual([f]);
  });

  it("a future cancelled while asCompleted waits is yielded at once", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const blocker = ex.submit("gate", gate.handle);
    await gate.arrivals(1);
    const pending = ex.submit("add", 1, 1);
    const it = asCompleted([pending, blocker]);
    const first = it.next();
    pending.cancel();
    expect((await first).value).toBe(pending);
    gate.open();
    expect((await it.next()).value).toBe(blocker);
    expect((await it.next()).done).toBe(true);
  });

  it("keeps no reference to futures it has yielded (100)", async () => {
    const ex = make(kind);
    let f: Future<unknown> | undefined = ex.submit("add", 1, 1);
    const blocker = new Gate();
    const slow = ex.submit("gate", blocker.handle);
    await f;
    const ref = new WeakRef(f);
    const it = asCompleted([f, slow], { timeout: 10_000 });
    expect((await it.next()).value).toBe(f);
    f = undefined;
    await new Promise((r) => setTimeout(r, 0));
    (globalThis as { gc?: () => void }).gc?.();
    expect(ref.deref()).toBeUndefined();
    blocker.open();
    expect((await it.next()).value).toBe(slow);
  });

  it("break removes its callbacks: the futures can still be awaited", async () => {
    const ex = make(kind);
    const fs = [ex.submit("add", 1, 1), ex.submit("sleep", 20)];
    for await (const f of asCompleted(fs)) {
      expect(f.done()).toBe(true);
      break;
    }
    expect(await fs[1]).toBe(20);
  });

  it("rejects bad input", () => {
    expect(() => asCompleted(5 as never)).toThrow(/expects an iterable of futures/);
    expect(() => asCompleted([], { timeout: Number.NaN })).toThrow(RangeError);
  });
});
