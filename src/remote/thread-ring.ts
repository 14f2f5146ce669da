/**
 * How the threads of one process send requests to their broker: all through one queue in shared
 * memory, each request stamped with its client (a thread's link). One queue for every thread keeps
 * the order in which requests were made across threads — a value a thread set is there for a
 * request another thread makes after it (the broker also reads this queue before any child's
 * request) — so a set need not wait for its answer. Answers go back on each client's port.
 *
 *   item  client u32 · request record (see records.ts)
 * @internal
 * @module
 */
import { Queue } from "../shared/queue.js";
import { TO_WIRE } from "../shared/shareable.js";
import { REQUEST_HEADER, type Request } from "./records.js";

/** Requests queued and not yet read, in bytes, at most. */
export const RING_BYTES = 16 << 20;
/** What no ring request may exceed (the rest of the queue's room goes to the others). */
export const MAX_RING_REQUEST = RING_BYTES >> 2;

export class RequestRing {
  readonly queue: Queue;
  readonly buffer: SharedArrayBuffer;

  constructor(buffer?: SharedArrayBuffer) {
    this.queue = buffer ? new Queue(undefined, buffer) : new Queue({ capacity: RING_BYTES });
    this.buffer = buffer ?? (this.queue[TO_WIRE]()[0][0] as SharedArrayBuffer);
  }

  static item(client: number, op: number, flags: number, id: number, object: number, payload: Uint8Array): Uint8Array {
    if (payload.length > MAX_RING_REQUEST) {
      throw new RangeError(`a value of ${payload.length} bytes is larger than a Manager takes (${MAX_RING_REQUEST} bytes)`);
    }
    const out = new Uint8Array(4 + REQUEST_HEADER + payload.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, client, true);
    v.setUint8(4, op);
    v.setUint8(5, flags);
    v.setUint32(6, id, true);
    v.setUint32(10, object, true);
    v.setUint32(14, payload.length, true);
    out.set(payload, 4 + REQUEST_HEADER);
    return out;
  }

  /** Queues a request, blocking this thread while the queue is full (workers and child processes). */
  writeSync(item: Uint8Array): void {
    const q = this.queue;
    while (!q.tryPutBytes(item)) {
      // Full: the broker is behind. Wait for it (briefly, again and again) rather than spin.
      Atomics.wait((nap ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 0.1);
    }
  }

  /** Queues a request, waiting (without blocking) while the queue is full. */
  write(item: Uint8Array): void | Promise<void> {
    if (this.queue.tryPutBytes(item)) return;
    return this.queue.putBytesAs(undefined, item, undefined);
  }

  /** The broker's side: every request queued so far, with its client. */
  *drain(): Generator<[client: number, request: Request]> {
    for (const item of this.queue.takeAllBytes()) {
      const v = new DataView(item.buffer, item.byteOffset, item.byteLength);
      const len = v.getUint32(14, true);
      yield [
        v.getUint32(0, true),
        { op: v.getUint8(4), flags: v.getUint8(5), id: v.getUint32(6, true), object: v.getUint32(10, true), payload: item.subarray(4 + REQUEST_HEADER, 4 + REQUEST_HEADER + len) },
      ];
    }
  }
}

let nap: Int32Array | undefined;
