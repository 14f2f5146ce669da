// The hand-written baselines: two worker_threads and the least code that can drive them.
//
// `raw`: each task is posted straight to a worker (round-robin); an id→resolver map settles it.
// `raw-batched`: the tasks submitted in one tick are coalesced into one message per worker
// (flushed by queueMicrotask), and the worker replies once per batch.
import { Worker } from "node:worker_threads";

const WORKER = new URL("./workers/raw.mjs", import.meta.url);

export class RawPool {
  #workers;
  #pending = new Map();
  #nextId = 1;
  #rr = 0;
  #batched;
  #batches;
  #transfers;
  #flushScheduled = false;

  constructor({ size = 2, batched = false } = {}) {
    this.#batched = batched;
    this.#workers = [];
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER, { workerData: { batched } });
      w.on("message", batched ? (m) => this.#onBatch(m) : (m) => this.#onReply(m));
      w.on("error", (err) => this.#failAll(err));
      this.#workers.push(w);
    }
    this.#batches = this.#workers.map(() => []);
    this.#transfers = this.#workers.map(() => []);
  }

  submit(name, arg, transferList) {
    const id = this.#nextId++;
    const w = this.#rr;
    this.#rr = (w + 1) % this.#workers.length;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (!this.#batched) {
        this.#workers[w].postMessage([id, name, arg], transferList ?? []);
        return;
      }
      this.#batches[w].push(id, name, arg);
      if (transferList) this.#transfers[w].push(...transferList);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(() => this.#flush());
      }
    });
  }

  #flush() {
    this.#flushScheduled = false;
    for (let i = 0; i < this.#workers.length; i++) {
      const batch = this.#batches[i];
      if (batch.length === 0) continue;
      this.#workers[i].postMessage(batch, this.#transfers[i]);
      this.#batches[i] = [];
      this.#transfers[i] = [];
    }
  }

  #settle(id, ok, value) {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(new Error(value));
  }

  #onReply(m) {
    this.#settle(m[0], m[1], m[2]);
  }

  #onBatch(m) {
    for (let i = 0; i < m.length; i += 3) this.#settle(m[i], m[i + 1], m[i + 2]);
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  async close() {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
