/**
 * Where a blocking request's reply is handed to the thread that waits for it (with `Atomics.wait`):
 * a word to sleep on and a data area in shared memory. A reply larger than the area goes in chunks,
 * the waiting thread taking each before the next is written.
 * @internal
 * @module
 */
import { waitAsync } from "../shared/memory.js";

const STATE = 0;
const STATUS = 1;
const LENGTH = 2; // bytes in this chunk
const TOTAL = 3; // bytes in the whole reply
/** The id of the blocking request whose reply the waiting thread expects (0: none). */
const AWAITED = 4;
const HEADER = 5;

const IDLE = 0;
/** A chunk is ready for the waiting thread. */
const READY = 1;

/** Default size of the data area. */
const AREA = 64 * 1024;

export class SyncSlot {
  readonly buffer: SharedArrayBuffer;
  readonly #head: Int32Array;
  readonly #data: Uint8Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(4 * HEADER + AREA);
    this.#head = new Int32Array(this.buffer, 0, HEADER);
    this.#data = new Uint8Array(this.buffer, 4 * HEADER);
  }

  /** The waiting side, before it sends its request: the reply to request `id` goes here. */
  expect(id: number): void {
    Atomics.store(this.#head, AWAITED, id);
  }

  /** The answering side: is a thread blocked on a request? */
  awaiting(): boolean {
    return Atomics.load(this.#head, AWAITED) !== 0;
  }

  /** The answering side: is request `id` the one a thread is blocked on? */
  awaits(id: number): boolean {
    return id !== 0 && Atomics.load(this.#head, AWAITED) === id;
  }

  /** The waiting side: blocks until the whole reply is there. */
  receive(): { status: number; payload: Uint8Array } {
    let out: Uint8Array | undefined;
    let got = 0;
    for (;;) {
      while (Atomics.load(this.#head, STATE) !== READY) Atomics.wait(this.#head, STATE, IDLE);
      const total = Atomics.load(this.#head, TOTAL);
      const n = Atomics.load(this.#head, LENGTH);
      out ??= new Uint8Array(total);
      out.set(this.#data.subarray(0, n), got);
      got += n;
      const status = Atomics.load(this.#head, STATUS);
      if (got >= total) Atomics.store(this.#head, AWAITED, 0);
      Atomics.store(this.#head, STATE, IDLE);
      Atomics.notify(this.#head, STATE);
      if (got >= total) return { status, payload: out };
    }
  }

  /** The answering side: hands `payload` over, chunk by chunk, each once the last was taken. */
  async deliver(status: number, payload: Uint8Array): Promise<void> {
    const area = this.#data.length;
    let at = 0;
    do {
      while (Atomics.load(this.#head, STATE) !== IDLE) await waitAsync(this.#head, STATE, READY, 1000);
      const n = Math.min(area, payload.length - at);
      this.#data.set(payload.subarray(at, at + n));
      Atomics.store(this.#head, STATUS, status);
      Atomics.store(this.#head, LENGTH, n);
      Atomics.store(this.#head, TOTAL, payload.length);
      at += n;
      Atomics.store(this.#head, STATE, READY);
      Atomics.notify(this.#head, STATE);
    } while (at < payload.length);
  }
}
