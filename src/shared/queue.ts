/**
 * `Queue` and `JoinableQueue`: multi-producer, multi-consumer FIFO queues in one
 * `SharedArrayBuffer`, usable from any thread with no owner thread to ask: items are encoded to
 * bytes (serialize.ts) and copied into a byte ring under a spin lock held only for the copy.
 * Producers and consumers that must wait sleep on a change counter, notified only when someone
 * sleeps.
 * @module
 */
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { checkInteger } from "../util/validate.js";
import { checkedDeadline, type TimeoutOptions } from "./lock.js";
import { deadlineOf, remaining, requireSharedMemory, waitActing, waitSync, type Acting } from "./memory.js";
import { decode, encode } from "./serialize.js";
import { copyIn, copyOut, readLength, writeLength } from "./byte-ring.js";
import { SHARED_BRAND, TO_WIRE, registerKind } from "./shareable.js";
import { spinLock, spinUnlock } from "./spin.js";

const MUTEX = 0;
const COUNT = 1;
const HEAD = 2;
const TAIL = 3;
const USED = 4;
const CLOSED = 5;
/** @internal */
export const UNFINISHED = 6;
/** @internal */
export const CHANGES = 7;
const WAITERS = 8;
const MAXSIZE = 9;
const CAPACITY = 10;
const HEADER = 12; // ints

/** Options of {@link Queue}. */
export interface QueueOptions {
  /** Items it holds at most; 0: no limit but `capacity`. @defaultValue 0 */
  maxsize?: number | undefined;
  /** Bytes of encoded items it holds at most. @defaultValue 1 MiB */
  capacity?: number | undefined;
}

type Outcome<T> = { done: true; value: T } | { done: false };
const NOT_YET = { done: false } as const;

/**
 * A FIFO queue shared by threads (Python's `multiprocessing.Queue`): pass it to tasks as an
 * argument; `put` and `get` work from any of them, each item delivered once. Items are copied
 * (structured-clone types); timeouts throw {@link TimeoutError} (Python's `Full` / `Empty`).
 * `close()` is for everyone: later `put`s throw, and `get` drains what is left, then throws.
 */
export class Queue<T = unknown> {
  /** @internal */
  protected readonly cells: Int32Array;
  readonly #data: Uint8Array;
  readonly #buffer: SharedArrayBuffer;

  constructor(options?: QueueOptions);
  /** @internal */
  constructor(options: QueueOptions | undefined, wire: SharedArrayBuffer);
  constructor(options: QueueOptions = {}, wire?: SharedArrayBuffer) {
    if (wire) {
      this.#buffer = wire;
    } else {
      const { maxsize = 0, capacity = 1 << 20 } = options;
      checkInteger(maxsize, `${this.kind}: maxsize`, 0);
      checkInteger(capacity, `${this.kind}: capacity`, 16);
      requireSharedMemory(this.kind);
      this.#buffer = new SharedArrayBuffer(4 * HEADER + capacity);
      const cells = new Int32Array(this.#buffer, 0, HEADER);
      cells[MAXSIZE] = maxsize;
      cells[CAPACITY] = capacity;
    }
    this.cells = new Int32Array(this.#buffer, 0, HEADER);
    this.#data = new Uint8Array(this.#buffer, 4 * HEADER, this.cells[CAPACITY] as number);
  }

  /** @internal the class's name, kept through minifiers */
  protected get kind(): string {
    return "Queue";
  }

  /** Items in the queue now (a snapshot). */
  qsize(): number {
    return Atomics.load(this.cells, COUNT);
  }

  /** Is it empty now (a snapshot)? */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** Is it at `maxsize` now (a snapshot)? */
  full(): boolean {
    const max = Atomics.load(this.cells, MAXSIZE);
    return max > 0 && this.qsize() >= max;
  }

  /**
   * Adds an item, waiting for room.
   * @throws {@link TimeoutError} if there is no room within `timeout` ms (`timeout: 0`: at once);
   *   {@link InvalidStateError} if the queue is closed; TypeError if the item cannot be encoded.
   */
  async put(item: T, options?: TimeoutOptions): Promise<void> {
    const deadline = checkedDeadline(options, `${this.kind}.put`);
    const bytes = this.#encode(item);
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      if (this.#tryPut(bytes)) return;
      await this.#sleep(seen, deadline, "full", options, false);
    }
  }

  /** {@link Queue.put}, blocking (workers only). */
  putSync(item: T, options?: TimeoutOptions): void {
    const deadline = checkedDeadline(options, `${this.kind}.putSync`);
    const bytes = this.#encode(item);
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      if (this.#tryPut(bytes)) return;
      this.#sleep(seen, deadline, "full", options, true);
    }
  }

  /**
   * Takes the oldest item, waiting for one.
   * @throws {@link TimeoutError} if there is none within `timeout` ms (`timeout: 0`: at once);
   *   {@link InvalidStateError} if the queue is closed and empty.
   */
  async get(options?: TimeoutOptions): Promise<T> {
    const deadline = checkedDeadline(options, `${this.kind}.get`);
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      const got = this.#tryGet();
      if (got.done) return got.value;
      await this.#sleep(seen, deadline, "empty", options, false);
    }
  }

  /** {@link Queue.get}, blocking (workers only). */
  getSync(options?: TimeoutOptions): T {
    const deadline = checkedDeadline(options, `${this.kind}.getSync`);
    for (;;) {
      const seen = Atomics.load(this.cells, CHANGES);
      const got = this.#tryGet();
      if (got.done) return got.value;
      this.#sleep(seen, deadline, "empty", options, true);
    }
  }

  /** Puts an item already encoded if there is room now (no waiting). @internal */
  tryPutBytes(bytes: Uint8Array): boolean {
    return bytes.length + 4 <= this.#data.length && this.#tryPut(bytes);
  }

  /**
   * Puts items (still encoded) back at the front, `items[0]` first in line, as if never taken (a
   * child process that took them ahead is gone or stopped). Puts back from the last, while they fit.
   * @returns how many of the last items went back. @internal
   */
  putBackBytes(items: readonly Uint8Array[]): number {
    const c = this.cells;
    const cap = this.#data.length;
    let n = 0;
    spinLock(c, MUTEX);
    try {
      for (let i = items.length - 1; i >= 0; i--) {
        const bytes = items[i] as Uint8Array;
        const need = 4 + bytes.length;
        if (cap - Atomics.load(c, USED) < need) break;
        const start = (Atomics.load(c, HEAD) - need + cap) % cap;
        copyIn(this.#data, bytes, writeLength(this.#data, bytes.length, start));
        Atomics.store(c, HEAD, start);
        Atomics.add(c, USED, need);
        Atomics.add(c, COUNT, 1);
        n++;
      }
    } finally {
      spinUnlock(c, MUTEX);
    }
    if (n > 0) this.#changed();
    return n;
  }

  /** Resolves once the queue holds an item (taking none). @internal */
  async whenNotEmpty(): Promise<void> {
    const c = this.cells;
    for (;;) {
      const seen = Atomics.load(c, CHANGES);
      if (Atomics.load(c, COUNT) > 0) return;
      Atomics.add(c, WAITERS, 1);
      try {
        if (Atomics.load(c, CHANGES) === seen) await waitActing(c, CHANGES, seen, Infinity, undefined);
      } finally {
        Atomics.sub(c, WAITERS, 1);
      }
    }
  }

  /** Takes every item there is now, still encoded, oldest first, under one hold of the lock. @internal */
  takeAllBytes(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const c = this.cells;
    spinLock(c, MUTEX);
    try {
      let head = Atomics.load(c, HEAD);
      let used = 0;
      for (let n = Atomics.load(c, COUNT); n > 0; n--) {
        const bytes = new Uint8Array(readLength(this.#data, head));
        head = copyOut(this.#data, bytes, (head + 4) % this.#data.length);
        used += 4 + bytes.length;
        out.push(bytes);
      }
      if (out.length === 0) return out;
      Atomics.store(c, HEAD, head);
      Atomics.sub(c, USED, used);
      Atomics.sub(c, COUNT, out.length);
    } finally {
      spinUnlock(c, MUTEX);
    }
    this.#changed();
    return out;
  }

  /** Takes the oldest item, still encoded, if there is one now (no waiting). @internal */
  takeBytes(): Uint8Array | undefined {
    return this.#tryGetBytes();
  }

  /**
   * Puts an item already encoded (by a child process) for someone else, waiting for room; a child
   * gone meanwhile puts nothing. @internal
   */
  async putBytesAs(acting: Acting | undefined, bytes: Uint8Array, timeout: number | undefined): Promise<void> {
    const cap = this.#data.length;
    if (bytes.length + 4 > cap) {
      throw new RangeError(`${this.kind}: an item of ${bytes.length} bytes does not fit a queue of ${cap} bytes; create it with a larger { capacity }`);
    }
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    const options = timeout === undefined ? undefined : { timeout };
    for (;;) {
      if (acting?.isGone) return;
      const seen = Atomics.load(this.cells, CHANGES);
      if (this.#tryPut(bytes)) return;
      await this.#sleep(seen, deadline, "full", options, false, acting);
    }
  }

  /** Takes the oldest item, still encoded, for someone else; `undefined` if it left meanwhile. @internal */
  async getBytesAs(acting: Acting, timeout: number | undefined): Promise<Uint8Array | undefined> {
    const deadline = timeout === 0 ? 0 : deadlineOf(timeout);
    const options = timeout === undefined ? undefined : { timeout };
    for (;;) {
      if (acting.isGone) return undefined;
      const seen = Atomics.load(this.cells, CHANGES);
      const bytes = this.#tryGetBytes();
      if (bytes !== undefined) return bytes;
      await this.#sleep(seen, deadline, "empty", options, false, acting);
    }
  }

  /** `[maxsize, capacity]`: what a proxy in another process needs to know without asking. @internal */
  shape(): [number, number] {
    return [Atomics.load(this.cells, MAXSIZE), Atomics.load(this.cells, CAPACITY)];
  }

  /** Closes the queue for everyone: no more `put`; `get` drains what is left, then throws. */
  close(): void {
    Atomics.store(this.cells, CLOSED, 1);
    this.#changed();
  }

  /** Async iteration takes items until the queue is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof InvalidStateError && Atomics.load(this.cells, CLOSED) === 1) return;
        throw error;
      }
    }
  }

  #encode(item: T): Uint8Array {
    const bytes = encode(item);
    const cap = this.#data.length;
    if (bytes.length + 4 > cap) {
      throw new RangeError(`${this.kind}: an item of ${bytes.length} bytes does not fit a queue of ${cap} bytes; create it with a larger { capacity }`);
    }
    return bytes;
  }

  // Under the spin lock: the item and its length go in at TAIL, wrapping around the byte ring.
  #tryPut(bytes: Uint8Array): boolean {
    const c = this.cells;
    const need = 4 + bytes.length;
    spinLock(c, MUTEX);
    try {
      if (Atomics.load(c, CLOSED) === 1) throw new InvalidStateError(`${this.kind}.put on a closed queue`);
      const max = Atomics.load(c, MAXSIZE);
      if ((max > 0 && Atomics.load(c, COUNT) >= max) || this.#data.length - Atomics.load(c, USED) < need) return false;
      let tail = Atomics.load(c, TAIL);
      tail = copyIn(this.#data, bytes, writeLength(this.#data, bytes.length, tail));
      Atomics.store(c, TAIL, tail);
      Atomics.add(c, USED, need);
      Atomics.add(c, COUNT, 1);
      Atomics.add(c, UNFINISHED, 1);
    } finally {
      spinUnlock(c, MUTEX);
    }
    this.#changed();
    return true;
  }

  #tryGet(): Outcome<T> {
    const bytes = this.#tryGetBytes();
    return bytes === undefined ? NOT_YET : { done: true, value: decode(bytes) as T };
  }

  #tryGetBytes(): Uint8Array | undefined {
    const c = this.cells;
    let bytes: Uint8Array;
    spinLock(c, MUTEX);
    try {
      if (Atomics.load(c, COUNT) === 0) {
        if (Atomics.load(c, CLOSED) === 1) throw new InvalidStateError(`${this.kind}.get on a closed queue with nothing left`);
        return undefined;
      }
      let head = Atomics.load(c, HEAD);
      bytes = new Uint8Array(readLength(this.#data, head));
      head = copyOut(this.#data, bytes, (head + 4) % this.#data.length);
      Atomics.store(c, HEAD, head);
      Atomics.sub(c, USED, 4 + bytes.length);
      Atomics.sub(c, COUNT, 1);
    } finally {
      spinUnlock(c, MUTEX);
    }
    this.#changed();
    return bytes;
  }




  /** @internal a change others may be waiting for */
  protected changedForWaiters(): void {
    this.#changed();
  }

  #changed(): void {
    Atomics.add(this.cells, CHANGES, 1);
    if (Atomics.load(this.cells, WAITERS) > 0) Atomics.notify(this.cells, CHANGES);
  }

  /** @internal {@link Queue.sleep} for someone else */
  protected sleepAs(seen: number, deadline: number, options: TimeoutOptions | undefined, acting: Acting): Promise<void> {
    return this.#sleep(seen, deadline, "unfinished", options, false, acting);
  }

  /** @internal sleeps until the queue changes after `seen`, or throws TimeoutError at the deadline */
  protected sleep(seen: number, deadline: number, state: string, options: TimeoutOptions | undefined, sync: boolean): void | Promise<void> {
    return this.#sleep(seen, deadline, state, options, sync);
  }

  #sleep(seen: number, deadline: number, state: string, options: TimeoutOptions | undefined, sync: true): void;
  #sleep(seen: number, deadline: number, state: string, options: TimeoutOptions | undefined, sync: false, acting?: Acting): Promise<void>;
  #sleep(seen: number, deadline: number, state: string, options: TimeoutOptions | undefined, sync: boolean): void | Promise<void>;
  #sleep(seen: number, deadline: number, state: string, options: TimeoutOptions | undefined, sync: boolean, acting?: Acting): void | Promise<void> {
    const left = deadline === 0 ? 0 : remaining(deadline);
    if (left <= 0) throw new TimeoutError(`the ${this.kind.toLowerCase()} is ${state}${options?.timeout ? ` (waited ${options.timeout} ms)` : ""}`);
    const c = this.cells;
    Atomics.add(c, WAITERS, 1);
    if (sync) {
      try {
        if (Atomics.load(c, CHANGES) === seen) waitSync(c, CHANGES, seen, left);
      } finally {
        Atomics.sub(c, WAITERS, 1);
      }
      return;
    }
    return (Atomics.load(c, CHANGES) === seen ? waitActing(c, CHANGES, seen, left, acting) : Promise.resolve()).then(
      () => void Atomics.sub(c, WAITERS, 1),
      (error: unknown) => {
        Atomics.sub(c, WAITERS, 1);
        throw error;
      },
    );
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return this.kind;
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.#buffer], []];
  }
}

// How a worker (or this thread, for a result) rebuilds one from its wire state (see revive.ts).
registerKind("Queue", (s) => new Queue(undefined, s[0]));
