/**
 * `Condition` on one `SharedArrayBuffer`: a table of waiter slots (Python gives each waiter its own
 * lock; here each gets its own word), so that `notify(n)` wakes exactly n waiters, oldest first,
 * and a waiter that times out leaves without taking a wake-up meant for another.
 * @module
 */
import { InvalidStateError } from "../futures/errors.js";
import { checkInteger } from "../util/validate.js";
import { Lock, RLock, checkedDeadline, type TimeoutOptions } from "./lock.js";
import { deadlineOf, remaining, sharedInts, threadId, waitActing, waitAsync, waitSync, type Acting } from "./memory.js";
import { SHARED_BRAND, TO_WIRE } from "./shareable.js";
import { spinLock, spinUnlock } from "./spin.js";

const MUTEX = 0;
const TICKET = 1;
const SLOTS = 2; // then [state, ticket] per slot
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;

/** Options of {@link Condition}. */
export interface ConditionOptions {
  /** How many threads may wait at once. @defaultValue 64 */
  maxWaiters?: number | undefined;
}

/**
 * A condition variable (Python's `Condition`) over a {@link Lock} or {@link RLock} (by default a new
 * `RLock`). `wait` and `notify` need the lock held by this thread.
 */
export class Condition {
  readonly #lock: Lock | RLock;
  readonly #cells: Int32Array;
  readonly #slots: number;

  constructor(lock?: Lock | RLock, options?: ConditionOptions);
  /** @internal */
  constructor(lock: Lock | RLock, options: ConditionOptions | undefined, cells: Int32Array);
  constructor(lock: Lock | RLock = new RLock(), options?: ConditionOptions, cells?: Int32Array) {
    if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new TypeError("Condition(lock): lock must be a Lock or an RLock of isofutures");
    }
    const max = options?.maxWaiters ?? 64;
    checkInteger(max, "Condition: maxWaiters", 1);
    this.#lock = lock;
    this.#cells = cells ?? sharedInts(SLOTS + 2 * max, "Condition");
    this.#slots = (this.#cells.length - SLOTS) / 2;
  }

  /** The lock this condition uses. */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  /**
   * Releases the lock, waits until notified, takes the lock back.
   * @returns `false` if `timeout` ms passed without a notification.
   * @throws {@link InvalidStateError} if this thread does not hold the lock.
   */
  async wait(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, "Condition.wait");
    const slot = this.#enter("wait");
    const levels = this.#letGo();
    let notified: boolean;
    for (;;) {
      if (Atomics.load(this.#cells, slot) === NOTIFIED) {
        notified = true;
        break;
      }
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) {
        notified = this.#leave(slot);
        break;
      }
      await waitAsync(this.#cells, slot, WAITING, left);
    }
    Atomics.store(this.#cells, slot, FREE);
    await this.#lock.acquire();
    this.#restore(levels);
    return notified;
  }

  /**
   * {@link Condition.wait} for someone else (the broker acting for a child process). A child gone
   * while it waited does not take the lock back. @internal
   */
  async waitAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    const slot = this.#enter("wait", acting.owner);
    const levels = this.#letGo(acting.owner);
    let notified: boolean;
    for (;;) {
      if (Atomics.load(this.#cells, slot) === NOTIFIED) {
        notified = true;
        break;
      }
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0 || acting.isGone) {
        notified = this.#leave(slot);
        break;
      }
      await waitActing(this.#cells, slot, WAITING, left, acting);
    }
    Atomics.store(this.#cells, slot, FREE);
    if (await this.#lock.acquireAs(acting, undefined)) this.#restore(levels);
    return notified;
  }

  /** {@link Condition.notify} on behalf of `owner`. @internal */
  notifyAs(owner: number, n: number): void {
    checkInteger(n, "Condition.notify: n", 0);
    this.#mustHold("notify", owner);
    this.#wake(n);
  }

  /** {@link Condition.wait}, blocking (workers only). */
  waitSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, "Condition.waitSync");
    const slot = this.#enter("waitSync");
    const levels = this.#letGo();
    let notified: boolean;
    for (;;) {
      if (Atomics.load(this.#cells, slot) === NOTIFIED) {
        notified = true;
        break;
      }
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) {
        notified = this.#leave(slot);
        break;
      }
      waitSync(this.#cells, slot, WAITING, left);
    }
    Atomics.store(this.#cells, slot, FREE);
    this.#lock.acquireSync();
    this.#restore(levels);
    return notified;
  }

  /**
   * Waits until `predicate()` is truthy (checking it first), at most `timeout` ms in all.
   * @returns the predicate's last value.
   */
  async waitFor<T>(predicate: () => T, options?: TimeoutOptions): Promise<T> {
    const deadline = checkedDeadline(options, "Condition.waitFor");
    let result = predicate();
    while (!result) {
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) break;
      await this.wait(left === Infinity ? undefined : { timeout: left });
      result = predicate();
    }
    return result;
  }

  /** {@link Condition.waitFor}, blocking (workers only). */
  waitForSync<T>(predicate: () => T, options?: TimeoutOptions): T {
    const deadline = checkedDeadline(options, "Condition.waitForSync");
    let result = predicate();
    while (!result) {
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) break;
      this.waitSync(left === Infinity ? undefined : { timeout: left });
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters, those waiting longest first. Needs the lock. */
  notify(n = 1): void {
    checkInteger(n, "Condition.notify: n", 0);
    this.#mustHold("notify");
    this.#wake(n);
  }

  #wake(n: number): void {
    spinLock(this.#cells, MUTEX);
    try {
      for (let woken = 0; woken < n; woken++) {
        let oldest = -1;
        let oldestTicket = 0;
        for (let i = 0; i < this.#slots; i++) {
          const at = SLOTS + 2 * i;
          if (Atomics.load(this.#cells, at) !== WAITING) continue;
          const ticket = Atomics.load(this.#cells, at + 1);
          if (oldest < 0 || ticket - oldestTicket < 0) {
            oldest = at;
            oldestTicket = ticket;
          }
        }
        if (oldest < 0) break;
        Atomics.store(this.#cells, oldest, NOTIFIED);
        Atomics.notify(this.#cells, oldest);
      }
    } finally {
      spinUnlock(this.#cells, MUTEX);
    }
  }

  /** Wakes every waiter. Needs the lock. */
  notifyAll(): void {
    this.notify(this.#slots);
  }

  #mustHold(what: string, owner = threadId()): void {
    if (!this.#lock.heldBy(owner)) throw new InvalidStateError(`Condition.${what}() needs the condition's lock held by this thread`);
  }

  // Takes a free slot, stamped with the next ticket.
  #enter(what: string, owner?: number): number {
    this.#mustHold(what, owner);
    spinLock(this.#cells, MUTEX);
    try {
      for (let i = 0; i < this.#slots; i++) {
        const at = SLOTS + 2 * i;
        if (Atomics.load(this.#cells, at) === FREE) {
          Atomics.store(this.#cells, at + 1, Atomics.add(this.#cells, TICKET, 1));
          Atomics.store(this.#cells, at, WAITING);
          return at;
        }
      }
    } finally {
      spinUnlock(this.#cells, MUTEX);
    }
    throw new RangeError(`more than ${this.#slots} threads wait on this Condition at once; create it with a larger maxWaiters`);
  }

  // A waiter out of time gives its slot back — unless a notify took it just now (then it was notified).
  #leave(slot: number): boolean {
    spinLock(this.#cells, MUTEX);
    try {
      return Atomics.compareExchange(this.#cells, slot, WAITING, FREE) !== WAITING;
    } finally {
      spinUnlock(this.#cells, MUTEX);
    }
  }

  #letGo(owner = threadId()): number {
    if (this.#lock instanceof RLock) return this.#lock.releaseAll();
    this.#lock.releaseAs(owner);
    return 1;
  }

  #restore(levels: number): void {
    if (this.#lock instanceof RLock) this.#lock.restoreLevels(levels);
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "Condition";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    const lock = this.#lock;
    return [[this.#cells, lock instanceof RLock ? "RLock" : "Lock", (lock[TO_WIRE]()[0] as unknown[])[0]], []];
  }
}
