/**
 * `JoinableQueue`: a {@link Queue} that counts unfinished items (Python's `JoinableQueue`).
 * @module
 */
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { checkedDeadline, type TimeoutOptions } from "./lock.js";
import { deadlineOf, type Acting } from "./memory.js";
import { CHANGES, Queue, UNFINISHED } from "./queue.js";

/**
 * A {@link Queue} that counts unfinished items (Python's `JoinableQueue`): each `put` adds one,
 * each `taskDone()` removes one, and `join()` waits until none is left.
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /** @internal */
  protected override get kind(): string {
    return "JoinableQueue";
  }

  /** Marks one item taken with `get` as done. @throws {@link InvalidStateError} if called more often than `put`. */
  taskDone(): void {
    for (let n = Atomics.load(this.cells, UNFINISHED); ; n = Atomics.load(this.cells, UNFINISHED)) {
      if (n <= 0) throw new InvalidStateError("taskDone() called too many times");
      if (Atomics.compareExchange(this.cells, UNFINISHED, n, n - 1) === n) break;
    }
    this.changedForWaiters();
  }

  /** Waits until every item put has been marked done. @returns `false` if `timeout` ms passed first. */
  async join(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, "JoinableQueue.join");
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      if (Atomics.load(this.cells, UNFINISHED) === 0) return true;
      try {
        await this.sleep(seen, deadline, "unfinished", options, false);
      } catch (error) {
        if (error instanceof TimeoutError) return false;
        throw error;
      }
    }
  }

  /** {@link JoinableQueue.join} for someone else (the broker acting for a child process). @internal */
  async joinAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    const options = timeout === undefined ? undefined : { timeout };
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      if (Atomics.load(this.cells, UNFINISHED) === 0) return true;
      if (acting.isGone) return false;
      try {
        await this.sleepAs(seen, deadline, options, acting);
      } catch (error) {
        if (error instanceof TimeoutError) return false;
        throw error;
      }
    }
  }

  /** {@link JoinableQueue.join}, blocking (workers only). */
  joinSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, "JoinableQueue.joinSync");
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      if (Atomics.load(this.cells, UNFINISHED) === 0) return true;
      try {
        this.sleep(seen, deadline, "unfinished", options, true);
      } catch (error) {
        if (error instanceof TimeoutError) return false;
        throw error;
      }
    }
  }
}
