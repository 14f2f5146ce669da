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

export type Settled = PromiseSettledResult<unknown>;

export class TaskRouter {
  readonly #stats = new Map<string, FnStats>();
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  /** The exports found so far, by module and name: a known function is called without a wait. */
  readonly #resolved = new Map<string, Map<string, unknown>>();
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

  /**
   * Runs `calls` here (one for a call), timing each exactly; settles like `Promise.allSettled`,
   * synchronously when the function is known and every call returns a plain value (the tiny
   * tasks this path is for: no promise, no microtask per job). `undefined` if the target is not
   * a function: the pool then says what is wrong.
   */
  run(target: InlineTarget, calls: unknown[][], stop: { signal(): AbortSignal }): Settled[] | Promise<Settled[] | undefined> {
    const fn = target.fn ?? this.#resolved.get(target.module!)?.get(target.name!);
    if (fn !== undefined) return this.#call(target.key, fn, calls, stop);
    return this.#export(target.module!, target.name!).then(
      (f) => (typeof f === "function" ? this.#call(target.key, f, calls, stop) : undefined),
      () => undefined,
    );
  }

  #call(key: string, fn: unknown, calls: unknown[][], stop: { signal(): AbortSignal }): Settled[] | Promise<Settled[]> {
    let spent = 0;
    let async = false;
    const out: (Settled | PromiseLike<unknown>)[] = new Array(calls.length);
    for (let i = 0; i < calls.length; i++) {
      const t0 = performance.now();
      this.#current = stop;
      try {
        const r: unknown = (fn as (...a: unknown[]) => unknown)(...calls[i]!);
        if (typeof (r as PromiseLike<unknown> | null)?.then === "function") {
          async = true;
          out[i] = r as PromiseLike<unknown>;
        } else out[i] = { status: "fulfilled", value: r };
      } catch (error) {
        out[i] = { status: "rejected", reason: error };
      } finally {
        this.#current = undefined;
        spent += performance.now() - t0;
      }
    }
    if (!async) {
      this.#recordHere(key, spent / calls.length);
      return out as Settled[];
    }
    const t1 = performance.now();
    const pending = out.map((o) => ("status" in o ? (o.status === "fulfilled" ? o.value : Promise.reject(o.reason)) : o));
    return Promise.allSettled(pending).then((settled) => {
      // What an async task does after its first await also runs on this thread: count the wait
      // too (which also counts whatever else ran meanwhile: conservative).
      this.#recordHere(key, (spent + performance.now() - t1) / calls.length);
      return settled;
    });
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
    return ns.then((m) => {
      const f = m[name];
      if (typeof f === "function") {
        let names = this.#resolved.get(module);
        if (names === undefined) this.#resolved.set(module, (names = new Map()));
        names.set(name, f);
      }
      return f;
    });
  }
}
