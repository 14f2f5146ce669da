// One thread pool per worker count, each warmed up once and kept: switching between counts reuses
// pools whose workers have started and whose tile code V8 has optimised, so render times compare
// 1 worker with N at full speed, not N fresh workers with one warm one.
import type { ThreadPoolExecutor } from "isofutures";
import { homeView } from "./fractal-math.js";
import { makeExecutor } from "./site.js";
import type { Tasks } from "./tasks.worker.js";

export type Pool = ThreadPoolExecutor<Tasks>;

/** Warm-up tiles per worker: enough calls for V8 to optimise the tile code (a fresh worker runs it several times slower). */
const WARM_TILES_PER_WORKER = 4;

export class WarmPools {
  /** By worker count, the most recently used last. */
  readonly #pools = new Map<number, Promise<Pool>>();
  /** At most this many workers in all the pools kept; the least recently used pools go first. */
  readonly #maxWorkers: number;

  constructor(maxWorkers: number) {
    this.#maxWorkers = maxWorkers;
  }

  /** Is there a pool (started, or starting) for `n` workers? */
  has(n: number): boolean {
    return this.#pools.has(n);
  }

  /** The pool of `n` workers, each of them started and warmed up. */
  get(n: number): Promise<Pool> {
    let pool = this.#pools.get(n);
    if (pool) {
      this.#pools.delete(n); // used now: it moves to the end
    } else {
      pool = warmPool(n);
      pool.catch(() => this.#pools.get(n) === pool && this.#pools.delete(n)); // a failed start is not kept
    }
    this.#pools.set(n, pool);
    this.#trim();
    return pool;
  }

  /** Ends every pool (when the page goes away). */
  shutdown(): void {
    for (const pool of this.#pools.values()) void pool.then((p) => p.shutdown({ cancelFutures: true }), () => {});
    this.#pools.clear();
  }

  #trim(): void {
    let total = [...this.#pools.keys()].reduce((a, b) => a + b, 0);
    for (const [n, pool] of this.#pools) {
      if (total <= this.#maxWorkers || this.#pools.size === 1) break;
      this.#pools.delete(n);
      total -= n;
      void pool.then((p) => p.shutdown({ cancelFutures: true }), () => {});
    }
  }
}

/** A pool of `n` workers, started, each having rendered a few tiles. */
async function warmPool(n: number): Promise<Pool> {
  const pool = makeExecutor(n, { keep: true });
  // The centre of the default view is inside the set: every pixel runs all its iterations.
  const view = homeView("mandelbrot", 960, 600, 800);
  const tile = { x: 448, y: 268, w: 64, h: 64 };
  const jobs = Array.from({ length: n * WARM_TILES_PER_WORKER }, () => ({ view, tile }));
  try {
    for await (const _ of pool.mapUnordered("tile", jobs, { chunksize: 1 })) {
      // only the work matters
    }
  } catch (error) {
    void pool.terminate();
    throw error;
  }
  return pool;
}
