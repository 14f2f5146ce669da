/**
 * `Lock` and `RLock` on one `SharedArrayBuffer` each: a futex-style mutex (Drepper's three states:
 * 0 free, 1 held, 2 held with waiters), so an uncontended acquire/release is one compare-and-swap
 * and one exchange, and only a release that has waiters costs a notify.
 * @module
 */
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { assertTimeout } from "../util/validate.js";
import { deadlineOf, remaining, sharedInts, threadId, waitActing, waitAsync, waitSync, type Acting } from "./memory.js";
import { SHARED_BRAND, TO_WIRE } from "./shareable.js";

const STATE = 0;
const OWNER = 1;
const COUNT = 2;

/** Options of the blocking methods. */
export interface TimeoutOptions {
  /** ms to wait at most; 0: do not wait. @defaultValue no limit */
  timeout?: number | undefined;
}

/** Releases what it guards when disposed (`using guard = await lock.guard()`), or by `release()`. */
export interface Guard {
  release(): void;
  [Symbol.dispose](): void;
}

const disposeKey: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for("Symbol.dispose") as typeof Symbol.dispose);

/** A guard that calls `release` once. @internal */
export function makeGuard(release: () => void): Guard {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    release();
  };
  return { release: once, [disposeKey]: once } as Guard;
}

/** Core of both locks: try, then wait on the state word. @internal */
export abstract class MutexBase {
  protected readonly cells: Int32Array;

  protected constructor(cells: Int32Array) {
    this.cells = cells;
  }

  protected tryLock(): boolean {
    return Atomics.compareExchange(this.cells, STATE, 0, 1) === 0;
  }

  // Marks the lock contended (2) and waits while it stays so; returns when it may be free.
  protected lockSlowSync(deadline: number): boolean {
    for (;;) {
      if (Atomics.compareExchange(this.cells, STATE, 0, 2) === 0) return true;
      if (Atomics.exchange(this.cells, STATE, 2) === 0) return true;
      const left = remaining(deadline);
      if (left <= 0) return false;
      waitSync(this.cells, STATE, 2, left);
    }
  }

  protected async lockSlowAsync(deadline: number): Promise<boolean> {
    for (;;) {
      if (Atomics.compareExchange(this.cells, STATE, 0, 2) === 0) return true;
      if (Atomics.exchange(this.cells, STATE, 2) === 0) return true;
      const left = remaining(deadline);
      if (left <= 0) return false;
      await waitAsync(this.cells, STATE, 2, left);
    }
  }

  /** {@link lockSlowAsync} for someone else (the broker acting for a child): gives up once it is gone. */
  protected async lockSlowActing(deadline: number, acting: Acting): Promise<boolean> {
    for (;;) {
      if (acting.isGone) return false;
      if (Atomics.compareExchange(this.cells, STATE, 0, 2) === 0) return true;
      if (Atomics.exchange(this.cells, STATE, 2) === 0) return true;
      const left = remaining(deadline);
      if (left <= 0) return false;
      await waitActing(this.cells, STATE, 2, left, acting);
    }
  }

  /**
   * Takes the lock for `acting.owner` (the broker acting for a child process); a child gone while
   * it waited gets nothing. @returns held or not. @internal
   */
  async acquireAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    const ok = this.tryLock() || (deadline !== 0 && (await this.lockSlowActing(deadline, acting)));
    if (!ok) return false;
    if (acting.isGone) {
      this.unlock(); // nobody is left to hold it
      return false;
    }
    this.ownAs(acting.owner);
    return true;
  }

  /** Records the owner (and, for an RLock, one level) of a lock just taken. @internal */
  protected ownAs(owner: number): void {
    Atomics.store(this.cells, OWNER, owner);
  }

  /** Frees the lock if `owner` holds it (its holder died). @returns whether it did. @internal */
  releaseIfOwner(owner: number): boolean {
    if (Atomics.load(this.cells, STATE) === 0 || Atomics.load(this.cells, OWNER) !== owner) return false;
    Atomics.store(this.cells, COUNT, 0);
    Atomics.store(this.cells, OWNER, 0);
    this.unlock();
    return true;
  }

  /** Is it held by `owner`? @internal */
  heldBy(owner: number): boolean {
    return Atomics.load(this.cells, STATE) !== 0 && Atomics.load(this.cells, OWNER) === owner;
  }

  /** {@link Lock.release} / {@link RLock.release} on behalf of `owner`. @internal */
  abstract releaseAs(owner: number): void;

  protected unlock(): void {
    if (Atomics.exchange(this.cells, STATE, 0) === 2) Atomics.notify(this.cells, STATE, 1);
  }

  /** True while someone holds the lock. */
  locked(): boolean {
    return Atomics.load(this.cells, STATE) !== 0;
  }
}

/**
 * A lock (Python's `multiprocessing.Lock`): not reentrant, and any thread may release it. Works
 * across the threads it is passed to as a task argument.
 * @example
 * ```ts
 * const lock = new Lock();
 * if (await lock.acquire({ timeout: 100 })) try { … } finally { lock.release(); }
 * ```
 */
export class Lock extends MutexBase {
  /** Makes a free lock (one small `SharedArrayBuffer`). */
  constructor();
  /** @internal rebuilds a lock around shared memory sent to a worker */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    super(cells ?? sharedInts(3, "Lock"));
  }

  /**
   * Takes the lock, waiting for it if needed (usable on any thread).
   * @returns `true` once held; `false` if `timeout` ms passed first (`timeout: 0`: only try).
   */
  async acquire(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, "Lock.acquire");
    const ok = this.tryLock() || (deadline !== 0 && (await this.lockSlowAsync(deadline)));
    if (ok) Atomics.store(this.cells, OWNER, threadId());
    return ok;
  }

  /** {@link Lock.acquire}, blocking this thread (workers only). */
  acquireSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, "Lock.acquireSync");
    const ok = this.tryLock() || (deadline !== 0 && this.lockSlowSync(deadline));
    if (ok) Atomics.store(this.cells, OWNER, threadId());
    return ok;
  }

  /** Frees the lock; any thread may. @throws {@link InvalidStateError} if it is not held. */
  release(): void {
    if (Atomics.load(this.cells, STATE) === 0) throw new InvalidStateError("release() of a Lock that is not held");
    Atomics.store(this.cells, OWNER, 0);
    this.unlock();
  }

  /** @internal any holder's lock may be released by anyone, as in Python */
  releaseAs(owner: number): void {
    void owner;
    this.release();
  }

  /** Takes the lock and returns a guard that frees it: `using guard = await lock.guard()`. @throws {@link TimeoutError} */
  async guard(options?: TimeoutOptions): Promise<Guard> {
    if (!(await this.acquire(options))) throw new TimeoutError(`Lock not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  /** {@link Lock.guard}, blocking (workers only). */
  guardSync(options?: TimeoutOptions): Guard {
    if (!this.acquireSync(options)) throw new TimeoutError(`Lock not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  /** @internal the thread that last acquired it (for Condition's checks) */
  heldByMe(): boolean {
    return Atomics.load(this.cells, STATE) !== 0 && Atomics.load(this.cells, OWNER) === threadId();
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "Lock";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.cells], []];
  }
}

/**
 * A reentrant lock (Python's `RLock`): the thread that holds it may take it again, and must
 * release it as many times. "Thread" means the JavaScript thread (a worker, or the page); async
 * code on the owning thread counts as the owner.
 */
export class RLock extends MutexBase {
  /** Makes a free reentrant lock. */
  constructor();
  /** @internal */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    super(cells ?? sharedInts(3, "RLock"));
  }

  /** Takes the lock (again, if this thread holds it). @returns `false` on timeout. */
  async acquire(options?: TimeoutOptions): Promise<boolean> {
    const deadline = checkedDeadline(options, "RLock.acquire");
    if (this.reenter()) return true;
    const ok = this.tryLock() || (deadline !== 0 && (await this.lockSlowAsync(deadline)));
    if (ok) this.own();
    return ok;
  }

  /** {@link RLock.acquire}, blocking (workers only). */
  acquireSync(options?: TimeoutOptions): boolean {
    const deadline = checkedDeadline(options, "RLock.acquireSync");
    if (this.reenter()) return true;
    const ok = this.tryLock() || (deadline !== 0 && this.lockSlowSync(deadline));
    if (ok) this.own();
    return ok;
  }

  /** Releases one level. @throws {@link InvalidStateError} if this thread does not hold it. */
  release(): void {
    this.releaseAs(threadId());
  }

  /** @internal */
  releaseAs(owner: number): void {
    if (!this.heldBy(owner)) throw new InvalidStateError("release() of an RLock this thread does not hold");
    if (Atomics.sub(this.cells, COUNT, 1) > 1) return;
    Atomics.store(this.cells, OWNER, 0);
    this.unlock();
  }

  /** @internal takes it again if `acting.owner` holds it, else as a Lock does */
  override async acquireAs(acting: Acting, timeout: number | undefined): Promise<boolean> {
    if (this.heldBy(acting.owner)) {
      Atomics.add(this.cells, COUNT, 1);
      return true;
    }
    return super.acquireAs(acting, timeout);
  }

  /** @internal */
  protected override ownAs(owner: number): void {
    Atomics.store(this.cells, OWNER, owner);
    Atomics.store(this.cells, COUNT, 1);
  }

  /** Takes the lock and returns a guard that releases one level. @throws {@link TimeoutError} */
  async guard(options?: TimeoutOptions): Promise<Guard> {
    if (!(await this.acquire(options))) throw new TimeoutError(`RLock not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  /** {@link RLock.guard}, blocking (workers only). */
  guardSync(options?: TimeoutOptions): Guard {
    if (!this.acquireSync(options)) throw new TimeoutError(`RLock not acquired within ${options?.timeout} ms`);
    return makeGuard(() => this.release());
  }

  /** @internal */
  heldByMe(): boolean {
    return Atomics.load(this.cells, STATE) !== 0 && Atomics.load(this.cells, OWNER) === threadId();
  }

  /** @internal releases every level (Condition.wait); returns how many to restore */
  releaseAll(): number {
    const levels = Atomics.exchange(this.cells, COUNT, 0);
    Atomics.store(this.cells, OWNER, 0);
    this.unlock();
    return levels;
  }

  /** @internal takes the lock back with its levels (after Condition.wait) */
  restoreLevels(levels: number): void {
    Atomics.store(this.cells, COUNT, levels);
  }

  private reenter(): boolean {
    if (!this.heldByMe()) return false;
    Atomics.add(this.cells, COUNT, 1);
    return true;
  }

  private own(): void {
    Atomics.store(this.cells, OWNER, threadId());
    Atomics.store(this.cells, COUNT, 1);
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "RLock";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.cells], []];
  }
}

/** The deadline of `{ timeout }` (0 stays 0: try once). @internal */
export function checkedDeadline(options: TimeoutOptions | undefined, what: string): number {
  const timeout = options?.timeout;
  assertTimeout(timeout, `${what}: timeout`);
  return timeout === 0 ? 0 : deadlineOf(timeout);
}
