/**
 * The Future state machine, written down once (after CPython's `_base.py`):
 *
 * ```
 *   PENDING ──setRunning──▶ RUNNING ──setResult/setException──▶ FINISHED
 *      │  └────────setResult/setException (executors may skip RUNNING)──▶ FINISHED
 *      └──cancel()──▶ CANCELLED          RUNNING ──forceCancel (terminate() only)──▶ CANCELLED
 * ```
 *
 * Unlike CPython there is one cancelled state: `cancel()` itself wakes `wait` / `asCompleted`
 * (CPython waits for the executor to dequeue the item — gh-92001).
 *
 * Executors drive their futures through module-private functions (`setRunning`, `setResult`, …)
 * bound in a static block. A future made with `new Future()` belongs to no executor: its maker
 * drives it with the public `setRunningOrNotifyCancel`, `setResult` and `setException`, which an
 * executor's own futures refuse.
 * @module
 */
import { CancelledError, InvalidStateError, TimeoutError } from "./errors.js";
import { describe, typeName } from "../util/describe.js";
import { checkTimeout } from "../util/validate.js";
import type { Timer } from "../util/timers.js";

const PENDING = 0;
const RUNNING = 1;
const CANCELLED = 2;
const FINISHED = 3;
const FAILED = 4; // finished with an error: reported as "finished"

const STATE_NAMES = ["pending", "running", "cancelled", "finished", "finished"] as const;

/** The states a {@link Future} can be in. */
export type FutureState = "pending" | "running" | "cancelled" | "finished";

/** A callback given to {@link Future.addDoneCallback}. */
export type DoneCallback<T> = (future: Future<T>) => void;

/**
 * Told when a pending future is cancelled, so its executor can drop it from its queue and count it,
 * and when `cancel()` is called on a running one, which the executor passes on as a request to stop.
 * @internal
 */
export interface FutureOwner {
  onCancel(future: Future<unknown>): void;
  onCancelRunning?(job: unknown): void;
}

type Settle = (value: unknown) => void;
/** A done-callback as stored: its future's type erased. */
type Callback = (future: never) => void;

/** Makes a pending future. @internal */
export let newFuture!: <T>(owner?: FutureOwner) => Future<T>;
/** PENDING → RUNNING; returns false for a cancelled future (do not run it). @internal */
export let setRunning!: <T>(future: Future<T>) => boolean;
/** → FINISHED with a result; throws InvalidStateError if already done. @internal */
export let setResult!: <T>(future: Future<T>, value: T) => void;
/** → FINISHED with an error (any value, even `undefined`); throws InvalidStateError if already done. @internal */
export let setException!: <T>(future: Future<T>, error: unknown) => void;
/** PENDING or RUNNING → CANCELLED with this error (terminate()); false if already done. @internal */
export let forceCancel!: <T>(future: Future<T>, error: Error) => boolean;
/** Drops a callback added with addDoneCallback (wait/asCompleted clean-up). @internal */
export let removeDoneCallback!: <T>(future: Future<T>, callback: DoneCallback<T>) => void;
/** The stored result or error of a done future. @internal */
export let peek!: <T>(future: Future<T>) => unknown;
/** True if the future finished with an error. @internal */
export let hasFailed!: <T>(future: Future<T>) => boolean;
/** Links a future to what its owner runs for it (see FutureOwner.onCancelRunning). @internal */
export let setJob!: <T>(future: Future<T>, job: unknown) => void;

// One executor function for every future: it hands the resolving functions over through these
// two slots instead of a closure per future.
let nextResolve: Settle | undefined;
let nextReject: Settle | undefined;
function capture(resolve: Settle, reject: Settle): void {
  nextResolve = resolve;
  nextReject = reject;
}
const MADE_BY_EXECUTOR = Symbol("isofutures.future");
/** The owner of futures made with `new Future()`: their maker settles them through the public methods. */
const USER: FutureOwner = { onCancel() {} };
const noop = () => {};
const promiseThen = Promise.prototype.then;

/**
 * The eventual result of a task. A `Future` is a `Promise`: `await future` gives the result or
 * throws the task's error. It also offers Python's blocking API in async form (`result(timeout)`,
 * `exception(timeout)`), cancellation of work that has not started, and done-callbacks.
 *
 * Executors make the futures of their tasks. `new Future()` makes one that belongs to no executor,
 * for custom executors and tests (as in Python): drive it with {@link Future.setRunningOrNotifyCancel},
 * {@link Future.setResult} and {@link Future.setException}.
 *
 * A failed future that nobody awaits never raises an unhandled rejection by itself; promises
 * derived from it (`future.then(f)`) behave like any promise.
 */
export class Future<T> extends Promise<T> {
  #state: number = PENDING;
  #value: unknown = undefined;
  // Typed without T so that Future<T> stays covariant (a Future<string> is a Future<unknown>).
  #callbacks: Callback | Callback[] | undefined = undefined;
  #owner: FutureOwner | undefined;
  /** What the owner runs for this future (its task), for requests to stop. */
  #job: unknown = undefined;
  #resolve: Settle;
  #reject: Settle;

  /** A pending future that belongs to no executor: settle it with `setResult` / `setException`. */
  constructor();
  constructor(token?: unknown, owner?: FutureOwner) {
    if (token !== MADE_BY_EXECUTOR) {
      if (token !== undefined) {
        // Reached through inherited statics such as Future.all (they pass an executor function).
        throw new TypeError("new Future() takes no arguments (Future.all, Future.resolve… do not exist: use Promise's)");
      }
      owner = USER;
    }
    super(capture as never);
    this.#resolve = nextResolve as Settle;
    this.#reject = nextReject as Settle;
    nextResolve = nextReject = undefined;
    this.#owner = owner;
  }

  // A future's `constructor` reads as `Promise`, so that `await` and `Promise.all` take the engine's
  // fast path for native promises (no thenable job), and `then` / `catch` / `finally` derive plain
  // promises.
  static {
    Object.defineProperty(this.prototype, "constructor", { value: Promise, writable: true, configurable: true });
  }

  /** `"pending"`, `"running"` (handed to a worker), `"cancelled"` or `"finished"` (with a result or an error). */
  get state(): FutureState {
    return STATE_NAMES[this.#state] as FutureState;
  }

  /** True once the future was cancelled. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** True while the task is running (handed to a worker and not finished). */
  running(): boolean {
    return this.#state === RUNNING;
  }

  /** True once the future finished (with a result or an error) or was cancelled. */
  done(): boolean {
    return this.#state >= CANCELLED;
  }

  /**
   * Cancels the task if it has not started.
   * @returns `true` if the future is now cancelled (also when it already was); `false` if it is
   *   running or finished. A running task is asked to stop (its `currentTask().signal` is
   *   aborted) but goes on unless it listens; to stop it surely, use `submitWith({ signal, timeout })`.
   */
  cancel(): boolean {
    if (this.#state === CANCELLED) return true;
    if (this.#state === RUNNING) {
      // Too late to cancel; the task is asked to stop (its currentTask().signal is aborted).
      if (this.#job !== undefined) this.#owner?.onCancelRunning?.(this.#job);
      return false;
    }
    if (this.#state !== PENDING) return false;
    this.#cancelWith(new CancelledError("the future was cancelled before it started"));
    this.#owner?.onCancel(this as Future<unknown>);
    return true;
  }

  /**
   * The task's result.
   * @param timeout - ms to wait at most; omitted (or `undefined`) waits for as long as it takes.
   * @returns a promise of the result. It rejects with the task's own error, with
   *   {@link CancelledError} if the future was cancelled, or with {@link TimeoutError} if the timeout
   *   passes first (the task goes on).
   */
  result(timeout?: number): Promise<T> {
    const bad = checkTimeout(timeout, "timeout");
    if (bad) return Promise.reject(bad);
    if (this.#state === FINISHED) return Promise.resolve(this.#value as T);
    if (this.#state >= CANCELLED) return Promise.reject(this.#value);
    return this.#waitFor(timeout, () => promiseThen.call(this) as Promise<T>);
  }

  /**
   * The task's error, or `undefined` if it succeeded.
   * @param timeout - ms to wait at most; omitted waits for as long as it takes.
   * @returns a promise that never rejects with the task's error; it rejects with
   *   {@link CancelledError} or {@link TimeoutError} as {@link Future.result} does.
   */
  exception(timeout?: number): Promise<unknown> {
    const bad = checkTimeout(timeout, "timeout");
    if (bad) return Promise.reject(bad);
    if (this.#state === FINISHED) return Promise.resolve(undefined);
    if (this.#state === FAILED) return Promise.resolve(this.#value);
    if (this.#state === CANCELLED) return Promise.reject(this.#value);
    return this.#waitFor(timeout, () =>
      promiseThen.call(
        this,
        () => undefined,
        (error: unknown) => {
          if (this.#state === CANCELLED) throw error;
          return error;
        },
      ) as Promise<unknown>,
    );
  }

  /**
   * Calls `callback(future)` once the future finishes or is cancelled — at once, before returning,
   * if it already has. Callbacks run in the order they were added. A callback that throws is
   * reported (`reportError` where the platform has it, else `console.error`) and never stops the
   * others.
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    if (typeof callback !== "function") {
      throw new TypeError(`addDoneCallback expects a function, got ${describe(callback)}`);
    }
    if (this.#state >= CANCELLED) {
      runCallback(callback, this);
      return;
    }
    const cbs = this.#callbacks;
    const cb = callback as Callback;
    if (cbs === undefined) this.#callbacks = cb;
    else if (typeof cbs === "function") this.#callbacks = [cbs, cb];
    else cbs.push(cb);
  }

  /**
   * For the maker of a `new Future()` (a custom executor), as Python's
   * `set_running_or_notify_cancel()`: call it before running the work.
   * @returns `true` if the future was pending and is now running (run the work); `false` if it was
   *   cancelled (do not run it).
   * @throws {@link InvalidStateError} if it is already running or finished, or if an executor made it.
   */
  setRunningOrNotifyCancel(): boolean {
    this.#checkUserMade("setRunningOrNotifyCancel");
    return setRunning(this);
  }

  /**
   * For the maker of a `new Future()`: finishes it with `value` (from pending or running), waking
   * `await`, `wait`, `asCompleted` and the done-callbacks.
   * @throws {@link InvalidStateError} if it is already done (finished or cancelled; the first
   *   outcome stays), or if an executor made it.
   */
  setResult(value: T): void {
    this.#checkUserMade("setResult");
    this.#finish(FINISHED, value);
  }

  /**
   * For the maker of a `new Future()`: finishes it with an error (any value, even `undefined`:
   * `result()` then rejects with it).
   * @throws {@link InvalidStateError} if it is already done, or if an executor made it.
   */
  setException(error: unknown): void {
    this.#checkUserMade("setException");
    this.#finish(FAILED, error);
  }

  #checkUserMade(method: string): void {
    if (this.#owner !== USER) {
      throw new InvalidStateError(`${method}() is for futures made with new Future(); ${this} belongs to an executor, which settles it`);
    }
  }

  /** `Future<state=pending>`, `Future<state=finished returned number>`, `Future<state=finished raised TypeError>`… */
  override toString(): string {
    let text = `Future<state=${this.state}`;
    if (this.#state === FINISHED) text += ` returned ${typeName(this.#value)}`;
    else if (this.#state === FAILED) text += ` raised ${errorName(this.#value)}`;
    return text + ">";
  }

  override get [Symbol.toStringTag](): string {
    return "Future";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #waitFor<R>(timeout: number | undefined, shape: () => Promise<R>): Promise<R> {
    if (timeout === undefined) return shape();
    if (timeout === 0) return Promise.reject(this.#timeoutError(0));
    return new Promise<R>((resolve, reject) => {
      const timer: Timer = setTimeout(() => reject(this.#timeoutError(timeout)), timeout);
      shape().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  #timeoutError(timeout: number): TimeoutError {
    return new TimeoutError(`the future did not finish within ${timeout} ms (it is still ${this.state}; waiting again is allowed)`);
  }

  #finish(state: number, value: unknown): void {
    if (this.#state >= CANCELLED) {
      throw new InvalidStateError(`${STATE_NAMES[this.#state]?.toUpperCase()}: ${this} cannot be set again`);
    }
    this.#state = state;
    this.#value = value;
    if (state === FINISHED) this.#resolve(value);
    else this.#rejectQuietly(value);
    this.#runCallbacks();
  }

  #cancelWith(error: Error): void {
    this.#state = CANCELLED;
    this.#value = error;
    this.#rejectQuietly(error);
    this.#runCallbacks();
  }

  // A handler of our own marks the rejection handled: nobody awaiting a failed future is not an error.
  #rejectQuietly(error: unknown): void {
    promiseThen.call(this, undefined, noop);
    this.#reject(error);
  }

  #runCallbacks(): void {
    const cbs = this.#callbacks;
    if (cbs === undefined) return;
    this.#callbacks = undefined;
    if (typeof cbs === "function") runCallback(cbs as DoneCallback<T>, this);
    else for (const cb of cbs) runCallback(cb as DoneCallback<T>, this);
  }

  static {
    const Made = Future as unknown as new <R>(token: symbol, owner: FutureOwner | undefined) => Future<R>;
    newFuture = <R>(owner?: FutureOwner) => new Made<R>(MADE_BY_EXECUTOR, owner);
    setRunning = (f) => {
      if (f.#state === PENDING) {
        f.#state = RUNNING;
        return true;
      }
      if (f.#state === CANCELLED) return false;
      throw new InvalidStateError(`${f} cannot start running: it is not pending`);
    };
    setResult = (f, value) => f.#finish(FINISHED, value);
    setException = (f, error) => f.#finish(FAILED, error);
    forceCancel = (f, error) => {
      if (f.#state >= CANCELLED) return false;
      f.#cancelWith(error);
      return true;
    };
    removeDoneCallback = (f, callback) => {
      const cbs = f.#callbacks;
      if (cbs === (callback as Callback)) f.#callbacks = undefined;
      else if (Array.isArray(cbs)) {
        const i = cbs.indexOf(callback);
        if (i >= 0) cbs.splice(i, 1);
      }
    };
    peek = (f) => f.#value;
    setJob = (f, job) => {
      f.#job = job;
    };
    hasFailed = (f) => f.#state === FAILED;
  }
}

function runCallback<T>(callback: DoneCallback<T>, future: Future<T>): void {
  try {
    callback(future);
  } catch (error) {
    reportCallbackError(future, error);
  }
}

function reportCallbackError<T>(future: Future<T>, error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === "function") report(error);
  else console.error(`isofutures: exception calling a done-callback of ${future}:`, error);
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeName(error);
}
