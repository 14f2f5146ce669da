/**
 * `RingBuffer`: a bounded, lock-free channel of numbers (or bytes) over one `SharedArrayBuffer`,
 * for any number of writers and readers (Dmitry Vyukov's bounded MPMC queue: each cell carries a
 * sequence number, so a writer or reader claims a cell with one compare-and-swap and publishes it
 * with one store). Blocking reads and writes sleep on a counter and are notified only when someone
 * sleeps: a busy channel costs no system call.
 * @module
 */
import { TimeoutError } from "../futures/errors.js";
import { checkInteger } from "../util/validate.js";
import { checkedDeadline, type TimeoutOptions } from "./lock.js";
import { remaining, requireSharedMemory, waitAsync, waitSync } from "./memory.js";
import { SHARED_BRAND, TO_WIRE, registerKind } from "./shareable.js";
import { typedArrayClass, type ElementType } from "./shared-array.js";

const ENQ = 0;
const DEQ = 1;
const PUTS = 2; // bumped after a write while readers sleep: they sleep on it
const TAKES = 3; // bumped after a read while writers sleep: they sleep on it
const READERS_WAITING = 4;
const WRITERS_WAITING = 5;
const HEADER = 8; // ints

/** The value type of a ring of element type `T`. */
export type RingValue<T extends ElementType> = T extends "bigint64" | "biguint64" ? bigint : number;

type Values = { [i: number]: number | bigint; readonly length: number; slice(start?: number, end?: number): Values; subarray(start?: number, end?: number): Values };

/** Options of {@link RingBuffer}. */
export interface RingBufferOptions<T extends ElementType> {
  /** Element type. @defaultValue `"float64"` */
  type?: T | undefined;
}

/** Thrown by `write` / `writeSync` when time ran out: `written` says how many values went in. */
export interface PartialWrite extends TimeoutError {
  written: number;
}

/**
 * A bounded channel of numbers between threads, through shared memory instead of `postMessage`:
 * many writers and many readers, each value delivered once.
 * @example
 * ```ts
 * const ring = new RingBuffer(1024, { type: "float64" });
 * pool.submit("produce", ring);             // in a worker: ring.writeSync([1, 2, 3])
 * const values = await ring.read(100);       // up to 100 values, waiting for at least one
 * ```
 */
export class RingBuffer<T extends ElementType = "float64"> {
  readonly #head: Int32Array;
  readonly #seqs: Int32Array;
  readonly #values: Values;
  readonly #mask: number;
  readonly #type: T;
  readonly #buffer: SharedArrayBuffer;

  /** @param capacity - values it holds at most (rounded up to a power of two). */
  constructor(capacity: number, options?: RingBufferOptions<T>);
  /** @internal */
  constructor(capacity: number, options: RingBufferOptions<T>, wire: SharedArrayBuffer);
  constructor(capacity: number, options: RingBufferOptions<T> = {}, wire?: SharedArrayBuffer) {
    const type = (options.type ?? "float64") as T;
    const C = typedArrayClass(type, "RingBuffer");
    let size = 2;
    if (!wire) {
      checkInteger(capacity, "RingBuffer: capacity", 1);
      if (capacity > 1 << 28) throw new RangeError(`RingBuffer: capacity must be at most 2^28, got ${capacity}`);
      while (size < capacity) size *= 2;
      requireSharedMemory("RingBuffer");
    } else {
      size = new Int32Array(wire, 0, HEADER)[6] as number;
    }
    const valuesAt = Math.ceil((4 * (HEADER + size)) / 8) * 8;
    this.#buffer = wire ?? new SharedArrayBuffer(valuesAt + size * C.BYTES_PER_ELEMENT);
    this.#head = new Int32Array(this.#buffer, 0, HEADER);
    this.#seqs = new Int32Array(this.#buffer, 4 * HEADER, size);
    this.#values = new C(this.#buffer as unknown as ArrayBuffer, valuesAt, size) as unknown as Values;
    this.#mask = size - 1;
    this.#type = type;
    if (!wire) {
      this.#head[6] = size;
      for (let i = 0; i < size; i++) this.#seqs[i] = i;
    }
  }

  /** Values it can hold. */
  get capacity(): number {
    return this.#mask + 1;
  }

  /** The element type. */
  get type(): T {
    return this.#type;
  }

  /** Values in it now (a snapshot). */
  get size(): number {
    const n = (Atomics.load(this.#head, ENQ) - Atomics.load(this.#head, DEQ)) | 0;
    return n < 0 ? 0 : n > this.#mask + 1 ? this.#mask + 1 : n;
  }

  /** Adds one value if there is room. @returns whether it went in. */
  tryPush(value: RingValue<T>): boolean {
    if (!this.#push(value)) return false;
    this.#wroteSome();
    return true;
  }

  /** Takes one value, or `undefined` if there is none. */
  tryShift(): RingValue<T> | undefined {
    const v = this.#shift();
    if (v === EMPTY) return undefined;
    this.#tookSome();
    return v as RingValue<T>;
  }

  /** Writes as many of `values` as fit now. @returns how many. */
  tryWrite(values: ArrayLike<RingValue<T>>): number {
    const head = this.#head;
    const seqs = this.#seqs;
    const mask = this.#mask;
    let n = 0;
    while (n < values.length) {
      // Claim as many free cells in a row as are wanted, with one compare-and-swap.
      const pos = Atomics.load(head, ENQ);
      const want = values.length - n;
      let k = 0;
      while (k < want && Atomics.load(seqs, (pos + k) & mask) === ((pos + k) | 0)) k++;
      if (k === 0) {
        if (Atomics.load(head, ENQ) === pos) break; // full
        continue;
      }
      if (Atomics.compareExchange(head, ENQ, pos, (pos + k) | 0) !== pos) continue;
      for (let j = 0; j < k; j++) {
        const i = (pos + j) & mask;
        this.#values[i] = values[n + j] as number | bigint;
        Atomics.store(seqs, i, (pos + j + 1) | 0);
      }
      n += k;
    }
    if (n > 0) this.#wroteSome();
    return n;
  }

  /** Reads what is there now, up to `max` values (possibly none). */
  tryRead(max = this.capacity): ArrayLike<RingValue<T>> & Iterable<RingValue<T>> {
    const head = this.#head;
    const seqs = this.#seqs;
    const mask = this.#mask;
    const out = this.#newValues(Math.max(0, Math.min(max, this.size)));
    let n = 0;
    while (n < out.length) {
      // Claim as many published cells in a row as fit, with one compare-and-swap.
      const pos = Atomics.load(head, DEQ);
      const want = out.length - n;
      let k = 0;
      while (k < want && Atomics.load(seqs, (pos + k) & mask) === ((pos + k + 1) | 0)) k++;
      if (k === 0) {
        if (Atomics.load(head, DEQ) === pos) break; // empty (or the next value is still being written)
        continue;
      }
      if (Atomics.compareExchange(head, DEQ, pos, (pos + k) | 0) !== pos) continue;
      for (let j = 0; j < k; j++) {
        const i = (pos + j) & mask;
        out[n + j] = this.#values[i] as number | bigint;
        Atomics.store(seqs, i, (pos + j + mask + 1) | 0);
      }
      n += k;
    }
    if (n > 0) this.#tookSome();
    return out.subarray(0, n) as unknown as ArrayLike<RingValue<T>> & Iterable<RingValue<T>>;
  }

  /**
   * Writes all of `values`, waiting for room as needed.
   * @throws {@link TimeoutError} (with `written`) if `timeout` ms pass first.
   */
  async write(values: ArrayLike<RingValue<T>>, options?: TimeoutOptions): Promise<void> {
    const deadline = checkedDeadline(options, "RingBuffer.write");
    let written = 0;
    for (;;) {
      const seen = Atomics.load(this.#head, TAKES);
      written += this.tryWrite(slice(values, written));
      if (written === values.length) return;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) throw partial(written, values.length);
      Atomics.add(this.#head, WRITERS_WAITING, 1);
      if (this.size === this.capacity && Atomics.load(this.#head, TAKES) === seen) await waitAsync(this.#head, TAKES, seen, left);
      Atomics.sub(this.#head, WRITERS_WAITING, 1);
    }
  }

  /** {@link RingBuffer.write}, blocking (workers only). */
  writeSync(values: ArrayLike<RingValue<T>>, options?: TimeoutOptions): void {
    const deadline = checkedDeadline(options, "RingBuffer.writeSync");
    let written = 0;
    for (;;) {
      const seen = Atomics.load(this.#head, TAKES);
      written += this.tryWrite(slice(values, written));
      if (written === values.length) return;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) throw partial(written, values.length);
      Atomics.add(this.#head, WRITERS_WAITING, 1);
      if (this.size === this.capacity && Atomics.load(this.#head, TAKES) === seen) waitSync(this.#head, TAKES, seen, left);
      Atomics.sub(this.#head, WRITERS_WAITING, 1);
    }
  }

  /**
   * Reads up to `max` values, waiting until there is at least one.
   * @throws {@link TimeoutError} if `timeout` ms pass with nothing to read.
   */
  async read(max = this.capacity, options?: TimeoutOptions): Promise<ArrayLike<RingValue<T>> & Iterable<RingValue<T>>> {
    const deadline = checkedDeadline(options, "RingBuffer.read");
    for (;;) {
      const seen = Atomics.load(this.#head, PUTS);
      const got = this.tryRead(max);
      if (got.length > 0 || max === 0) return got;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) throw new TimeoutError(`RingBuffer.read: nothing to read within ${options?.timeout} ms`);
      Atomics.add(this.#head, READERS_WAITING, 1);
      if (this.size === 0 && Atomics.load(this.#head, PUTS) === seen) await waitAsync(this.#head, PUTS, seen, left);
      Atomics.sub(this.#head, READERS_WAITING, 1);
    }
  }

  /** {@link RingBuffer.read}, blocking (workers only). */
  readSync(max = this.capacity, options?: TimeoutOptions): ArrayLike<RingValue<T>> & Iterable<RingValue<T>> {
    const deadline = checkedDeadline(options, "RingBuffer.readSync");
    for (;;) {
      const seen = Atomics.load(this.#head, PUTS);
      const got = this.tryRead(max);
      if (got.length > 0 || max === 0) return got;
      const left = deadline === 0 ? 0 : remaining(deadline);
      if (left <= 0) throw new TimeoutError(`RingBuffer.readSync: nothing to read within ${options?.timeout} ms`);
      Atomics.add(this.#head, READERS_WAITING, 1);
      if (this.size === 0 && Atomics.load(this.#head, PUTS) === seen) waitSync(this.#head, PUTS, seen, left);
      Atomics.sub(this.#head, READERS_WAITING, 1);
    }
  }

  // Vyukov: a cell is free for the writer at `pos` when its sequence equals pos.
  #push(value: number | bigint): boolean {
    const head = this.#head;
    const seqs = this.#seqs;
    let pos = Atomics.load(head, ENQ);
    for (;;) {
      const i = pos & this.#mask;
      const dif = (Atomics.load(seqs, i) - pos) | 0;
      if (dif === 0) {
        if (Atomics.compareExchange(head, ENQ, pos, (pos + 1) | 0) === pos) {
          this.#values[i] = value;
          Atomics.store(seqs, i, (pos + 1) | 0);
          return true;
        }
        pos = Atomics.load(head, ENQ);
      } else if (dif < 0) {
        return false; // full
      } else {
        pos = Atomics.load(head, ENQ);
      }
    }
  }

  // …and holds a value for the reader at `pos` when its sequence equals pos + 1.
  #shift(): number | bigint | typeof EMPTY {
    const head = this.#head;
    const seqs = this.#seqs;
    let pos = Atomics.load(head, DEQ);
    for (;;) {
      const i = pos & this.#mask;
      const dif = (Atomics.load(seqs, i) - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        if (Atomics.compareExchange(head, DEQ, pos, (pos + 1) | 0) === pos) {
          const v = this.#values[i] as number | bigint;
          Atomics.store(seqs, i, (pos + this.#mask + 1) | 0);
          return v;
        }
        pos = Atomics.load(head, DEQ);
      } else if (dif < 0) {
        return EMPTY;
      } else {
        pos = Atomics.load(head, DEQ);
      }
    }
  }

  // A write costs one load unless a reader sleeps. A reader registers as waiting, then looks again
  // before it sleeps (see read): either it sees the value, or the writer sees the reader.
  #wroteSome(): void {
    if (Atomics.load(this.#head, READERS_WAITING) > 0) {
      Atomics.add(this.#head, PUTS, 1);
      Atomics.notify(this.#head, PUTS);
    }
  }

  #tookSome(): void {
    if (Atomics.load(this.#head, WRITERS_WAITING) > 0) {
      Atomics.add(this.#head, TAKES, 1);
      Atomics.notify(this.#head, TAKES);
    }
  }

  #newValues(n: number): Values {
    const C = typedArrayClass(this.#type, "RingBuffer");
    return new C(n) as unknown as Values;
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "RingBuffer";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.#type, this.#buffer], []];
  }
}

const EMPTY = Symbol("empty");

function slice<V>(values: ArrayLike<V>, from: number): ArrayLike<V> {
  if (from === 0) return values;
  const s = (values as { subarray?: (a: number) => ArrayLike<V>; slice?: (a: number) => ArrayLike<V> });
  return s.subarray?.(from) ?? s.slice?.(from) ?? Array.prototype.slice.call(values, from);
}

function partial(written: number, total: number): PartialWrite {
  const error = new TimeoutError(`RingBuffer.write: only ${written} of ${total} values went in before the timeout`) as PartialWrite;
  error.written = written;
  return error;
}

// How a worker (or this thread, for a result) rebuilds one from its wire state (see revive.ts).
registerKind("RingBuffer", ([type, buffer]) => new RingBuffer(0, { type }, buffer));
