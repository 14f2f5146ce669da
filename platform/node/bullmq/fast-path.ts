/**
 * Where a job's task runs on a worker machine: on the pool (another thread or process), or, for
 * tasks measured to take well under a millisecond, called right here on the worker's own thread.
 * For those, the hop to a pool thread and back is most of the cost (plain BullMQ runs its
 * processor inline). The rule, per function:
 * - it starts on the pool; once its time there stays under {@link PROBE_BELOW_MS}, one call is
 *   tried here and timed exactly; under {@link INLINE_MS} it stays here, else it goes back to the
 *   pool and the next try waits twice as many calls. The time on the pool is the call's elapsed
 *   time shared among the calls that were in flight on the pool with it (when the pool is
 *   saturated, as with many jobs at once, a call's elapsed time is mostly the wait for the
 *   others): only an estimate, but it decides only whether to try, and a try that fails backs
 *   off;
 * - here, a call whose moving mean passes {@link INLINE_MS} sends the function back to the pool,
 *   where it cannot stall this thread (BullMQ's lock renewals, the other jobs);
 * - tasks with a timeout and streams always run on the pool: only there can they be stopped by
 *   force, and a stream may run long.
 * @internal
 * @module
 */

/** A function is tried here once its mean time per item on the pool is below this (ms). */
const PROBE_BELOW_MS = 10;
/** …and stays here while its mean time per call here is below this (ms). */
const INLINE_MS = 1;
/** A chunk (map) runs here only if its items together are expected to take less (ms). */
const CHUNK_MS = 2;
/** Calls on the pool before the first try here. */
const FIRST_PROBE = 8;
/** Weight of the newest sample in the moving means. */
const ALPHA = 0.2;

// `currentTask()` (isofutures/worker, any copy) finds the running task through this registry:
// the same key as the worker runtime's CURRENT_TASK_KEY.
const CURRENT_TASK_KEY = Symbol.for("isofutures.currentTask");

interface FnStats {
  /** Moving mean of ms per item on the pool, and here. */
  pool: number;
  here: number;
  calls: number;
  /** Pool calls before the next try here. */
  nextProbe: number;
  probeEvery: number;
  inline: boolean;
}

/** The function a job names, resolved for a call here. */
export interface InlineTarget {
  /** Stats key: one per function. */
  key: string;
  /** The module and export to call, or the compiled function (sent as source). */
  module?: string | undefined;
  name?: string | undefined;
  fn?: unknown;
}

export class TaskRouter {
  readonly #stats = new Map<string, FnStats>();
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  readonly #enabled: boolean;
  /** The job whose call runs synchronously here, for `currentTask()`. */
  #current: { signal(): AbortSignal } | undefined;

  constructor(enabled: boolean) {
    const g = globalThis as Record<symbol, unknown>;
    // Another runtime on this thread owns currentTask(): calls here could not answer it.
    this.#enabled = enabled && g[CURRENT_TASK_KEY] === undefined;
    if (this.#enabled) g[CURRENT_TASK_KEY] = { current: () => (this.#current ? { signal: this.#current.signal() } : undefined) };
  }

  /** Whether to run a task of `key` with `items` items here. */
  here(key: string, items: number, forcePool: boolean): boolean {
    if (!this.#enabled || forcePool) return false;
    const s = this.#stats.get(key);
    if (s === undefined) return false;
    if (s.inline) return s.here * items < CHUNK_MS;
    return s.calls >= s.nextProbe && s.pool * items < PROBE_BELOW_MS && items === 1;
  }

  /**
   * A task of `key` took `ms` for `items` items on the pool, which runs `threads` at once and
   * had `inFlight` calls (this one's included) when it was handed over.
   */
  recordPool(key: string, ms: number, items: number, inFlight: number, threads: number): void {
    if (!this.#enabled) return;
    const perItem = (ms * threads) / Math.max(threads, inFlight, items);
    let s = this.#stats.get(key);
    if (s === undefined) this.#stats.set(key, (s = { pool: perItem, here: 0, calls: 0, nextProbe: FIRST_PROBE, probeEvery: FIRST_PROBE, inline: false }));
    s.pool += (perItem - s.pool) * ALPHA;
    s.calls++;
  }

  /** Runs `items` calls here (one for a call), timing each exactly; settles like `Promise.allSettled`. */
  /** `undefined` if the target is not a function: the pool then says what is wrong. */
  async run(target: InlineTarget, calls: unknown[][], stop: { signal(): AbortSignal }): Promise<PromiseSettledResult<unknown>[] | undefined> {
    const fn = target.fn ?? (await this.#export(target.module!, target.name!).catch(() => undefined));
    if (typeof fn !== "function") return undefined;
    let spent = 0;
    let async = false;
    const pending = calls.map((args) => {
      const t0 = performance.now();
      this.#current = stop;
      try {
        const r: unknown = (fn as (...a: unknown[]) => unknown)(...args);
        if (typeof (r as PromiseLike<unknown> | null)?.then === "function") async = true;
        return Promise.resolve(r);
      } catch (error) {
        return Promise.reject(error);
      } finally {
        this.#current = undefined;
        spent += performance.now() - t0;
      }
    });
    const t1 = performance.now();
    const settled = await Promise.allSettled(pending);
    // What an async task does after its first await also runs on this thread: count the wait too
    // (which also counts whatever else ran meanwhile: conservative). A sync one is timed exactly.
    this.#recordHere(target.key, (spent + (async ? performance.now() - t1 : 0)) / calls.length);
    return settled;
  }

  #recordHere(key: string, perItem: number): void {
    const s = this.#stats.get(key);
    if (s === undefined) return;
    s.here = s.inline ? s.here + (perItem - s.here) * ALPHA : perItem;
    s.inline = s.here < INLINE_MS;
    if (!s.inline && s.nextProbe <= s.calls) {
      // Back to the pool (a try that failed, or slower calls here); the next try waits twice as long.
      s.probeEvery = Math.min(s.probeEvery * 2, 4096);
      s.nextProbe = s.calls + s.probeEvery;
    }
  }

  #export(module: string, name: string): Promise<unknown> {
    let ns = this.#modules.get(module);
    if (ns === undefined) this.#modules.set(module, (ns = import(module) as Promise<Record<string, unknown>>));
    return ns.then((m) => m[name]);
  }
}
