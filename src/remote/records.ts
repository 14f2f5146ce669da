/**
 * The byte records between a holder of remote objects (a child process, or a thread talking to a
 * Manager) and the broker that owns them. One format for every transport (a socket, a message port):
 *
 *   request  op u8 · flags u8 · request id u32 · object id u32 · length u32 · payload
 *   reply    status u8 · request id u32 · length u32 · payload
 *
 * Records are self-delimiting, so a stream of them needs no framing and many travel in one write.
 * Payloads are opaque here: arguments and results encoded by the caller (see ops.ts).
 * @internal
 * @module
 */

export const REQUEST_HEADER = 14;
export const REPLY_HEADER = 9;
/** A record longer than this is taken for garbage (or an attack): the connection is closed. */
export const MAX_RECORD = 1 << 30;

/** Request flag: reply only if the request failed (the caller did not wait for it). */
export const FLAG_NO_REPLY = 1;
/** Request flag: the caller blocks for the reply (it goes to the caller's sync slot). */
export const FLAG_SYNC = 2;

/** One request as bytes: the record alone (for transports that take one record at a time). */
export function requestRecord(op: number, flags: number, id: number, object: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(REQUEST_HEADER + payload.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, op);
  v.setUint8(1, flags);
  v.setUint32(2, id, true);
  v.setUint32(6, object, true);
  v.setUint32(10, payload.length, true);
  out.set(payload, REQUEST_HEADER);
  return out;
}

/** Reply statuses. */
export const REPLY_OK = 0;
/** The payload is an error (encoded by ops.ts `encodeFailure`). */
export const REPLY_ERROR = 1;

const EMPTY = new Uint8Array(0);

/** Appends records to one growing buffer; `take()` hands the bytes over and starts afresh. */
export class RecordWriter {
  #bytes = new Uint8Array(4096);
  #view = new DataView(this.#bytes.buffer);
  #at = 0;

  get length(): number {
    return this.#at;
  }

  request(op: number, flags: number, id: number, object: number, payload: Uint8Array): void {
    this.#room(REQUEST_HEADER + payload.length);
    const v = this.#view;
    const at = this.#at;
    v.setUint8(at, op);
    v.setUint8(at + 1, flags);
    v.setUint32(at + 2, id, true);
    v.setUint32(at + 6, object, true);
    v.setUint32(at + 10, payload.length, true);
    this.#bytes.set(payload, at + REQUEST_HEADER);
    this.#at = at + REQUEST_HEADER + payload.length;
  }

  reply(status: number, id: number, payload: Uint8Array): void {
    this.#room(REPLY_HEADER + payload.length);
    const v = this.#view;
    const at = this.#at;
    v.setUint8(at, status);
    v.setUint32(at + 1, id, true);
    v.setUint32(at + 5, payload.length, true);
    this.#bytes.set(payload, at + REPLY_HEADER);
    this.#at = at + REPLY_HEADER + payload.length;
  }

  /** The records written so far (a copy the caller owns), and a fresh start. */
  take(): Uint8Array {
    const out = this.#bytes.slice(0, this.#at);
    this.#at = 0;
    if (this.#bytes.length > 1 << 20) {
      this.#bytes = new Uint8Array(4096);
      this.#view = new DataView(this.#bytes.buffer);
    }
    return out;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }
}

/** One request as read. */
export interface Request {
  op: number;
  flags: number;
  id: number;
  object: number;
  payload: Uint8Array;
}

/** One reply as read. */
export interface Reply {
  status: number;
  id: number;
  payload: Uint8Array;
}

/**
 * Reads records from chunks as they arrive (a record may span chunks). `feed` returns the complete
 * records; a length over {@link MAX_RECORD} throws (the stream is not ours: close it).
 */
export class RecordReader<R extends Request | Reply> {
  #pending: Uint8Array = EMPTY;

  constructor(readonly kind: "request" | "reply") {}

  feed(chunk: Uint8Array): R[] {
    // A plain view (a Node Buffer's slice() would not copy, and its payloads are kept by callers).
    let data = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#pending.length > 0) {
      data = new Uint8Array(this.#pending.length + chunk.length);
      data.set(this.#pending);
      data.set(chunk, this.#pending.length);
    }
    const out: R[] = [];
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const header = this.kind === "request" ? REQUEST_HEADER : REPLY_HEADER;
    let at = 0;
    while (data.length - at >= header) {
      const len = view.getUint32(at + header - 4, true);
      if (len > MAX_RECORD) throw new RangeError(`a record of ${len} bytes: not a peer of ours`);
      if (data.length - at < header + len) break;
      const payload = data.subarray(at + header, at + header + len);
      if (this.kind === "request") {
        out.push({ op: view.getUint8(at), flags: view.getUint8(at + 1), id: view.getUint32(at + 2, true), object: view.getUint32(at + 6, true), payload } as R);
      } else {
        out.push({ status: view.getUint8(at), id: view.getUint32(at + 1, true), payload } as R);
      }
      at += header + len;
    }
    // Keep the partial record (copied: the chunk's buffer may be reused by the transport).
    this.#pending = at === data.length ? EMPTY : Uint8Array.prototype.slice.call(data, at);
    return out;
  }
}
