// One measurement of the multiprocessing benchmark, in a fresh process: prints one JSON number.
//   node bench/mp-measure.mjs <scenario> [--quick]
import { Event, Lock, Manager, ProcessPoolExecutor, Queue } from "isofutures";

const TASKS = new URL("./mp-tasks.mjs", import.meta.url);
const quick = process.argv.includes("--quick");
const scale = quick ? 10 : 1;
const now = () => performance.now();

const scenarios = {
  // items/s: a child puts, the main program gets
  async queueChildToParent() {
    const n = 200_000 / scale;
    const ex = track(new ProcessPoolExecutor({ tasks: TASKS, maxWorkers: 1 }));
    const q = new Queue({ capacity: 8 << 20 });
    await ex.submit("produce", q, 1000);
    for (let i = 0; i < 1000; i++) await q.get();
    const t0 = now();
    const done = ex.submit("produce", q, n);
    for (let i = 0; i < n; i++) await q.get();
    const rate = n / (now() - t0) * 1000;
    await done;
    return rate;
  },
  // items/s: one child puts, another gets
  async queueChildToChild() {
    const n = 100_000 / scale;
    const ex = track(new ProcessPoolExecutor({ tasks: TASKS, maxWorkers: 2 }));
    const q = new Queue({ capacity: 8 << 20 });
    await Promise.all([ex.submit("consume", q, 1000), ex.submit("produce", q, 1000)]);
    const t0 = now();
    await Promise.all([ex.submit("consume", q, n), ex.submit("produce", q, n)]);
    return n / (now() - t0) * 1000;
  },
  // sets/s on a Manager dict, from the main program (each awaited)
  async managerDictSet() {
    const n = 100_000 / scale;
    const manager = track(new Manager());
    const d = manager.dict();
    for (let i = 0; i < 2000; i++) await d.set(i, i);
    const t0 = now();
    for (let i = 0; i < n; i++) await d.set(i, i);
    // A set returns before the broker has it (the order is kept): a read after the last one is
    // answered only once every set is in, so the time counts sets done, as Python's does.
    if ((await d.size()) < n) throw new Error("sets missing");
    return n / (now() - t0) * 1000;
  },
  // acquire+release pairs/s, the main program and a child contending for one Lock
  async lockBetweenProcesses() {
    const n = 20_000 / scale;
    const ex = track(new ProcessPoolExecutor({ tasks: TASKS, maxWorkers: 1 }));
    const [lock, ready, go] = [new Lock(), new Event(), new Event()];
    const child = ex.submit("locker", lock, n, ready, go);
    await ready.wait();
    const t0 = now();
    go.set();
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      lock.release();
    }
    await child;
    return (2 * n) / (now() - t0) * 1000;
  },
};

/** Disposed of once the measurement is done (Node 20 cannot parse `await using`). */
const owned = [];
function track(x) {
  owned.push(x);
  return x;
}

const name = process.argv[2];
const run = scenarios[name];
if (!run) {
  console.error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const value = await run();
for (const x of owned) await x[Symbol.asyncDispose]();
console.log(JSON.stringify(value));
