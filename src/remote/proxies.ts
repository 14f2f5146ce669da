/**
 * The shared objects as a child process sees them: each class is the real one (so `instanceof`,
 * `guard()`, `waitFor()` and async iteration work as anywhere), with every method that touches
 * the object's state answered by the broker that owns it, through this thread's link. Methods that
 * return a promise are requests; synchronous ones (`release()`, `set()`, `qsize()`…) are blocking
 * requests, so that what they do is done when they return, as with the real object.
 * Two requests nobody waits for keep Python's speed where Python does the same: `put` on a queue
 * without `maxsize` and `send` down a pipe travel in order with the rest and return at once.
 * @internal
 * @module
 */
import { EOFError, Connection } from "../shared/pipe.js";
import { Barrier, BrokenBarrierError } from "../shared/barrier.js";
import { Condition } from "../shared/condition.js";
import { Event } from "../shared/event.js";
import { Lock, RLock, checkedDeadline, type TimeoutOptions } from "../shared/lock.js";
import { Queue } from "../shared/queue.js";
import { JoinableQueue } from "../shared/joinable-queue.js";
import { BoundedSemaphore, Semaphore } from "../shared/semaphore.js";
import { decode, encode } from "../shared/serialize.js";
import { WIRE_FORM, WIRE_KEY, type WireShared } from "../shared/shareable.js";
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { assertTimeout } from "../util/validate.js";
import * as op from "./ops.js";
import { REMOTE_FORM, Remote, linkTo, type RemoteRef, type WireRemote } from "./link.js";
import { loanOf } from "./loans.js";
import { reviveManagerProxy } from "./manager.js";

/** State a proxy never touches (every method that would is answered remotely). */
const detached = (): Int32Array => new Int32Array(8);

// The timeout of `options`, checked as the real method checks it (`undefined`: no limit).
function timeoutOf(options: TimeoutOptions | undefined, what: string): number | undefined {
  checkedDeadline(options, what);
  return options?.timeout;
}

/**
 * A constructor a proxy class can extend. (`any[]`: TypeScript's rule for mixins — a class built on
 * a parameter must take `...args: any[]`; the proxies pass the real arguments through.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Base<T> = new (...args: any[]) => T;

/** What a lock's proxy answers remotely (both Lock and RLock have it). */
interface LockMethods {
  acquire(options?: TimeoutOptions): Promise<boolean>;
  acquireSync(options?: TimeoutOptions): boolean;
  release(): void;
  locked(): boolean;
}

function remoteLock<C extends Base<LockMethods>>(L: C, kind: string) {
  return class extends L {
    #r!: Remote;
    bind(r: Remote): this {
      this.#r = r;
      return this;
    }
    override async acquire(options?: TimeoutOptions): Promise<boolean> {
      return (await this.#r.call(op.LOCK_ACQUIRE, timeoutOf(options, `${kind}.acquire`))) as boolean;
    }
    override acquireSync(options?: TimeoutOptions): boolean {
      return this.#r.callSync(op.LOCK_ACQUIRE, timeoutOf(options, `${kind}.acquireSync`)) as boolean;
    }
    override release(): void {
      this.#r.callSync(op.LOCK_RELEASE);
    }
    override locked(): boolean {
      return this.#r.callSync(op.LOCK_LOCKED) as boolean;
    }
    [WIRE_FORM](): WireShared {
      return this.#r.wire([]);
    }
    [REMOTE_FORM](): WireShared {
      return this[WIRE_FORM]();
    }
  };
}
const RemoteLock = remoteLock(Lock, "Lock");
const RemoteRLock = remoteLock(RLock, "RLock");
const lock = (L: typeof RemoteLock, r: Remote) => new L(detached()).bind(r);

function remoteSemaphore<C extends Base<Semaphore>>(Sem: C, kind: string) {
  return class extends Sem {
    #r!: Remote;
    bind(r: Remote): this {
      this.#r = r;
      return this;
    }
    override async acquire(options?: TimeoutOptions): Promise<boolean> {
      return (await this.#r.call(op.SEM_ACQUIRE, timeoutOf(options, `${kind}.acquire`))) as boolean;
    }
    override acquireSync(options?: TimeoutOptions): boolean {
      return this.#r.callSync(op.SEM_ACQUIRE, timeoutOf(options, `${kind}.acquireSync`)) as boolean;
    }
    override release(n = 1): void {
      this.#r.callSync(op.SEM_RELEASE, n);
    }
    override get value(): number {
      return this.#r.callSync(op.SEM_VALUE) as number;
    }
    [WIRE_FORM](): WireShared {
      return this.#r.wire([]);
    }
    [REMOTE_FORM](): WireShared {
      return this[WIRE_FORM]();
    }
  };
}
const RemoteSemaphore = remoteSemaphore(Semaphore, "Semaphore");
const RemoteBoundedSemaphore = remoteSemaphore(BoundedSemaphore, "BoundedSemaphore");
const semaphore = (Sem: typeof RemoteSemaphore, r: Remote) => new Sem(0, detached()).bind(r);

export class RemoteEvent extends Event {
  readonly #r: Remote;
  constructor(r: Remote) {
    super(detached());
    this.#r = r;
  }
  override isSet(): boolean {
    return this.#r.callSync(op.EVENT_IS_SET) as boolean;
  }
  override set(): void {
    this.#r.callSync(op.EVENT_SET);
  }
  override clear(): void {
    this.#r.callSync(op.EVENT_CLEAR);
  }
  override async wait(options?: TimeoutOptions): Promise<boolean> {
    return (await this.#r.call(op.EVENT_WAIT, timeoutOf(options, "Event.wait"))) as boolean;
  }
  override waitSync(options?: TimeoutOptions): boolean {
    return this.#r.callSync(op.EVENT_WAIT, timeoutOf(options, "Event.waitSync")) as boolean;
  }
  [WIRE_FORM](): WireShared {
    return this.#r.wire([]);
  }
  [REMOTE_FORM](): WireShared {
    return this[WIRE_FORM]();
  }
}

export class RemoteCondition extends Condition {
  readonly #r: Remote;
  constructor(r: Remote, lock: Lock | RLock) {
    super(lock, undefined, detached());
    this.#r = r;
  }
  override async wait(options?: TimeoutOptions): Promise<boolean> {
    return (await this.#r.call(op.COND_WAIT, timeoutOf(options, "Condition.wait"))) as boolean;
  }
  override waitSync(options?: TimeoutOptions): boolean {
    return this.#r.callSync(op.COND_WAIT, timeoutOf(options, "Condition.waitSync")) as boolean;
  }
  override notify(n = 1): void {
    this.#r.callSync(op.COND_NOTIFY, n);
  }
  override notifyAll(): void {
    this.#r.callSync(op.COND_NOTIFY, -1);
  }
  [WIRE_FORM](): WireShared {
    return this.#r.wire([(this.lock as unknown as { [WIRE_FORM](): WireShared })[WIRE_FORM]()]);
  }
  [REMOTE_FORM](): WireShared {
    return this[WIRE_FORM]();
  }
}

export class RemoteBarrier extends Barrier {
  readonly #r: Remote;
  constructor(r: Remote) {
    super(1, {}, [detached(), null]);
    this.#r = r;
  }
  #state(): [number, number, boolean] {
    return this.#r.callSync(op.BARRIER_STATE) as [number, number, boolean];
  }
  override get parties(): number {
    return this.#state()[0];
  }
  override get nWaiting(): number {
    return this.#state()[1];
  }
  override get broken(): boolean {
    return this.#state()[2];
  }
  override async wait(options?: TimeoutOptions): Promise<number> {
    return (await this.#r.call(op.BARRIER_WAIT, barrierTimeout(options))) as number;
  }
  override waitSync(options?: TimeoutOptions): number {
    return this.#r.callSync(op.BARRIER_WAIT, barrierTimeout(options)) as number;
  }
  override abort(): void {
    this.#r.callSync(op.BARRIER_ABORT);
  }
  override reset(): void {
    this.#r.callSync(op.BARRIER_RESET);
  }
  [WIRE_FORM](): WireShared {
    return this.#r.wire([]);
  }
  [REMOTE_FORM](): WireShared {
    return this[WIRE_FORM]();
  }
}

function barrierTimeout(options: TimeoutOptions | undefined): number | undefined {
  assertTimeout(options?.timeout, "Barrier.wait: timeout");
  return options?.timeout;
}

/** Queue state a proxy knows without asking: [maxsize, capacity]. */
type QueueShape = [maxsize: number, capacity: number];

function remoteQueue<C extends Base<Queue>>(Q: C, kind: string) {
  return class extends Q {
    #r!: Remote;
    #shape!: QueueShape;
    bind(r: Remote, shape: QueueShape): this {
      this.#r = r;
      this.#shape = shape;
      return this;
    }
    #encode(item: unknown): Uint8Array {
      const bytes = encode(item);
      const cap = this.#shape[1];
      if (bytes.length + 4 > cap) {
        throw new RangeError(`${kind}: an item of ${bytes.length} bytes does not fit a queue of ${cap} bytes; create it with a larger { capacity }`);
      }
      return bytes;
    }
    override async put(item: unknown, options?: TimeoutOptions): Promise<void> {
      const timeout = timeoutOf(options, `${kind}.put`);
      const bytes = this.#encode(item);
      if (this.#shape[0] === 0) await this.#r.link.send(op.QUEUE_PUT, this.#r.id, bytes);
      else await this.#r.call(op.QUEUE_PUT_WAIT, [timeout, bytes]);
    }
    override putSync(item: unknown, options?: TimeoutOptions): void {
      const timeout = timeoutOf(options, `${kind}.putSync`);
      const bytes = this.#encode(item);
      if (this.#shape[0] === 0) this.#r.link.send(op.QUEUE_PUT, this.#r.id, bytes, true);
      else this.#r.callSync(op.QUEUE_PUT_WAIT, [timeout, bytes]);
    }
    // Items come through this thread's loan of the queue: taken ahead while this thread consumes
    // back to back (see loans.ts).
    override async get(options?: TimeoutOptions): Promise<never> {
      const timeout = timeoutOf(options, `${kind}.get`);
      const loan = loanOf(this.#r.link, this.#r.id);
      const ready = loan.next();
      if (ready) return decode(ready) as never;
      return decode(loan.fill(await this.#r.link.call(op.QUEUE_TAKE, this.#r.id, loan.request(timeout)))) as never;
    }
    override getSync(options?: TimeoutOptions): never {
      const timeout = timeoutOf(options, `${kind}.getSync`);
      const loan = loanOf(this.#r.link, this.#r.id);
      const ready = loan.next();
      if (ready) return decode(ready) as never;
      return decode(loan.fill(this.#r.link.callSync(op.QUEUE_TAKE, this.#r.id, loan.request(timeout)))) as never;
    }
    override qsize(): number {
      return (this.#r.callSync(op.QUEUE_STATE) as [number])[0] + loanOf(this.#r.link, this.#r.id).size;
    }
    override full(): boolean {
      const max = this.#shape[0];
      return max > 0 && this.qsize() >= max;
    }
    override close(): void {
      this.#r.callSync(op.QUEUE_CLOSE);
    }
    override async *[Symbol.asyncIterator](): AsyncIterator<never> {
      for (;;) {
        try {
          yield await this.get();
        } catch (error) {
          // A get fails with InvalidStateError only on a closed queue with nothing left.
          if (error instanceof InvalidStateError) return;
          throw error;
        }
      }
    }
    taskDone(): void {
      this.#r.callSync(op.QUEUE_TASK_DONE);
    }
    async join(options?: TimeoutOptions): Promise<boolean> {
      return (await this.#r.call(op.QUEUE_JOIN, timeoutOf(options, "JoinableQueue.join"))) as boolean;
    }
    joinSync(options?: TimeoutOptions): boolean {
      return this.#r.callSync(op.QUEUE_JOIN, timeoutOf(options, "JoinableQueue.joinSync")) as boolean;
    }
    [WIRE_FORM](): WireShared {
      return this.#r.wire(this.#shape);
    }
    [REMOTE_FORM](): WireShared {
      return this[WIRE_FORM]();
    }
  };
}
const RemoteQueue = remoteQueue(Queue, "Queue");
const RemoteJoinableQueue = remoteQueue(JoinableQueue, "JoinableQueue");
const queue = (Q: typeof RemoteQueue, r: Remote, shape: QueueShape) => new Q(undefined, new SharedArrayBuffer(64)).bind(r, shape);

export class RemoteConnection extends Connection {
  readonly #r: Remote;
  #closed = false;
  constructor(r: Remote, readable: boolean, writable: boolean) {
    super(null, readable, writable);
    this.#r = r;
  }
  override get closed(): boolean {
    return this.#closed;
  }
  #usable(what: string): void {
    if (this.#closed) throw new InvalidStateError(`${what}() on a closed connection`);
  }
  override send(value: unknown): void {
    this.#usable("send");
    if (!this.writable) throw new InvalidStateError("send() on the read-only end of a one-way pipe");
    this.#r.link.send(op.CONN_SEND, this.#r.id, encode(value), true);
  }
  override async recv(options?: { timeout?: number | undefined }): Promise<never> {
    this.#usable("recv");
    if (!this.readable) throw new InvalidStateError("recv() on the write-only end of a one-way pipe");
    assertTimeout(options?.timeout, "Connection.recv: timeout");
    const [got, bytes] = (await this.#r.call(op.CONN_RECV, options?.timeout)) as [number, Uint8Array?];
    if (got === 1) return decode(bytes as Uint8Array) as never;
    if (got === 0) throw new TimeoutError(`Connection.recv: no message within ${options?.timeout} ms`);
    throw new EOFError("the other end of the pipe is closed and no message is left");
  }
  override async poll(options?: { timeout?: number | undefined }): Promise<boolean> {
    this.#usable("poll");
    if (!this.readable) throw new InvalidStateError("poll() on the write-only end of a one-way pipe");
    assertTimeout(options?.timeout, "Connection.poll: timeout");
    return (await this.#r.call(op.CONN_POLL, options?.timeout ?? 0)) as boolean;
  }
  override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#r.link.send(op.CONN_CLOSE, this.#r.id, new Uint8Array(0));
  }
  [WIRE_FORM](): WireShared {
    return this.#r.wire([this.readable, this.writable]);
  }
  [REMOTE_FORM](): WireShared {
    return this[WIRE_FORM]();
  }
}

/** Rebuilds the proxy of a remote object from its wire form, on this thread's link to its broker. */
export function reviveRemote(wire: WireShared): object {
  const w = wire as WireRemote;
  const kind = w[WIRE_KEY];
  const state = w.state;
  if (kind === "DictProxy" || kind === "ListProxy") return reviveManagerProxy(wire);
  const r = new Remote(linkTo(w.remote, kind), w.remote, kind);
  switch (kind) {
    case "Lock":
      return lock(RemoteLock, r);
    case "RLock":
      return lock(RemoteRLock, r);
    case "Semaphore":
      return semaphore(RemoteSemaphore, r);
    case "BoundedSemaphore":
      return semaphore(RemoteBoundedSemaphore, r);
    case "Event":
      return new RemoteEvent(r);
    case "Condition":
      return new RemoteCondition(r, reviveRemote(state[0] as WireShared) as Lock | RLock);
    case "Barrier":
      return new RemoteBarrier(r);
    case "Queue":
      return queue(RemoteQueue, r, state as QueueShape);
    case "JoinableQueue":
      return queue(RemoteJoinableQueue, r, state as QueueShape);
    case "Connection":
      return new RemoteConnection(r, state[0] === true, state[1] === true);
    default:
      throw new TypeError(`unknown remote object kind ${JSON.stringify(kind)}: are both processes the same version of isofutures?`);
  }
}

export type { RemoteRef, BrokenBarrierError };
