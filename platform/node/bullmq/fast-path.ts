/**
 * Where a job's task runs on a worker machine: on the pool (another thread or process), or, for
 * tasks observed to take well under a millisecond, on the worker's own thread. For those the hop
 * to a pool thread and back is most of the cost (plain BullMQ runs its processor inline); a task
 * that turns out long goes back to the pool, where it cannot stall the worker's event loop (lock
 * renewals, other jobs). Tasks with a timeout always run on the pool: only there can they be
 * stopped by force.
 * @internal
 * @module
 */
import type { Executor } from "isofutures";

/** A task runs inline once its mean time per item, measured on the pool, is below this (ms). */
const ENTER_MS = 1;
/** …and goes back to the pool once its mean time inline passes this (ms). */
const LEAVE_MS = 1;
/** A chunk (map) runs inline only if its items together are expected to take less (ms). */
const CHUNK_MS = 2;
/** Samples on the pool before a task may move inline. */
const MIN_SAMPLES = 8;
/** Weight of the newest sample in the moving mean. */
const ALPHA = 0.2;

interface FnStats {
  /** Moving mean of ms per item. */
  mean: number;
  samples: number;
  inline: boolean;
}

export class TaskRouter {
  readonly #stats = new Map<string, FnStats>();
  readonly #pool: Executor;
  readonly #inline: () => Executor;
  readonly #enabled: boolean;

  /** `inline` makes the worker's own executor when first needed. */
  constructor(pool: Executor, inline: () => Executor, enabled: boolean) {
    this.#pool = pool;
    this.#inline = inline;
    this.#enabled = enabled;
  }

  /** The executor for a task of function `key` with `items` items (1 for a call). */
  pick(key: string, items: number, forcePool: boolean): Executor {
    if (!this.#enabled || forcePool) return this.#pool;
    const s = this.#stats.get(key);
    return s?.inline && s.mean * items < CHUNK_MS ? this.#inline() : this.#pool;
  }

  /** A task of `key` took `ms` for `items` items on `via`. */
  record(key: string, via: Executor, ms: number, items: number): void {
    if (!this.#enabled) return;
    const perItem = ms / Math.max(1, items);
    let s = this.#stats.get(key);
    if (s === undefined) this.#stats.set(key, (s = { mean: perItem, samples: 0, inline: false }));
    const inline = via !== this.#pool;
    if (inline !== s.inline) return; // a sample from before the last move
    s.mean = s.samples === 0 ? perItem : s.mean + (perItem - s.mean) * ALPHA;
    s.samples++;
    if (!inline && s.samples >= MIN_SAMPLES && s.mean < ENTER_MS) {
      s.inline = true;
      s.samples = 0;
    } else if (inline && s.mean > LEAVE_MS) {
      s.inline = false;
      s.samples = 0;
    }
  }
}
