// Locks, semaphores, events, conditions, barriers, queues, ring buffers and pipes between real
// worker threads (PYTHON-SEMANTICS §6, the [MP] cases), with contention, plus stress runs.
import { describe, expect, it } from "vitest";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  EOFError,
  Event,
  InvalidStateError,
  JoinableQueue,
  Lock,
  Pipe,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  Queue,
  RLock,
  RingBuffer,
  Semaphore,
  SharedArray,
  TimeoutError,
  UnsupportedError,
} from "isofutures";
import { make, settle, track } from "./helpers/executors.js";
import { runProgram } from "./helpers/programs.js";

const pool = (n: number) => make("thread", { maxWorkers: n, tasks: undefined });

/** Resolves once `read()` returns at least `n` (polling a shared counter; bounded). */
async function reaches(read: () => number, n: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (read() < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n}, stuck at ${read()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("Lock", () => {
  it("a held lock: acquire with timeout 0 fails at once, a timed acquire fails after the timeout, then it still works", async () => {
    const lock = new Lock();
    expect(await lock.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(await lock.acquire({ timeout: 0 })).toBe(false);
    const t = Date.now();
    expect(await lock.acquire({ timeout: 50 })).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    lock.release();
    expect(await lock.acquire({ timeout: 0 })).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it("may be released by another thread; releasing a free lock is an error", async () => {
    const ex = pool(1);
    const lock = new Lock();
    await lock.acquire();
    await ex.submit((l: Lock) => l.release(), lock);
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(InvalidStateError);
  });

  it("a guard releases the lock", async () => {
    const lock = new Lock();
    const guard = await lock.guard();
    expect(lock.locked()).toBe(true);
    guard[Symbol.dispose]();
    guard.release(); // once only
    expect(lock.locked()).toBe(false);
    await lock.acquire();
    await expect(lock.guard({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
    lock.release();
  });

  it("makes a counter incremented 1,000,000 times from 2 threads exact", async () => {
    const ex = pool(2);
    const lock = new Lock();
    const counter = new SharedArray("int32", 1);
    const add = (l: Lock, c: SharedArray<"int32">, n: number) => {
      for (let i = 0; i < n; i++) {
        l.acquireSync();
        c.values[0] = (c.values[0] as number) + 1; // not atomic on its own: the lock makes it so
        l.release();
      }
    };
    await Promise.all([ex.submit(add, lock, counter, 500_000), ex.submit(add, lock, counter, 500_000)]);
    expect(counter.values[0]).toBe(1_000_000);
  });

  it("the async form waits for a worker to release it", async () => {
    const ex = pool(1);
    const lock = new Lock();
    const held = new Event();
    const task = ex.submit(
      (l: Lock, e: Event) => {
        l.acquireSync();
        e.set();
        const end = Date.now() + 50;
        while (Date.now() < end);
        l.release();
        return "released";
      },
      lock,
      held,
    );
    await held.wait();
    expect(await lock.acquire({ timeout: 5000 })).toBe(true);
    expect(await task).toBe("released");
    lock.release();
  });
});

describe("RLock", () => {
  it("its owner may take it again and must release it as often", async () => {
    const r = new RLock();
    expect(await r.acquire()).toBe(true);
    expect(r.acquireSync()).toBe(true);
    r.release();
    expect(r.locked()).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
    expect(() => r.release()).toThrow(/does not hold/);
  });

  it("another thread can neither take it nor release it", async () => {
    const ex = pool(1);
    const r = new RLock();
    await r.acquire();
    expect(await ex.submit((l: RLock) => l.acquireSync({ timeout: 20 }), r)).toBe(false);
    const e = await settle(ex.submit((l: RLock) => l.release(), r));
    expect(e.ok || e.error.name).toBe("InvalidStateError");
    r.release();
    expect(await ex.submit((l: RLock) => l.acquireSync({ timeout: 1000 }), r)).toBe(true);
  });
});

describe("Semaphore", () => {
  it("Semaphore(7), one taken: of 10 contenders exactly 6 get in, the rest after releases", async () => {
    const ex = pool(10);
    const sem = new Semaphore(7);
    await sem.acquire();
    const inside = new SharedArray("int32", 1);
    const contend = (s: Semaphore, c: SharedArray<"int32">) => {
      s.acquireSync();
      Atomics.add(c.values, 0, 1);
    };
    const tasks = Array.from({ length: 10 }, () => ex.submit(contend, sem, inside));
    await reaches(() => Atomics.load(inside.values, 0), 6);
    await new Promise((r) => setTimeout(r, 100)); // the other 4 stay out
    expect(Atomics.load(inside.values, 0)).toBe(6);
    expect(sem.value).toBe(0);
    sem.release(4);
    await Promise.all(tasks);
    expect(Atomics.load(inside.values, 0)).toBe(10);
  });

  it("acquire with timeout 0 fails when none is left; a timed acquire waits", async () => {
    const sem = new Semaphore(1);
    expect(sem.acquireSync({ timeout: 0 })).toBe(true);
    expect(await sem.acquire({ timeout: 0 })).toBe(false);
    expect(await sem.acquire({ timeout: 20 })).toBe(false);
    sem.release();
    expect(await sem.acquire({ timeout: 20 })).toBe(true);
  });

  it("a Semaphore may be released past its initial value; a BoundedSemaphore may not", () => {
    const s = new Semaphore(1);
    s.release();
    expect(s.value).toBe(2);
    const b = new BoundedSemaphore(2);
    expect(() => b.release()).toThrow(InvalidStateError);
    b.acquireSync();
    b.release();
    expect(() => b.release()).toThrow(/released too many times/);
  });

  it("rejects a negative value", () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
  });
});

describe("Event", () => {
  it("one set() releases all 5 waiters, and again after clear() and set()", async () => {
    const ex = pool(5);
    const ev = new Event();
    for (let round = 0; round < 2; round++) {
      const waiters = Array.from({ length: 5 }, () => ex.submit((e: Event) => e.waitSync({ timeout: 10_000 }), ev));
      await new Promise((r) => setTimeout(r, 50));
      ev.set();
      expect(await Promise.all(waiters)).toEqual([true, true, true, true, true]);
      ev.clear();
    }
  });

  it("wait({ timeout: 0 }) is false while clear, true once set", async () => {
    const ev = new Event();
    expect(await ev.wait({ timeout: 0 })).toBe(false);
    expect(await ev.wait({ timeout: 20 })).toBe(false);
    ev.set();
    expect(ev.isSet()).toBe(true);
    expect(await ev.wait({ timeout: 0 })).toBe(true);
  });
});

describe("Condition", () => {
  it("notify(3) wakes exactly 3 of 5 waiters; notifyAll the rest", async () => {
    const ex = pool(5);
    const cond = new Condition();
    const woken = new SharedArray("int32", 2); // [waiting, woken]
    const waitOnce = (c: Condition, w: SharedArray<"int32">) => {
      c.lock.acquireSync();
      Atomics.add(w.values, 0, 1);
      const notified = c.waitSync({ timeout: 10_000 });
      Atomics.add(w.values, 1, 1);
      c.lock.release();
      return notified;
    };
    const tasks = Array.from({ length: 5 }, () => ex.submit(waitOnce, cond, woken));
    await reaches(() => Atomics.load(woken.values, 0), 5);
    // Each waiter holds the lock until it is inside wait(): getting the lock means all five wait.
    await cond.lock.acquire();
    cond.notify(3);
    cond.lock.release();
    await reaches(() => Atomics.load(woken.values, 1), 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(Atomics.load(woken.values, 1)).toBe(3);
    await cond.lock.acquire();
    cond.notifyAll();
    cond.lock.release();
    expect(await Promise.all(tasks)).toEqual([true, true, true, true, true]);
  });

  it("wait returns false on timeout; waitFor returns the predicate's last value", async () => {
    const cond = new Condition(new Lock());
    await cond.lock.acquire();
    expect(await cond.wait({ timeout: 30 })).toBe(false);
    expect(cond.lock.locked()).toBe(true); // taken back
    expect(await cond.waitFor(() => 0, { timeout: 30 })).toBe(0);
    expect(await cond.waitFor(() => "ready", { timeout: 30 })).toBe("ready");
    cond.lock.release();
  });

  it("wait and notify without the lock are errors", async () => {
    const cond = new Condition();
    await expect(cond.wait({ timeout: 10 })).rejects.toBeInstanceOf(InvalidStateError);
    expect(() => cond.notify()).toThrow(/needs the condition's lock/);
  });

  it("a producer and a consumer hand over values through a condition", async () => {
    const ex = pool(1);
    const cond = new Condition();
    const box = new SharedArray("int32", 2); // [full, value]
    const producer = ex.submit(
      (c: Condition, b: SharedArray<"int32">) => {
        for (let i = 1; i <= 100; i++) {
          c.lock.acquireSync();
          c.waitForSync(() => b.values[0] === 0);
          b.values[1] = i;
          b.values[0] = 1;
          c.notifyAll();
          c.lock.release();
        }
      },
      cond,
      box,
    );
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      await cond.lock.acquire();
      await cond.waitFor(() => box.values[0] === 1);
      sum += box.values[1] as number;
      box.values[0] = 0;
      cond.notifyAll();
      cond.lock.release();
    }
    await producer;
    expect(sum).toBe(5050);
  });
});

describe("Barrier", () => {
  it("each pass gives indices 0…parties-1 and runs the action once, before letting anyone through", async () => {
    const ex = pool(4);
    const barrier = new Barrier(5, { action: () => undefined });
    const party = (b: Barrier) => [b.waitSync({ timeout: 10_000 }), b.waitSync({ timeout: 10_000 })];
    const tasks = Array.from({ length: 4 }, () => ex.submit(party, barrier));
    const mine = [await barrier.wait({ timeout: 10_000 }), await barrier.wait({ timeout: 10_000 })];
    const all = [mine, ...(await Promise.all(tasks))];
    for (const pass of [0, 1]) expect(all.map((p) => p[pass]).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("the action runs once per pass", async () => {
    const ex = pool(2);
    const count = new SharedArray("int32", 1);
    // The action cannot capture `count`: it reaches it through a global each party sets.
    const barrier = new Barrier(3, { action: () => void Atomics.add((globalThis as unknown as { __count: Int32Array }).__count, 0, 1) });
    (globalThis as unknown as { __count: Int32Array }).__count = count.values;
    const party = (b: Barrier, c: SharedArray<"int32">) => {
      (globalThis as unknown as { __count: Int32Array }).__count = c.values;
      for (let i = 0; i < 3; i++) b.waitSync({ timeout: 10_000 });
    };
    const tasks = [ex.submit(party, barrier, count), ex.submit(party, barrier, count)];
    for (let i = 0; i < 3; i++) await barrier.wait({ timeout: 10_000 });
    await Promise.all(tasks);
    expect(count.values[0]).toBe(3);
  });

  it("abort() breaks it for every waiter; reset() makes it usable again", async () => {
    const ex = pool(2);
    const barrier = new Barrier(3);
    const waiting = [ex.submit((b: Barrier) => b.waitSync({ timeout: 10_000 }), barrier), ex.submit((b: Barrier) => b.waitSync({ timeout: 10_000 }), barrier)];
    await reaches(() => barrier.nWaiting, 2);
    barrier.abort();
    for (const r of await Promise.all(waiting.map(settle))) expect(r.ok || r.error.name).toBe("BrokenBarrierError");
    expect(barrier.broken).toBe(true);
    await expect(barrier.wait()).rejects.toBeInstanceOf(BrokenBarrierError);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    const again = [ex.submit((b: Barrier) => b.waitSync({ timeout: 10_000 }), barrier), ex.submit((b: Barrier) => b.waitSync({ timeout: 10_000 }), barrier)];
    const mine = await barrier.wait({ timeout: 10_000 });
    expect([mine, ...(await Promise.all(again))].sort()).toEqual([0, 1, 2]);
  });

  it("reset() while parties wait frees them with BrokenBarrierError", async () => {
    const ex = pool(1);
    const barrier = new Barrier(2);
    const waiter = ex.submit((b: Barrier) => b.waitSync({ timeout: 10_000 }), barrier);
    await reaches(() => barrier.nWaiting, 1);
    barrier.reset();
    const r = await settle(waiter);
    expect(r.ok || r.error.name).toBe("BrokenBarrierError");
    expect(barrier.broken).toBe(false);
  });

  it("a wait that times out breaks the barrier", async () => {
    const barrier = new Barrier(2);
    await expect(barrier.wait({ timeout: 30 })).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
  });

  it("Barrier(1) never blocks", async () => {
    const barrier = new Barrier(1);
    expect(await barrier.wait()).toBe(0);
    expect(barrier.waitSync()).toBe(0);
  });
});

describe("Queue", () => {
  it("qsize goes 0, 1, 2, 1, 0; get on an empty queue with timeout 0 throws TimeoutError", async () => {
    const q = new Queue<number>();
    const sizes = [q.qsize()];
    await q.put(1);
    sizes.push(q.qsize());
    q.putSync(2);
    sizes.push(q.qsize());
    expect(await q.get()).toBe(1);
    sizes.push(q.qsize());
    expect(q.getSync()).toBe(2);
    sizes.push(q.qsize());
    expect(sizes).toEqual([0, 1, 2, 1, 0]);
    expect(q.empty()).toBe(true);
    await expect(q.get({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(q.get({ timeout: 20 })).rejects.toThrow(/the queue is empty/);
  });

  it("a full queue makes put wait, or throw TimeoutError", async () => {
    const q = new Queue<number>({ maxsize: 2 });
    await q.put(1);
    await q.put(2);
    expect(q.full()).toBe(true);
    await expect(q.put(3, { timeout: 0 })).rejects.toThrow(/the queue is full/);
    const later = q.put(3, { timeout: 5000 });
    expect(await q.get()).toBe(1);
    await later;
    expect([await q.get(), await q.get()]).toEqual([2, 3]);
  });

  it("keeps structured-clone types", async () => {
    const q = new Queue();
    const item = { n: 1.5, big: 2n ** 70n, when: new Date(0), re: /a+/gi, m: new Map([[1, "one"]]), s: new Set(["x"]), bytes: new Uint16Array([1, 2]), err: new RangeError("r"), list: [1, undefined, "three"] };
    await q.put(item);
    const out = (await q.get()) as typeof item;
    expect(out).toEqual(item);
    expect(out.err).toBeInstanceOf(RangeError);
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    await q.put(cyclic);
    const back = (await q.get()) as Record<string, unknown>;
    expect(back.self).toBe(back);
  });

  it("numbers and lengths of every size come back exact, also where an item wraps around the end of the queue's memory", async () => {
    const q = new Queue({ capacity: 1024 });
    const values: unknown[] = [0, -0, 1, -1, 255, 256, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -1.5, Math.PI, NaN, Infinity, -Infinity, 5e-324];
    const items = [...values, "x".repeat(300), "é".repeat(130), new Uint8Array(70).fill(7), [1, -2, 3.25], { n: -7 }];
    // 60 rounds of puts and gets move the start around the 1 KB ring: items straddle its end.
    for (let round = 0; round < 60; round++) {
      const some = items.slice(round % (items.length - 5), (round % (items.length - 5)) + 6);
      for (const item of some) await q.put(item);
      for (const item of some) {
        const got = await q.get();
        if (Object.is(item, -0)) expect(Object.is(got, -0)).toBe(true);
        else expect(got).toEqual(item);
      }
    }
    const big = "y".repeat(70_000); // a length that needs three bytes
    const wide = new Queue({ capacity: 1 << 20 });
    await wide.put(big);
    expect(await wide.get()).toBe(big);
  });

  it("refuses what it cannot carry, with errors that say why", async () => {
    const q = new Queue({ capacity: 64 });
    await expect(q.put(() => 1)).rejects.toThrow(/cannot be put in a queue/);
    await expect(q.put(new SharedArrayBuffer(8))).rejects.toThrow(/shared memory cannot be put in a queue/);
    await expect(q.put("x".repeat(100))).rejects.toThrow(/does not fit a queue of 64 bytes/);
    expect(() => new Queue({ maxsize: -1 })).toThrow(RangeError);
  });

  it("close(): put throws; get drains what is left, then throws; iteration ends", async () => {
    const q = new Queue<number>();
    await q.put(1);
    await q.put(2);
    q.close();
    await expect(q.put(3)).rejects.toBeInstanceOf(InvalidStateError);
    const seen: number[] = [];
    for await (const x of q) seen.push(x);
    expect(seen).toEqual([1, 2]);
    await expect(q.get()).rejects.toThrow(/closed queue with nothing left/);
  });

  it("JoinableQueue: join() returns once 4 consumers have marked 10 items done", async () => {
    const ex = pool(4);
    const q = new JoinableQueue<number>();
    for (let i = 0; i < 10; i++) await q.put(i);
    expect(await q.join({ timeout: 20 })).toBe(false);
    const consume = (jq: JoinableQueue<number>) => {
      let n = 0;
      for (;;) {
        try {
          jq.getSync({ timeout: 100 });
        } catch {
          return n;
        }
        n++;
        jq.taskDone();
      }
    };
    const consumers = Array.from({ length: 4 }, () => ex.submit(consume, q));
    expect(await q.join({ timeout: 10_000 })).toBe(true);
    expect((await Promise.all(consumers)).reduce((a, b) => a + b, 0)).toBe(10);
    expect(() => q.taskDone()).toThrow(/called too many times/);
  });
});

describe("stress: 4 producers × 4 consumers × 100,000 items", () => {
  const N = 100_000;

  it("through a Queue: every item delivered exactly once", async () => {
    const ex = pool(8);
    const q = new Queue<number>({ maxsize: 1000 });
    const seen = new SharedArray("uint8", 4 * N);
    const produce = (qq: Queue<number>, p: number, n: number) => {
      for (let i = 0; i < n; i++) qq.putSync(p * n + i);
    };
    const consume = (qq: Queue<number>, s: SharedArray<"uint8">, n: number) => {
      for (let i = 0; i < n; i++) Atomics.add(s.values, qq.getSync({ timeout: 30_000 }), 1);
    };
    await Promise.all([
      ...[0, 1, 2, 3].map((p) => ex.submit(produce, q, p, N)),
      ...[0, 1, 2, 3].map(() => ex.submit(consume, q, seen, N)),
    ]);
    expect(seen.values.every((x) => x === 1)).toBe(true);
    expect(q.qsize()).toBe(0);
  }, 120_000);

  it("through a RingBuffer: every value delivered exactly once", async () => {
    const ex = pool(8);
    const ring = new RingBuffer(4096, { type: "int32" });
    const seen = new SharedArray("uint8", 4 * N);
    const produce = (r: RingBuffer<"int32">, p: number, n: number) => {
      const batch = new Int32Array(64);
      for (let i = 0; i < n; i += 64) {
        for (let k = 0; k < 64; k++) batch[k] = p * n + i + k;
        r.writeSync(batch.subarray(0, Math.min(64, n - i)));
      }
    };
    const consume = (r: RingBuffer<"int32">, s: SharedArray<"uint8">, n: number) => {
      let got = 0;
      while (got < n) {
        const values = r.readSync(n - got, { timeout: 30_000 });
        for (let k = 0; k < values.length; k++) Atomics.add(s.values, values[k] as number, 1);
        got += values.length;
      }
    };
    await Promise.all([
      ...[0, 1, 2, 3].map((p) => ex.submit(produce, ring, p, N)),
      ...[0, 1, 2, 3].map(() => ex.submit(consume, ring, seen, N)),
    ]);
    expect(seen.values.every((x) => x === 1)).toBe(true);
    expect(ring.size).toBe(0);
  }, 120_000);
});

describe("RingBuffer", () => {
  it("single values and batches, timeouts, capacity rounded up", async () => {
    const ring = new RingBuffer(3, { type: "float64" });
    expect(ring.capacity).toBe(4);
    expect(ring.tryPush(1.5)).toBe(true);
    expect(ring.tryWrite([2, 3, 4, 5])).toBe(3);
    await expect(ring.write([6], { timeout: 10 })).rejects.toMatchObject({ name: "TimeoutError", written: 0 });
    expect(ring.tryShift()).toBe(1.5);
    expect([...ring.tryRead()]).toEqual([2, 3, 4]);
    expect(ring.tryShift()).toBeUndefined();
    await expect(ring.read(1, { timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(4, { type: "complex" as never })).toThrow(/type must be one of/);
  });

  it("a reader waiting in a worker is woken by a write here", async () => {
    const ex = pool(1);
    const ring = new RingBuffer(16, { type: "uint8" });
    const reader = ex.submit((r: RingBuffer<"uint8">) => [...r.readSync(10, { timeout: 10_000 })], ring);
    await new Promise((r) => setTimeout(r, 30));
    ring.tryWrite([7, 8, 9]);
    expect(await reader).toEqual([7, 8, 9]);
  });
});

describe("Pipe", () => {
  it("both ends send and receive; a connection works in a worker; close() gives EOF", async () => {
    const ex = pool(1);
    const [here, there] = Pipe<number>();
    const echo = ex.submit(async (c: typeof there) => {
      let n = 0;
      for await (const m of c) {
        c.send(m * 2);
        n++;
      }
      return n;
    }, there);
    here.send(21);
    expect(await here.recv({ timeout: 5000 })).toBe(42);
    expect(await here.poll()).toBe(false);
    here.send(1);
    expect(await here.poll({ timeout: 5000 })).toBe(true);
    expect(await here.recv()).toBe(2);
    here.close();
    expect(await echo).toBe(2);
    expect(() => there.send(1)).toThrow(/moved to that worker/);
  });

  it("recv after the other end closed and nothing is left throws EOFError; a timeout throws TimeoutError", async () => {
    const [a, b] = Pipe<string>();
    await expect(a.recv({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
    b.send("last");
    b.close();
    expect(await a.recv()).toBe("last");
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
  });

  it("a one-way pipe: the first end only receives, the second only sends", async () => {
    const [reader, writer] = Pipe({ duplex: false });
    expect(() => reader.send(1)).toThrow(/read-only/);
    await expect(writer.recv()).rejects.toThrow(/write-only/);
    writer.send("x");
    expect(await reader.recv()).toBe("x");
  });
});

describe("passing shared objects", () => {
  it("a task may return one: the caller gets it around the same memory", async () => {
    const ex = pool(1);
    const ev = new Event();
    const back = (await ex.submit((e: Event) => e, ev)) as Event;
    expect(back).toBeInstanceOf(Event);
    expect(back).not.toBe(ev);
    back.set();
    expect(ev.isSet()).toBe(true);
  });

  it("a SharedArray is the same memory on both sides", async () => {
    const ex = pool(1);
    const arr = new SharedArray("float64", [1, 2, 3]);
    await ex.submit((a: SharedArray<"float64">) => {
      a.values[1] = 20;
    }, arr);
    expect([...arr.values]).toEqual([1, 20, 3]);
  });

  it("inside plain objects and arrays they work too, and the caller's objects are left as they were", async () => {
    const ex = pool(1);
    const ready = new Event();
    const counts = new SharedArray("int32", 2);
    const job = { name: "job", parts: [{ done: ready }, 7], deep: { counts }, again: ready };
    const seen = await ex.submit((j: typeof job) => {
      (j.parts[0] as { done: Event }).done.set();
      Atomics.add(j.deep.counts.values, 1, 5);
      return [j.name, j.parts[1], typeof (j.parts[0] as { done: Event }).done.waitSync, j.again === (j.parts[0] as { done: Event }).done];
    }, job);
    expect(seen).toEqual(["job", 7, "function", true]);
    expect(ready.isSet()).toBe(true);
    expect([...counts.values]).toEqual([0, 5]);
    expect(job.parts[0]).toEqual({ done: ready });
    expect(job.deep.counts).toBe(counts);
  });

  it("a task may return them inside plain objects and arrays: the caller gets them around the same memory", async () => {
    const ex = pool(1);
    const ev = new Event();
    const back = (await ex.submit((e: Event) => ({ ev: e, list: [e, 1], plain: { n: 2 } }), ev)) as { ev: Event; list: [Event, number]; plain: { n: number } };
    expect(back.ev).toBeInstanceOf(Event);
    expect(back.list[0]).toBe(back.ev);
    expect(back.plain).toEqual({ n: 2 });
    back.ev.set();
    expect(ev.isSet()).toBe(true);
  });

  it("shared objects a tasks module makes with its own import of the package come back nested too", async () => {
    const ex = make("thread", { maxWorkers: 1, tasks: new URL("./fixtures/shared-tasks.mjs", import.meta.url) });
    const r = (await ex.submit("makeShared")) as { made: { ready: Event }; arrays: [SharedArray<"int32">, string] };
    expect(r.made.ready).toBeInstanceOf(Event);
    expect(r.arrays[0]).toBeInstanceOf(SharedArray);
    expect(r.arrays[1]).toBe("label");
    expect([...r.arrays[0].values]).toEqual([7, 0]);
    // The same memory: a task writing through it is seen here.
    expect(await ex.submit("setSecond", r.arrays[0], 42)).toBe(7);
    expect([...r.arrays[0].values]).toEqual([7, 42]);
  });

  it("map results may hold them (whole or nested), beside items that failed", async () => {
    const ex = pool(1);
    const ev = new Event();
    const out: unknown[] = [];
    const it = ex.map(
      (x: { i: number; ev: Event }) => {
        if (x.i === 2) throw new RangeError("item 2");
        return x.i === 0 ? x.ev : { i: x.i, ev: x.ev };
      },
      [0, 1, 2, 3].map((i) => ({ i, ev })),
      { chunksize: 4 },
    );
    for (;;) {
      try {
        const r = await it.next();
        if (r.done) break;
        out.push(r.value);
      } catch (error) {
        out.push(error);
      }
    }
    expect(out[0]).toBeInstanceOf(Event);
    expect((out[1] as { ev: Event }).ev).toBe(out[0]);
    expect(out[2]).toBeInstanceOf(RangeError);
    expect((out[3] as { i: number; ev: Event }).i).toBe(3);
    (out[3] as { ev: Event }).ev.set();
    expect(ev.isSet()).toBe(true);
  });

  it("map items may hold them", async () => {
    const ex = pool(2);
    const counts = new SharedArray("int32", 4);
    const items = [0, 1, 2, 3].map((i) => ({ i, counts }));
    const out: number[] = [];
    for await (const r of ex.map((item: { i: number; counts: SharedArray<"int32"> }) => Atomics.add(item.counts.values, item.i, item.i + 1) + item.i, items)) out.push(r);
    expect(out).toEqual([0, 1, 2, 3]);
    expect([...counts.values]).toEqual([1, 2, 3, 4]);
  });

  it("a cyclic or very large argument beside them costs a bounded walk", async () => {
    const ex = pool(1);
    const ev = new Event();
    const cyclic: Record<string, unknown> = { ev };
    cyclic.self = cyclic;
    cyclic.big = Array.from({ length: 200_000 }, (_, i) => i);
    const r = await ex.submit((c: { ev: Event; self: unknown; big: number[] }) => {
      c.ev.set();
      return [c.self === c, c.big.length];
    }, cyclic);
    expect(r).toEqual([true, 200_000]);
    expect(ev.isSet()).toBe(true);
  });

  it("in initArgs they reach the initializer of every worker, working", async () => {
    const started = new Semaphore(0);
    const ex = track(new ThreadPoolExecutor({ minWorkers: 2, maxWorkers: 2, initializer: (s: Semaphore) => s.release(), initArgs: [started] }));
    expect(await started.acquire({ timeout: 10_000 })).toBe(true);
    expect(await started.acquire({ timeout: 10_000 })).toBe(true);
    expect(ex.stats().workers.live).toBe(2);
  });

  it("a process pool refuses the threads-only ones in initArgs at once, with UnsupportedError naming the option", () => {
    expect(() => new ProcessPoolExecutor({ initializer: (x: unknown) => x, initArgs: [{ nested: [new SharedArray("int32", 2)] }] })).toThrow(
      /^process executor: initArgs: a SharedArray \(memory shared between threads only\) cannot be passed to a ProcessPoolExecutor/,
    );
    try {
      new ProcessPoolExecutor({ initializer: (x: unknown) => x, initArgs: [new RingBuffer(4)] });
      expect.fail("a RingBuffer in initArgs must be refused");
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedError);
    }
  });

  it("a process pool refuses the threads-only ones (and raw shared memory) with UnsupportedError; the others cross", async () => {
    const ex = track(new ProcessPoolExecutor({ maxWorkers: 1 }));
    for (const shared of [new RingBuffer(4), { nested: [new SharedArray("int32", 2)] }, new SharedArrayBuffer(8), new Int32Array(new SharedArrayBuffer(8))]) {
      const r = await settle(ex.submit((x: unknown) => x, shared));
      expect(r.ok || r.error).toBeInstanceOf(UnsupportedError);
    }
    const lock = new Lock();
    expect(await ex.submit((l: Lock) => l.locked(), lock)).toBe(false);
  });
});

describe("without Atomics.waitAsync", () => {
  it("the async forms still work (polling)", async () => {
    const r = await runProgram("no-waitasync.mjs");
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ waitAsync: "undefined", sawStart: true, acquired: true, item: "from the worker" });
  });
});
