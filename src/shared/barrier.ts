/**
 * `Barrier` on one `SharedArrayBuffer` (Python's `threading.Barrier`, cyclic): parties wait until
 * all have arrived; one of them runs the `action` first; a timeout, an `abort()` or a throwing
 * action breaks it for everyone until `reset()`.
 * @module
 */
import { describe } from "../util/describe.js";
import { TimeoutError } from "../futures/errors.js";
import { assertTimeout, checkInteger } from "../util/validate.js";
import { deadlineOf, remaining, sharedInts, waitActing, waitAsync, waitSync, type Acting } from "./memory.js";
import { SHARED_BRAND, TO_WIRE } from "./shareable.js";
import { spinLock, spinUnlock } from "./spin.js";
import type { TimeoutOptions } from "./lock.js";

const MUTEX = 0;
const COUNT = 1;
const GENERATION = 2;
const BROKEN = 3; // 1 while the current generation is broken
const BROKEN_GEN = 4; // the last generation that was broken
const PARTIES = 5;

/** Thrown by {@link Barrier.wait} when the barrier is, or becomes, broken. */
export class BrokenBarrierError extends Error {
  static {
    this.prototype.name = "BrokenBarrierError";
  }
}

/** Options of {@link Barrier}. */
export interface BarrierOptions {
  /** Run by one party (the last to arrive) before the others are let through; a self-contained function when the barrier is used in workers. */
  action?: (() => unknown) | undefined;
  /** Default timeout (ms) of `wait`. */
  timeout?: number | undefined;
}

/** A cyclic barrier for `parties` threads. */
export class Barrier {
  readonly #cells: Int32Array;
  readonly #action: (() => unknown) | undefined;
  readonly #actionSource: string | null;
  readonly #timeout: number | undefined;

  constructor(parties: number, options?: BarrierOptions);
  /** @internal */
  constructor(parties: number, options: BarrierOptions | undefined, wire: [Int32Array, string | null]);
  constructor(parties: number, options: BarrierOptions = {}, wire?: [Int32Array, string | null]) {
    const { action, timeout } = options;
    assertTimeout(timeout, "Barrier: timeout");
    if (action !== undefined && typeof action !== "function") throw new TypeError(`Barrier: action must be a function, got ${describe(action)}`);
    this.#timeout = timeout;
    if (wire) {
      this.#cells = wire[0];
      this.#actionSource = wire[1];
      this.#action = wire[1] === null ? undefined : (new Function(`return (${wire[1]}\n)`)() as () => unknown);
    } else {
      checkInteger(parties, "Barrier: parties", 1);
      this.#cells = sharedInts(6, "Barrier");
      this.#cells[PARTIES] = parties;
      this.#cells[BROKEN_GEN] = -1;
      this.#action = action;
      this.#actionSource = action === undefined ? null : Function.prototype.toString.call(action);
    }
  }

  /** How many must arrive. */
  get parties(): number {
    return Atomics.load(this.#cells, PARTIES);
  }

  /** How many are waiting now. */
  get nWaiting(): number {
    return Atomics.load(this.#cells, COUNT);
  }

  /** Is the barrier broken (until `reset()`)? */
  get broken(): boolean {
    return Atomics.load(this.#cells, BROKEN) === 1;
  }

  /**
   * Waits until all parties have arrived.
   * @returns this party's arrival index, `0 … parties - 1` (distinct in each pass).
   * @throws {@link BrokenBarrierError} if the barrier is or becomes broken (a timeout breaks it).
   */
  async wait(options?: TimeoutOptions): Promise<number> {
    const arrival = this.#arrive(options);
    if (arrival.done) return arrival.index;
    for (;;) {
      const state = this.#check(arrival.generation);
      if (state !== undefined) return this.#settle(state, arrival.index);
      const left = remaining(arrival.deadline);
      if (left <= 0) return this.#timedOut(arrival.generation);
      await waitAsync(this.#cells, GENERATION, arrival.generation, left);
    }
  }

  /**
   * {@link Barrier.wait} for someone else (the broker acting for a child process). A party that is
   * gone while it waits can never be let through: the barrier is broken, so that the others do not
   * wait for it for ever. @internal
   */
  async waitAs(acting: Acting, timeout: number | undefined): Promise<number> {
    const arrival = this.#arrive(timeout === undefined ? undefined : { timeout });
    if (arrival.done) return arrival.index;
    for (;;) {
      const state = this.#check(arrival.generation);
      if (state !== undefined) return this.#settle(state, arrival.index);
      if (acting.isGone) {
        this.abort();
        throw new BrokenBarrierError("a party left (its process ended) while it waited at the barrier; the barrier is now broken");
      }
      const left = remaining(arrival.deadline);
      if (left <= 0) return this.#timedOut(arrival.generation);
      await waitActing(this.#cells, GENERATION, arrival.generation, left, acting);
    }
  }

  /** {@link Barrier.wait}, blocking (workers only). */
  waitSync(options?: TimeoutOptions): number {
    const arrival = this.#arrive(options);
    if (arrival.done) return arrival.index;
    for (;;) {
      const state = this.#check(arrival.generation);
      if (state !== undefined) return this.#settle(state, arrival.index);
      const left = remaining(arrival.deadline);
      if (left <= 0) return this.#timedOut(arrival.generation);
      waitSync(this.#cells, GENERATION, arrival.generation, left);
    }
  }

  /** Breaks the barrier: every waiter, now and later, gets {@link BrokenBarrierError} until `reset()`. */
  abort(): void {
    spinLock(this.#cells, MUTEX);
    Atomics.store(this.#cells, BROKEN, 1);
    Atomics.store(this.#cells, BROKEN_GEN, Atomics.load(this.#cells, GENERATION));
    spinUnlock(this.#cells, MUTEX);
    Atomics.notify(this.#cells, GENERATION);
  }

  /** Makes the barrier usable again; parties waiting now get {@link BrokenBarrierError}. */
  reset(): void {
    spinLock(this.#cells, MUTEX);
    if (Atomics.load(this.#cells, COUNT) > 0) Atomics.store(this.#cells, BROKEN_GEN, Atomics.load(this.#cells, GENERATION));
    Atomics.store(this.#cells, COUNT, 0);
    Atomics.store(this.#cells, BROKEN, 0);
    Atomics.add(this.#cells, GENERATION, 1);
    spinUnlock(this.#cells, MUTEX);
    Atomics.notify(this.#cells, GENERATION);
  }

  #arrive(options: TimeoutOptions | undefined): { done: true; index: number } | { done: false; index: number; generation: number; deadline: number } {
    const timeout = options?.timeout ?? this.#timeout;
    assertTimeout(timeout, "Barrier.wait: timeout");
    const deadline = deadlineOf(timeout);
    for (;;) {
      spinLock(this.#cells, MUTEX);
      if (Atomics.load(this.#cells, BROKEN) === 1) {
        spinUnlock(this.#cells, MUTEX);
        throw new BrokenBarrierError("the barrier is broken; reset() it to use it again");
      }
      const generation = Atomics.load(this.#cells, GENERATION);
      const count = Atomics.load(this.#cells, COUNT);
      const parties = Atomics.load(this.#cells, PARTIES);
      if (count >= parties) {
        // The last party of this pass is running the action: this arrival belongs to the next pass.
        spinUnlock(this.#cells, MUTEX);
        waitSpin(this.#cells, generation);
        continue;
      }
      Atomics.store(this.#cells, COUNT, count + 1);
      spinUnlock(this.#cells, MUTEX);
      if (count + 1 < parties) return { done: false, index: count, generation, deadline };
      this.#release(generation);
      return { done: true, index: count };
    }
  }

  // The last party: run the action, then let everyone through (or break the barrier if it threw).
  #release(generation: number): void {
    try {
      this.#action?.();
    } catch (error) {
      this.abort();
      throw error;
    }
    spinLock(this.#cells, MUTEX);
    if (Atomics.load(this.#cells, GENERATION) === generation) {
      Atomics.store(this.#cells, COUNT, 0);
      Atomics.add(this.#cells, GENERATION, 1);
    }
    spinUnlock(this.#cells, MUTEX);
    Atomics.notify(this.#cells, GENERATION);
  }

  #check(generation: number): "passed" | "broken" | undefined {
    if (Atomics.load(this.#cells, BROKEN) === 1 && Atomics.load(this.#cells, BROKEN_GEN) === generation) return "broken";
    if (Atomics.load(this.#cells, GENERATION) !== generation) {
      return Atomics.load(this.#cells, BROKEN_GEN) === generation ? "broken" : "passed";
    }
    return undefined;
  }

  #settle(state: "passed" | "broken", index: number): number {
    if (state === "broken") throw new BrokenBarrierError("the barrier was broken (aborted, reset, timed out, or its action threw) while this party waited");
    return index;
  }

  // Out of time (the state was checked just before): a timeout breaks the barrier, as in Python.
  #timedOut(generation: number): never {
    void generation;
    this.abort();
    throw new BrokenBarrierError(`the barrier's wait timed out; the barrier is now broken`, { cause: new TimeoutError("barrier wait timed out") });
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "Barrier";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.#cells, this.#actionSource, this.#timeout ?? null], []];
  }
}

// Waits (briefly, by spinning: the action is running) for the pass to end.
function waitSpin(cells: Int32Array, generation: number): void {
  while (Atomics.load(cells, GENERATION) === generation && Atomics.load(cells, BROKEN) === 0) {
    // the last party is running the action
  }
}
