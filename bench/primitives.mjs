// Scenarios of the shared-memory primitives: a RingBuffer against postMessage for small messages
// between two threads, Queue throughput between two threads, and an uncontended Lock.
import { Worker } from "node:worker_threads";

const now = () => performance.now();
const closed = { close() {} };

// The worker side of the postMessage baseline: posts n numbers, one message each.
const POST_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
for (let i = 0; i < workerData.n; i++) parentPort.postMessage(i);
`;

/** Messages per second from a worker thread to this one: one number per message. */
export async function ringRate(pool, n) {
  if (pool === "raw") {
    const t0 = now();
    let got = 0;
    let sum = 0;
    await new Promise((resolve, reject) => {
      const w = new Worker(POST_WORKER, { eval: true, workerData: { n } });
      w.on("message", (v) => {
        sum += v;
        if (++got === n) resolve();
      });
      w.on("error", reject);
    });
    const ms = now() - t0;
    if (sum !== (n * (n - 1)) / 2) throw new Error("wrong result: postMessage sum");
    return { pool: closed, value: (n / ms) * 1000, detail: { n, ms } };
  }
  const { ThreadPoolExecutor, RingBuffer } = await import("isofutures");
  const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
  await ex.submit(() => 0); // the worker is up
  const ring = new RingBuffer(1 << 14, { type: "float64" });
  const t0 = now();
  // One value per call, as one message per postMessage: writes wait only when the ring is full.
  const producer = ex.submit((r, count) => {
    for (let i = 0; i < count; i++) if (!r.tryPush(i)) r.writeSync([i]);
  }, ring, n);
  await null; // let the submission go out before this thread blocks in readSync
  let got = 0;
  let sum = 0;
  while (got < n) {
    const values = ring.readSync(1 << 14, { timeout: 30_000 });
    for (let k = 0; k < values.length; k++) sum += values[k];
    got += values.length;
  }
  const ms = now() - t0;
  await producer;
  await ex.shutdown();
  if (sum !== (n * (n - 1)) / 2) throw new Error("wrong result: ring sum");
  return { pool: closed, value: (n / ms) * 1000, detail: { n, ms } };
}

/** Items per second through a Queue from a worker thread to this one. */
export async function queueRate(n) {
  const { ThreadPoolExecutor, Queue } = await import("isofutures");
  const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
  await ex.submit(() => 0);
  const q = new Queue({ maxsize: 10_000 });
  const t0 = now();
  const producer = ex.submit((qq, count) => {
    for (let i = 0; i < count; i++) qq.putSync({ i, tag: "item" });
  }, q, n);
  await null; // let the submission go out before this thread blocks in getSync
  let sum = 0;
  for (let i = 0; i < n; i++) sum += q.getSync({ timeout: 30_000 }).i;
  const ms = now() - t0;
  await producer;
  await ex.shutdown();
  if (sum !== (n * (n - 1)) / 2) throw new Error("wrong result: queue sum");
  return { pool: closed, value: (n / ms) * 1000, detail: { n, ms } };
}

/** Nanoseconds per uncontended acquireSync + release. */
export async function lockCost(n) {
  const { Lock } = await import("isofutures");
  const lock = new Lock();
  for (let i = 0; i < 100_000; i++) {
    lock.acquireSync();
    lock.release();
  }
  const t0 = now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  const ms = now() - t0;
  return { pool: closed, value: (ms * 1e6) / n, detail: { n, ms } };
}
