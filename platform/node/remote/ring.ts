/**
 * A one-writer, one-reader byte ring in shared memory: how a thread hands its requests to its link
 * thread without a message per request (and while it computes: the link thread drains the ring on
 * its own). Positions are byte counters that only grow (wrapping at 2^31); the writer publishes a
 * whole write at once, so the reader only ever sees whole records. Either side sleeps on the
 * other's counter and is woken only when it sleeps.
 * @internal
 * @module
 */
import { waitAsync } from "../../../src/shared/memory.js";
import { REQUEST_HEADER } from "../../../src/remote/records.js";

const WRITE = 0;
const READ = 1;
/** 1 while the reader waits for bytes. */
const READER_SLEEPS = 2;
/** 1 while the writer waits for room. */
const WRITER_SLEEPS = 3;
/** A word for the two sides' own use (the link: how many replies its thread awaits). */
const WORD = 4;
const HEADER_INTS = 5;

export class ByteRing {
  readonly buffer: SharedArrayBuffer;
  readonly #head: Int32Array;
  readonly #data: Uint8Array;
  readonly #mask: number;

  /** A new ring of `capacity` bytes (a power of two), or one around `buffer` (the other side's). */
  constructor(capacityOrBuffer: number | SharedArrayBuffer) {
    this.buffer = typeof capacityOrBuffer === "number" ? new SharedArrayBuffer(4 * HEADER_INTS + capacityOrBuffer) : capacityOrBuffer;
    this.#head = new Int32Array(this.buffer, 0, HEADER_INTS);
    this.#data = new Uint8Array(this.buffer, 4 * HEADER_INTS);
    this.#mask = this.#data.length - 1;
  }

  get capacity(): number {
    return this.#data.length;
  }

  /** Bytes written and not yet read. */
  get used(): number {
    return (Atomics.load(this.#head, WRITE) - Atomics.load(this.#head, READ)) | 0;
  }

  /**
   * Writes one request record (see src/remote/records.ts) without building it first, or nothing if
   * there is no room for all of it.
   */
  tryWriteRecord(op: number, flags: number, id: number, object: number, payload: Uint8Array): boolean {
    const n = REQUEST_HEADER + payload.length;
    const w = Atomics.load(this.#head, WRITE);
    if (this.capacity - ((w - Atomics.load(this.#head, READ)) | 0) < n) return false;
    const header = this.#header;
    const hv = this.#headerView;
    header[0] = op;
    header[1] = flags;
    hv.setUint32(2, id, true);
    hv.setUint32(6, object, true);
    hv.setUint32(10, payload.length, true);
    this.#copyIn(payload, this.#copyIn(header, w & this.#mask));
    Atomics.store(this.#head, WRITE, (w + n) | 0);
    if (Atomics.load(this.#head, READER_SLEEPS) !== 0) Atomics.notify(this.#head, WRITE);
    return true;
  }

  readonly #header = new Uint8Array(REQUEST_HEADER);
  readonly #headerView = new DataView(this.#header.buffer);

  // Copies `src` in at ring index `at` (wrapping); returns the index after it.
  #copyIn(src: Uint8Array, at: number): number {
    const n = src.length;
    const first = Math.min(n, this.capacity - at);
    this.#data.set(first === n ? src : src.subarray(0, first), at);
    if (first < n) this.#data.set(src.subarray(first), 0);
    return (at + n) & this.#mask;
  }

  /** Sets a word the two sides use as they please (see {@link WORD}). */
  setWord(value: number): void {
    Atomics.store(this.#head, WORD, value);
  }

  getWord(): number {
    return Atomics.load(this.#head, WORD);
  }

  /** Writes all of `bytes`, or nothing if there is no room for all of it. */
  tryWrite(bytes: Uint8Array): boolean {
    const n = bytes.length;
    const w = Atomics.load(this.#head, WRITE);
    if (this.capacity - ((w - Atomics.load(this.#head, READ)) | 0) < n) return false;
    const at = w & this.#mask;
    const first = Math.min(n, this.capacity - at);
    this.#data.set(first === n ? bytes : bytes.subarray(0, first), at);
    if (first < n) this.#data.set(bytes.subarray(first), 0);
    Atomics.store(this.#head, WRITE, (w + n) | 0);
    if (Atomics.load(this.#head, READER_SLEEPS) !== 0) Atomics.notify(this.#head, WRITE);
    return true;
  }

  /** Blocks (Atomics.wait) until `n` bytes fit or `deadline` (performance.now()) passes. */
  waitForRoomSync(n: number, deadline: number): boolean {
    for (;;) {
      const r = Atomics.load(this.#head, READ);
      if (this.capacity - ((Atomics.load(this.#head, WRITE) - r) | 0) >= n) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.store(this.#head, WRITER_SLEEPS, 1);
      Atomics.wait(this.#head, READ, r, Math.min(left, 50));
      Atomics.store(this.#head, WRITER_SLEEPS, 0);
    }
  }

  /** Resolves once the reader has taken something (room may have appeared). */
  async roomChanged(): Promise<void> {
    const r = Atomics.load(this.#head, READ);
    Atomics.store(this.#head, WRITER_SLEEPS, 1);
    await waitAsync(this.#head, READ, r, 50);
    Atomics.store(this.#head, WRITER_SLEEPS, 0);
  }

  /** Takes everything written so far (a copy), or `undefined` when there is nothing. */
  read(): Uint8Array | undefined {
    const r = Atomics.load(this.#head, READ);
    const n = (Atomics.load(this.#head, WRITE) - r) | 0;
    if (n === 0) return undefined;
    const out = new Uint8Array(n);
    const at = r & this.#mask;
    const first = Math.min(n, this.capacity - at);
    out.set(this.#data.subarray(at, at + first));
    if (first < n) out.set(this.#data.subarray(0, n - first), first);
    Atomics.store(this.#head, READ, (r + n) | 0);
    if (Atomics.load(this.#head, WRITER_SLEEPS) !== 0) Atomics.notify(this.#head, READ);
    return out;
  }

  /** Resolves when bytes may have been written (or after `ms`). */
  async written(ms: number): Promise<void> {
    const w = Atomics.load(this.#head, WRITE);
    Atomics.store(this.#head, READER_SLEEPS, 1);
    if (((Atomics.load(this.#head, WRITE) - w) | 0) === 0 && ((w - Atomics.load(this.#head, READ)) | 0) === 0) {
      await waitAsync(this.#head, WRITE, w, ms);
    }
    Atomics.store(this.#head, READER_SLEEPS, 0);
  }
}
