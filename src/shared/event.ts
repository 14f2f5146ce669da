/**
 * `Event` on one `SharedArrayBuffer`: a flag that waiters sleep on.
 * @module
 */
import { checkedDeadline, type TimeoutOptions } from "./lock.js";
import { deadlineOf, remaining, sharedInts, waitActing, waitAsync, waitSync, type Acting } from "./memory.js";
import { SHARED_BRAND, TO_WIRE } from "./shareable.js";

const FLAG = 0;

/** A flag threads can wait for (Python's `Event`). */
export class Event {
  /** @internal */
  readonly #cells: Int32Array;

  constructor();
  /** @internal */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    this.#cells = cells ?? sharedInts(1, "Event");
  }

  /** Is the flag set? */
  isSet(): boolean {
    return Atomics.load(this.#cells, FLAG) === 1;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    Atomics.store(this.#cells, FLAG, 1);
    Atomics.notify(this.#cells, FLAG);
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.store(this.#cells, FLAG, 0);
  }

  /** Waits until the flag is set. @returns the flag: `false` if `timeout` ms passed first. */
  async wait(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, "Event.wait");
    while (!this.isSet()) {
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) return false;
      await waitAsync(this.#cells, FLAG, 0, left);
    }
    return true;
  }

  /** {@link Event.wait} for someone else (the broker acting for a child process). @internal */
  async waitAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    while (!this.isSet()) {
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0 || acting.isGone) return false;
      await waitActing(this.#cells, FLAG, 0, left, acting);
    }
    return true;
  }

  /** {@link Event.wait}, blocking (workers only). */
  waitSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, "Event.waitSync");
    while (!this.isSet()) {
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) return false;
      waitSync(this.#cells, FLAG, 0, left);
    }
    return true;
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "Event";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.#cells], []];
  }
}
