/**
 * `Semaphore` and `BoundedSemaphore` on one `SharedArrayBuffer`: a counter taken with
 * compare-and-swap; waiters sleep on it while it is 0 and a release wakes one per unit.
 * @module
 */
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { checkInteger } from "../util/validate.js";
import { checkedDeadline, makeGuard, type Guard, type TimeoutOptions } from "./lock.js";
import { deadlineOf, remaining, sharedInts, waitActing, waitAsync, waitSync, type Acting } from "./memory.js";
import { SHARED_BRAND, TO_WIRE } from "./shareable.js";

const VALUE = 0;
const LIMIT = 1; // bound of a BoundedSemaphore, -1 for none

/**
 * A counting semaphore (Python's `Semaphore`): `acquire` takes one unit, waiting while there is
 * none; `release` gives one back (without bound).
 */
export class Semaphore {
  /** @internal */
  protected readonly cells: Int32Array;
  /** @internal the class's name, kept through minifiers */
  protected get kind(): string {
    return "Semaphore";
  }

  /** @param value - units available at first. @defaultValue 1 */
  constructor(value?: number);
  /** @internal */
  constructor(value: number, cells: Int32Array);
  constructor(value = 1, cells?: Int32Array) {
    if (cells) {
      this.cells = cells;
      return;
    }
    checkInteger(value, "Semaphore: value", 0);
    this.cells = sharedInts(2, this.kind);
    this.cells[VALUE] = value;
    this.cells[LIMIT] = -1;
  }

  /** Takes one unit. @returns `false` if `timeout` ms passed first. */
  async acquire(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, `${this.kind}.acquire`);
    for (;;) {
      if (this.tryTake()) return true;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) return false;
      await waitAsync(this.cells, VALUE, 0, left);
    }
  }

  /** {@link Semaphore.acquire}, blocking (workers only). */
  acquireSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, `${this.kind}.acquireSync`);
    for (;;) {
      if (this.tryTake()) return true;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) return false;
      waitSync(this.cells, VALUE, 0, left);
    }
  }

  /** {@link Semaphore.acquire} for someone else (the broker acting for a child process). @internal */
  async acquireAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    for (;;) {
      if (acting.isGone) return false;
      if (this.tryTake()) {
        if (!acting.isGone) return true;
        this.release(); // nobody is left to use it
        return false;
      }
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) return false;
      await waitActing(this.cells, VALUE, 0, left, acting);
    }
  }

  /** Gives `n` units back, waking as many waiters. */
  release(n = 1): void {
    checkInteger(n, `${this.kind}.release: n`, 1);
    Atomics.add(this.cells, VALUE, n);
    Atomics.notify(this.cells, VALUE, n);
  }

  /** Units available now (a snapshot). */
  get value(): number {
    return Atomics.load(this.cells, VALUE);
  }

  /** Takes a unit and returns a guard that gives it back. @throws {@link TimeoutError} */
  async guard(options?: TimeoutOptions): Promise<Guard> {
    if (!(await this.acquire(options))) throw new TimeoutError(`${this.kind} not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  /** {@link Semaphore.guard}, blocking (workers only). */
  guardSync(options?: TimeoutOptions): Guard {
    if (!this.acquireSync(options)) throw new TimeoutError(`${this.kind} not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  private tryTake(): boolean {
    for (let v = Atomics.load(this.cells, VALUE); v > 0; v = Atomics.load(this.cells, VALUE)) {
      if (Atomics.compareExchange(this.cells, VALUE, v, v - 1) === v) return true;
    }
    return false;
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return this.kind;
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.cells], []];
  }
}

/** A semaphore that refuses to be released above its initial value (Python's `BoundedSemaphore`). */
export class BoundedSemaphore extends Semaphore {
  /** @internal */
  protected override get kind(): string {
    return "BoundedSemaphore";
  }

  constructor(value?: number);
  /** @internal */
  constructor(value: number, cells: Int32Array);
  constructor(value = 1, cells?: Int32Array) {
    if (cells) super(value, cells);
    else {
      super(value);
      this.cells[LIMIT] = value;
    }
  }

  /** @throws {@link InvalidStateError} when it would exceed the initial value. */
  override release(n = 1): void {
    checkInteger(n, "BoundedSemaphore.release: n", 1);
    const limit = Atomics.load(this.cells, LIMIT);
    for (let v = Atomics.load(this.cells, VALUE); ; v = Atomics.load(this.cells, VALUE)) {
      if (v + n > limit) throw new InvalidStateError(`BoundedSemaphore released too many times (its value is ${v}, its bound ${limit})`);
      if (Atomics.compareExchange(this.cells, VALUE, v, v + n) === v) break;
    }
    Atomics.notify(this.cells, VALUE, n);
  }
}
