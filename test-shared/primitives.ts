// The shared-memory primitives and Pipe between threads, as scenarios of the same shape as
// scenarios.ts, for the runtimes that vitest does not run on (scripts/runtime-scenarios.ts: Bun,
// Deno). Threads only: shared memory does not cross processes.
import type * as Api from "isofutures";
import { equal, same } from "./check.js";
import type { Scenario } from "./scenarios.js";

type Iso = typeof Api;

export const primitiveScenarios: Scenario[] = [
  {
    name: "a Lock keeps a counter exact across two threads",
    kinds: ["thread"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 2 });
      const lock = new api.Lock();
      const counter = new api.SharedArray("int32", 1);
      const add = (l: InstanceType<Iso["Lock"]>, c: InstanceType<Iso["SharedArray"]>, n: number) => {
        for (let i = 0; i < n; i++) {
          l.acquireSync();
          c.values[0] = (c.values[0] as number) + 1; // not atomic on its own: the lock makes it so
          l.release();
        }
      };
      await Promise.all([ex.submit(add, lock, counter, 100_000), ex.submit(add, lock, counter, 100_000)]);
      equal(counter.values[0], 200_000, "counter");
    },
  },
  {
    name: "a Queue carries items from a thread, a RingBuffer values, an Event a signal",
    kinds: ["thread"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 2 });
      const q = new api.Queue<{ i: number; when: Date }>();
      const ring = new api.RingBuffer(64, { type: "int32" });
      const ev = new api.Event();
      const producer = ex.submit((qq: InstanceType<Iso["Queue"]>, n: number) => {
        for (let i = 0; i < n; i++) qq.putSync({ i, when: new Date(i) });
        qq.close();
      }, q, 1000);
      const writer = ex.submit((r: InstanceType<Iso["RingBuffer"]>, e: InstanceType<Iso["Event"]>) => {
        e.waitSync({ timeout: 10_000 });
        for (let i = 0; i < 1000; i++) r.writeSync([i]);
      }, ring, ev);
      let items = 0;
      for await (const item of q) if (item.when instanceof Date && item.when.getTime() === item.i) items++;
      equal(items, 1000, "queue items, with their Dates");
      ev.set();
      let sum = 0;
      let n = 0;
      while (n < 1000) {
        const values = await ring.read(1000 - n, { timeout: 10_000 });
        for (const v of values) sum += v as number;
        n += values.length;
      }
      equal(sum, 499_500, "sum of the ring's values");
      await Promise.all([producer, writer]);
    },
  },
  {
    name: "a Barrier and a Condition across threads and this one",
    kinds: ["thread"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 2 });
      const barrier = new api.Barrier(3);
      const parties = [1, 2].map(() => ex.submit((b: InstanceType<Iso["Barrier"]>) => b.waitSync({ timeout: 10_000 }), barrier));
      const mine = await barrier.wait({ timeout: 10_000 });
      same([mine, ...(await Promise.all(parties))].sort(), [0, 1, 2], "barrier indices");
      const cond = new api.Condition();
      const holding = new api.Event();
      const waiter = ex.submit((c: InstanceType<Iso["Condition"]>, e: InstanceType<Iso["Event"]>) => {
        c.lock.acquireSync();
        e.set();
        const r = c.waitSync({ timeout: 10_000 });
        c.lock.release();
        return r;
      }, cond, holding);
      await holding.wait();
      await cond.lock.acquire(); // free only once the waiter is inside wait()
      cond.notify();
      cond.lock.release();
      equal(await waiter, true, "notified");
    },
  },
  {
    name: "a Pipe carries values to a thread and back",
    kinds: ["thread"],
    async run({ make, api }) {
      const ex = make({ maxWorkers: 1 });
      const [a, b] = api.Pipe<number>();
      const echo = ex.submit(async (c: InstanceType<Iso["Connection"]>) => {
        for (;;) {
          const v = (await c.recv()) as number;
          if (v < 0) return "done";
          c.send(v + 1);
        }
      }, b);
      const got: number[] = [];
      for (const v of [1, 41, 99]) {
        a.send(v);
        got.push((await a.recv({ timeout: 10_000 })) as number);
      }
      a.send(-1);
      same(got, [2, 42, 100], "echoed");
      equal(await echo, "done");
      a.close();
    },
  },
];
