// Shared objects used from child processes: the same objects, with the same methods and semantics,
// while threads and the main program use them too (DESIGN.md, "Objects that cross process
// boundaries"). Real child processes, a real broker thread, real sockets.
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  InvalidStateError,
  JoinableQueue,
  Lock,
  Manager,
  Pipe,
  Process,
  ProcessPoolExecutor,
  Queue,
  RLock,
  RingBuffer,
  Semaphore,
  SharedArray,
  ThreadPoolExecutor,
  TimeoutError,
  UnsupportedError,
} from "isofutures";
import { settle, track } from "./helpers/executors.js";
import { StrayCheck, until } from "./helpers/strays.js";

const TASKS = new URL("./fixtures/cross-tasks.mjs", import.meta.url);
const processes = (maxWorkers = 2, options: object = {}) => track(new ProcessPoolExecutor({ tasks: TASKS, maxWorkers, ...options }));
const threads = (maxWorkers = 1) => track(new ThreadPoolExecutor({ tasks: TASKS, maxWorkers }));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe("Queue across processes", () => {
  it("a child puts, the main program gets; the main program puts, a child gets — in order", async () => {
    const ex = processes(1);
    const q = new Queue<number>();
    expect(await ex.submit("put", q, range(100))).toBe(100);
    // A put that did not wait is in the queue before the task's result arrives.
    expect(q.qsize()).toBe(100);
    const got: number[] = [];
    for (let i = 0; i < 100; i++) got.push(await q.get({ timeout: 0 }));
    expect(got).toEqual(range(100));
    for (const i of range(50)) await q.put(i * 2);
    expect(await ex.submit("get", q, 50)).toEqual(range(50).map((i) => i * 2));
  });

  it("child to child, and the sync forms (putSync / getSync) in children", async () => {
    const ex = processes(2);
    const q = new Queue<{ i: number }>();
    const consumer = ex.submit("getSync", q, 500);
    const items = range(500).map((i) => ({ i }));
    expect(await ex.submit("putSync", q, items)).toBe(500);
    expect(await consumer).toEqual(items);
  });

  it("a child's get waits for an item a thread puts; timeouts throw TimeoutError; qsize/empty/full", async () => {
    const ex = processes(1);
    const q = new Queue<string>({ maxsize: 2 });
    const waiting = ex.submit("get", q, 1);
    await threads().submit("put", q, ["from a thread"]);
    expect(await waiting).toEqual(["from a thread"]);
    expect(await ex.submit("getOrError", q, 50)).toMatchObject({ error: "TimeoutError", message: expect.stringMatching(/empty/) });
    await q.put("a");
    await q.put("b");
    expect(await ex.submit("state", q)).toEqual({ qsize: 2, empty: false, full: true });
  });

  it("close(): a child's put that did not wait is refused, and says so at its next call; get drains what is left", async () => {
    const ex = processes(1);
    const q = new Queue<number>();
    await q.put(1);
    await q.put(2);
    q.close();
    const [put, next] = await ex.submit("putOrError", q, 3);
    expect(put).toBe("ok"); // it did not wait (as Python's feeder thread does not)
    expect(next).toMatch(/^InvalidStateError: .*put without waiting was refused.*closed queue/);
    expect(await ex.submit("drain", q)).toEqual([1, 2]);
    const bounded = new Queue<number>({ maxsize: 5 });
    bounded.close();
    const [waited] = await ex.submit("putOrError", bounded, 3);
    expect(waited).toMatch(/^InvalidStateError: .*closed queue/); // with maxsize, a put waits: refused at once
  });

  it("a child taking items back to back takes them ahead; what it did not hand out comes back to the front when its task ends", async () => {
    const ex = processes(1);
    const q = new Queue<number>();
    for (const i of range(1000)) await q.put(i);
    expect(await ex.submit("get", q, 100)).toEqual(range(100));
    // Nothing is lost or reordered: the next item in line is the 101st.
    expect(q.qsize()).toBe(900);
    expect(await q.get({ timeout: 0 })).toBe(100);
    expect(await ex.submit("get", q, 899)).toEqual(range(899, 101));
  });

  it("a result held back behind a child's puts, and that cannot be sent, still fails its own future (no hang)", async () => {
    const ex = processes(1);
    const q = new Queue<number>();
    const r = await settle(ex.submit("putThenReturnFunction", q));
    expect(r.ok).toBe(false);
    expect(String(r.ok || r.error.message)).toMatch(/could not be sent back/);
    expect(await q.get({ timeout: 0 })).toBe(1);
    expect(await ex.submit("put", q, [2])).toBe(1);
  });

  it("JoinableQueue: children mark items done, the main program's join() returns when all are", async () => {
    const ex = processes(2);
    const q = new JoinableQueue<number>();
    for (const i of range(20)) await q.put(i);
    expect(await q.join({ timeout: 0 })).toBe(false);
    const workers = [ex.submit("work", q, 10), ex.submit("work", q, 10)];
    expect(await q.join({ timeout: 10_000 })).toBe(true);
    expect(await Promise.all(workers)).toEqual([10, 10]);
  });

  it("a queue inside plain objects and arrays, in initArgs, and in map items", async () => {
    const q = new Queue<number>();
    const ex = processes(1, { initializer: "put", initArgs: [q, [7]] });
    expect(await ex.submit("put", { nested: [q] }.nested[0] as Queue<number>, [1])).toBe(1);
    const results = [];
    for await (const r of ex.starmap("put", [[q, [2]], [q, [3]]])) results.push(r);
    expect(results).toEqual([1, 1]);
    const got = new Set<number>();
    for (let i = 0; i < 4; i++) got.add(await q.get({ timeout: 5000 }));
    expect(got).toEqual(new Set([7, 1, 2, 3]));
  });
});

describe("locks across processes", () => {
  it("a Lock held by a child excludes the main program until the child releases it", async () => {
    const ex = processes(1);
    const lock = new Lock();
    const holder = ex.submit("hold", lock, 300);
    await until(() => lock.locked(), "the child to take the lock");
    expect(await lock.acquire({ timeout: 50 })).toBe(false);
    expect(await lock.acquire({ timeout: 10_000 })).toBe(true);
    const { released } = await holder;
    expect(Date.now()).toBeGreaterThanOrEqual(released);
    lock.release();
  });

  it("mutual exclusion: 3 processes and a thread increment one counter 100 times each; none is lost", async () => {
    const ex = processes(3);
    const lock = new Lock();
    await using manager = new Manager();
    const counts = manager.dict<number>();
    const runs = [...range(3).map(() => ex.submit("increment", lock, counts, 100)), threads().submit("increment", lock, counts, 100)];
    expect(await Promise.all(runs)).toEqual([100, 100, 100, 100]);
    expect(await counts.get("n")).toBe(400);
  });

  it("a child that dies holding a Lock frees it: the next acquire with a timeout gets it", async () => {
    const ex = processes(1, { stdio: "ignore" });
    const lock = new Lock();
    const r = await settle(ex.submit("dieHolding", lock));
    expect(r.ok).toBe(false);
    expect(await lock.acquire({ timeout: 5000 })).toBe(true);
    lock.release();
  });

  it("a child's acquireSync; RLock reentrancy is per process; releasing an unheld RLock is InvalidStateError", async () => {
    const ex = processes(1);
    const lock = new Lock();
    expect(await ex.submit("acquireSync", lock, 100)).toBe(true);
    await lock.acquire();
    expect(await ex.submit("acquireSync", lock, 50)).toBe(false);
    lock.release();
    const rlock = new RLock();
    expect(await ex.submit("reenter", rlock)).toEqual({ a: true, b: true, stillHeld: true, after: false });
    expect(await ex.submit("releaseUnheld", rlock)).toBe("InvalidStateError");
    await rlock.acquire(); // held by the main program: a child's acquire waits
    expect(await ex.submit("tryAcquire", rlock, 50)).toBe(false);
    rlock.release();
  });

  it("Semaphore and BoundedSemaphore: units taken by children; over-release is InvalidStateError", async () => {
    const ex = processes(1);
    const sem = new Semaphore(1);
    expect(await ex.submit("semaphore", sem, "acquire", 100)).toBe(true);
    expect(await ex.submit("semaphore", sem, "acquire", 50)).toBe(false);
    expect(await ex.submit("semaphore", sem, "release", 2)).toBe(2);
    const bounded = new BoundedSemaphore(1);
    expect(await ex.submit("semaphore", bounded, "release", 1)).toBe("InvalidStateError");
    expect(bounded.value).toBe(1);
  });
});

describe("events, conditions, barriers across processes", () => {
  it("Event: a child waits (async and sync) for the main program to set it; a child sets it", async () => {
    const ex = processes(2);
    const ev = new Event();
    const waiting = [ex.submit("waitEvent", ev, 10_000), ex.submit("waitEventSync", ev, 10_000)];
    await until(() => ex.stats().tasks.running === 2, "both children to wait");
    ev.set();
    expect(await Promise.all(waiting)).toEqual([true, true]);
    const other = new Event();
    expect(await ex.submit("setEvent", other)).toBe(true);
    expect(other.isSet()).toBe(true);
  });

  it("Condition: a child waits, the main program notifies; notify without the lock is InvalidStateError", async () => {
    const ex = processes(1);
    const cond = new Condition(new Lock());
    const waiter = ex.submit("condWait", cond, 10_000);
    // Notify until the child is waiting (a notify before it waits wakes nobody).
    const deadline = Date.now() + 10_000;
    let done = false;
    void waiter.then(() => (done = true));
    while (!done && Date.now() < deadline) {
      await cond.lock.acquire();
      cond.notify();
      cond.lock.release();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await waiter).toBe(true);
    expect(await ex.submit("condWait", cond, 50)).toBe(false);
    expect(await ex.submit("condNotifyWithoutLock", cond)).toBe("InvalidStateError");
  });

  it("Barrier: two children and the main program pass together; a timeout breaks it for all", async () => {
    const ex = processes(2);
    const b = new Barrier(3);
    const parties = [ex.submit("barrier", b, 10_000), ex.submit("barrier", b, 10_000), b.wait({ timeout: 10_000 })];
    expect(new Set(await Promise.all(parties))).toEqual(new Set([0, 1, 2]));
    const lonely = new Barrier(2);
    expect(await ex.submit("barrier", lonely, 50)).toBe("BrokenBarrierError");
    expect(lonely.broken).toBe(true);
  });
});

describe("Pipe across processes", () => {
  it("a child echoes what the main program sends; closing ends the child's loop; recv times out", async () => {
    const ex = processes(1);
    const [mine, theirs] = Pipe<number>();
    const echo = ex.submit("echo", theirs);
    for (const i of range(10)) mine.send(i);
    const back: number[] = [];
    for (let i = 0; i < 10; i++) back.push(await mine.recv({ timeout: 10_000 }));
    expect(back).toEqual(range(10).map((i) => i * 2));
    mine.close();
    expect(await echo).toBe(10);
    const [, quiet] = Pipe();
    expect(await ex.submit("recvTimeout", quiet, 50)).toBe("TimeoutError");
  });
});

describe("what stays threads-only", () => {
  it("SharedArray and RingBuffer are refused with UnsupportedError naming Queue and Manager", async () => {
    const ex = processes(1);
    for (const shared of [new SharedArray("int32", 4), new RingBuffer(8)]) {
      const r = await settle(ex.submit("identity", { shared }));
      expect(r.ok || r.error).toBeInstanceOf(UnsupportedError);
      expect(String(r.ok || r.error.message)).toMatch(/memory shared between threads only.*Queue, a Manager's dict or list/);
    }
  });
});

describe("Manager across threads and processes", () => {
  it("dict and list proxies work from the main program, a thread and a child, async and sync", async () => {
    await using manager = new Manager();
    const d = manager.dict<unknown>({ start: 0 });
    const l = manager.list<string>(["first"]);
    const fromChild = await processes(1).submit("useManager", d, l, "child");
    const fromThread = await threads().submit("useManager", d, l, "thread");
    expect(fromChild).toMatchObject({ got: { from: expect.any(Number) }, has: true });
    expect(fromThread).toMatchObject({ got: { from: process.pid }, has: true });
    expect(new Set(await d.keys())).toEqual(new Set(["start", "child", "child-sync", "thread", "thread-sync"]));
    expect((await l.slice()).sort()).toEqual(["child", "first", "thread"]);
    expect(await l.get(-1)).toMatch(/child|thread/);
    await expect(l.get(10)).rejects.toThrow(RangeError);
    expect(await d.delete("start")).toBe(true);
    expect(await d.has("start")).toBe(false);
    await d.update({ a: 1, b: 2 });
    expect(await d.size()).toBe(6);
    await expect(d.set({} as never, 1)).rejects.toThrow(/a key must be a string, number/);
  });

  it("after shutdown(), calls fail with ShutdownError, in this thread and elsewhere", async () => {
    const manager = new Manager();
    const d = manager.dict();
    await d.set("a", 1);
    const ex = processes(1);
    await manager.shutdown();
    await expect(d.get("a")).rejects.toMatchObject({ name: "ShutdownError" });
    const r = await settle(ex.submit("useManager", d, manager.list === undefined ? d : d, "late"));
    expect(r.ok).toBe(false);
    expect(() => manager.dict()).toThrow(/after the Manager's shutdown/);
  });
});

describe("robustness", () => {
  it("a stranger, or a child sending garbage, loses its own connection; the others go on", async () => {
    const ex = processes(2);
    const q = new Queue<number>();
    const consumer = ex.submit("get", q, 3);
    expect(await ex.submit("hostile", q, "stranger")).toBe("closed");
    expect(await ex.submit("hostile", q, "garbage")).toBe("closed");
    await ex.submit("put", q, [1, 2, 3]);
    expect(await consumer).toEqual([1, 2, 3]);
  });

  it("a consumer killed after recording its items (items it took ahead still unreported): none comes back to be handed out twice", async () => {
    const ex = processes(2, { stdio: "ignore" });
    await using manager = new Manager();
    const seen = manager.list<number>();
    const q = new Queue<number>();
    for (const i of range(100)) await q.put(i);
    // It takes 10 items back to back (so in growing batches), appends each to a Manager list, then
    // blocks its event loop: hand-outs not reported by then would be given back with the loan.
    const victim = ex.submit("consumeThenHang", q, seen, 10);
    const deadline = Date.now() + 10_000;
    while ((await seen.length()) < 11) {
      if (Date.now() > deadline) throw new Error("the victim did not record its 10 items");
      await new Promise((r) => setTimeout(r, 10));
    }
    process.kill(-((await seen.get(0)) as number), "SIGKILL");
    expect((await settle(victim)).ok).toBe(false);
    const consumed = (await seen.slice(1)) as number[];
    expect(consumed).toEqual(range(10));
    await until(() => q.qsize() === 90, "what the victim took ahead to come back");
    const rest = await ex.submit("get", q, 90, 5000);
    expect(rest).toEqual(range(90, 10));
  });

  it("a consumer killed mid-stream loses at most its own item; the queue stays consistent for the rest", async () => {
    const ex = processes(2, { stdio: "ignore" });
    await using manager = new Manager();
    const seen = manager.list<number>();
    const q = new Queue<number>();
    const victim = ex.submit("consumeForever", q, seen);
    for (const i of range(300)) await q.put(i);
    await until(() => q.qsize() < 250, "the victim to consume");
    const pid = -((await seen.get(0)) as number);
    process.kill(pid, "SIGKILL");
    expect((await settle(victim)).ok).toBe(false);
    const consumed = (await seen.slice(1)) as number[];
    // What the victim had taken ahead and not handed out goes back to the queue when the broker
    // sees its connection close (which may come a moment after the pool sees it die).
    await until(() => q.qsize() + consumed.length >= 299, "the victim's items to come back");
    const rest = await ex.submit("get", q, q.qsize(), 5000);
    const all = [...consumed, ...rest];
    expect(new Set(all).size).toBe(all.length); // no item twice
    // Every item reached someone, but at most the one the victim was taking when it died.
    expect(300 - all.length).toBeLessThanOrEqual(1);
    await q.put(1000);
    expect(await q.get({ timeout: 1000 })).toBe(1000);
  });
});

describe("a Process's args", () => {
  it("a Process of each kind uses the queue, lock and Manager dict it was given, with the main program", async () => {
    await using manager = new Manager();
    const counts = manager.dict<number>();
    const lock = new Lock();
    const q = new Queue<number>();
    const workers = (["process", "thread"] as const).map((kind) => new Process({ target: "increment", args: [lock, counts, 50], kind, tasks: TASKS }));
    const producer = new Process({ target: "put", args: [q, range(20)], tasks: TASKS });
    for (const p of [...workers, producer]) p.start();
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(await q.get({ timeout: 10_000 }));
    for (const p of [...workers, producer]) expect(await p.join({ timeout: 20_000 })).toBe(true);
    expect(got).toEqual(range(20));
    expect(await counts.get("n")).toBe(100);
    expect([...workers, producer].map((p) => p.exitCode)).toEqual([0, 0, 0]);
  });
});

describe("load", () => {
  it("storm: 4 producer processes, 4 consumer processes and a thread, 10,000 items each producer: every item exactly once", async () => {
    const ex = processes(8);
    const q = new Queue<number>({ capacity: 4 << 20 });
    const STOP = -1;
    const consumers = [...range(4).map(() => ex.submit("consumeUntil", q, STOP)), threads().submit("consumeUntil", q, STOP)];
    const producers = range(4).map((p) => ex.submit("produceRange", q, p * 10_000, 10_000));
    expect(await Promise.all(producers)).toEqual([10_000, 10_000, 10_000, 10_000]);
    for (let i = 0; i < consumers.length; i++) await q.put(STOP);
    const got = (await Promise.all(consumers)).flat();
    expect(got.length).toBe(40_000);
    expect(new Set(got).size).toBe(40_000);
    expect(Math.min(...got)).toBe(0);
    expect(Math.max(...got)).toBe(39_999);
  }, 120_000);

  it("two children keep talking through queues while the main program's thread is busy in synchronous code", async () => {
    const ex = processes(2);
    const [from, to] = [new Queue<number>(), new Queue<number>()];
    const relay = ex.submit("timedRelay", from, to, 500);
    const producer = ex.submit("produceRange", from, 0, 500);
    await until(() => ex.stats().tasks.running === 2, "both tasks to start");
    const busyUntil = Date.now() + 3000;
    while (Date.now() < busyUntil) {
      // the main thread computes: no event loop, no broker here
    }
    const { ended } = await relay;
    await producer;
    expect(ended).toBeLessThan(busyUntil);
    expect(to.qsize()).toBe(500);
  }, 60_000);
});

describe("lifetime", () => {
  it("after the pool shuts down, no broker thread, no child and no socket directory is left", async () => {
    const strays = new StrayCheck();
    const ex = new ProcessPoolExecutor({ tasks: TASKS, maxWorkers: 1 });
    const q = new Queue<number>();
    await ex.submit("put", q, [1]); // a child has reached the broker: its socket is there
    const address = await ex.submit("brokerAddress", q);
    expect(statSync(dirname(address)).mode & 0o777).toBe(0o700); // only this user's processes reach it
    expect(existsSync(address)).toBe(true);
    await ex.shutdown();
    await strays.clean();
    expect(existsSync(dirname(address))).toBe(false);
  });

  it("the socket directory is gone as each pool shuts down, pool after pool (no race with the broker thread's end)", async () => {
    for (let i = 0; i < 40; i++) {
      const ex = new ProcessPoolExecutor({ tasks: TASKS, maxWorkers: 1 });
      const address = await ex.submit("brokerAddress", new Queue<number>());
      await ex.shutdown();
      expect(existsSync(dirname(address)), `pool ${i + 1}`).toBe(false);
    }
  }, 60_000);
});

export { InvalidStateError, TimeoutError };
