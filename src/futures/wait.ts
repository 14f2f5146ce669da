/**
 * `wait` and `asCompleted`, built on the public surface of {@link Future} (plus the internal
 * `removeDoneCallback`, so a waiter that gives up leaves nothing behind on long-lived futures).
 * @module
 */
import type { Timer } from "../util/timers.js";
import { TimeoutError } from "./errors.js";
import { Future, hasFailed, removeDoneCallback } from "./future.js";
import { describe } from "../util/describe.js";
import { assertTimeout } from "../util/validate.js";

/** `wait` returns once one of the futures finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait` returns when any future fails, or else when all are done. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait` returns when every future is done (the default). */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of {@link wait}. */
export interface WaitOptions {
  /** ms to wait at most; when it passes, `wait` resolves with what is done so far (it never rejects for it). */
  timeout?: number | undefined;
  /** @defaultValue `ALL_COMPLETED` */
  returnWhen?: ReturnWhen | undefined;
}

/** What {@link wait} resolves with. */
export interface DoneAndNotDone<T> {
  /** Futures that finished or were cancelled. */
  done: Set<Future<T>>;
  /** The others. */
  notDone: Set<Future<T>>;
}

/**
 * Waits for futures (from any executors). Cancelled futures count as done, at the moment they are
 * cancelled.
 * @returns `{ done, notDone }`, two disjoint sets covering every distinct future given.
 */
export function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Promise<DoneAndNotDone<T>> {
  const { timeout, returnWhen = ALL_COMPLETED } = options;
  assertTimeout(timeout, "wait: timeout");
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(`wait: returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${describe(returnWhen)}`);
  }
  const all = distinctFutures(futures, "wait");
  const done = new Set<Future<T>>();
  const notDone = new Set<Future<T>>();
  for (const f of all) (f.done() ? done : notDone).add(f);

  const satisfied = (): boolean => {
    if (notDone.size === 0) return true;
    if (returnWhen === FIRST_COMPLETED) return done.size > 0;
    if (returnWhen === FIRST_EXCEPTION) {
      for (const f of done) if (hasFailed(f)) return true;
    }
    return false;
  };
  if (satisfied() || timeout === 0) return Promise.resolve({ done, notDone });

  return new Promise((resolve) => {
    let timer: Timer | undefined;
    const finish = () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const f of notDone) removeDoneCallback(f, onDone);
      resolve({ done, notDone });
    };
    const onDone = (f: Future<T>) => {
      notDone.delete(f);
      done.add(f);
      const finished = notDone.size === 0 || returnWhen === FIRST_COMPLETED || (returnWhen === FIRST_EXCEPTION && hasFailed(f));
      if (finished) finish();
    };
    for (const f of notDone) f.addDoneCallback(onDone);
    if (timeout !== undefined) timer = setTimeout(finish, timeout);
  });
}

/**
 * A future as {@link asCompleted} gives it: the future itself, typed without `then`. TypeScript
 * types a `for await` variable as the awaited value (`Awaited<Future<T>>` is `T`), while at run time
 * the loop gives the future; hiding `then` makes the static type the runtime value. Read its outcome
 * with `result()` / `exception()` (`await f` is typed as the future, though it gives the result).
 * It is still a `Future<T>` wherever one is expected (`wait`, a `Set<Future<T>>`).
 */
export type FutureView<T> = Future<T> & { then: never };

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /** ms, counted from the call; when it passes with futures unfinished, iteration throws {@link TimeoutError}. */
  timeout?: number | undefined;
}

/**
 * Yields each distinct future once, as it completes (finishes or is cancelled): first those already
 * done, then in completion order. Check `cancelled()` before `result()`. Each is typed as a
 * {@link FutureView}, so that `for await (const f of asCompleted(fs))` gives `f` the type of a future.
 *
 * Stopping early (`break`) removes its callbacks from the remaining futures.
 * @throws {@link TimeoutError} from the iterator when `timeout` ms pass first, saying how many futures were unfinished.
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, options: AsCompletedOptions = {}): AsyncIterableIterator<FutureView<T>> {
  const { timeout } = options;
  assertTimeout(timeout, "asCompleted: timeout");
  const all = distinctFutures(futures, "asCompleted");
  const total = all.size;
  const ready: Future<T>[] = [];
  const pending = new Set<Future<T>>();
  for (const f of all) {
    if (f.done()) ready.push(f);
    else pending.add(f);
  }
  all.clear();

  let readHead = 0;
  let wake: (() => void) | undefined;
  let timedOut = timeout === 0;
  let closed = false;
  let timer: Timer | undefined;

  const onDone = (f: Future<T>) => {
    pending.delete(f);
    ready.push(f);
    wake?.();
  };
  for (const f of pending) f.addDoneCallback(onDone);
  if (timeout !== undefined && timeout > 0 && pending.size > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      wake?.();
    }, timeout);
  }

  const close = () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    for (const f of pending) removeDoneCallback(f, onDone);
    pending.clear();
    ready.length = 0;
  };

  const step = (): IteratorResult<Future<T>> | undefined => {
    if (closed) return { value: undefined, done: true };
    if (readHead < ready.length) {
      const f = ready[readHead] as Future<T>;
      ready[readHead++] = undefined as unknown as Future<T>; // hold no reference to what was yielded
      if (readHead === ready.length) ready.length = readHead = 0;
      return { value: f, done: false };
    }
    if (pending.size === 0) {
      close();
      return { value: undefined, done: true };
    }
    if (timedOut) {
      const unfinished = pending.size;
      close();
      throw new TimeoutError(`${unfinished} (of ${total}) futures unfinished`);
    }
    return undefined;
  };

  const iterator: AsyncIterableIterator<Future<T>> = {
    next(): Promise<IteratorResult<Future<T>>> {
      try {
        const now = step();
        if (now) return Promise.resolve(now);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        wake = () => {
          try {
            const result = step();
            if (result) {
              wake = undefined;
              resolve(result);
            }
          } catch (error) {
            wake = undefined;
            reject(error);
          }
        };
      });
    },
    return(): Promise<IteratorResult<Future<T>>> {
      close();
      const w = wake;
      wake = undefined;
      w?.();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator as AsyncIterableIterator<FutureView<T>>;
}

function distinctFutures<T>(futures: Iterable<Future<T>>, fn: string): Set<Future<T>> {
  if (futures == null || typeof (futures as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${fn} expects an iterable of futures, got ${describe(futures)}`);
  }
  const set = new Set<Future<T>>();
  for (const f of futures) {
    if (!(f instanceof Future)) throw new TypeError(`${fn} expects futures, got ${describe(f)} among them`);
    set.add(f);
  }
  return set;
}
