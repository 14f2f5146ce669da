/**
 * What a holder of remote objects may ask of the broker: one code per operation, grouped by kind.
 * Arguments and results travel encoded with the shared objects' own byte format
 * (shared/serialize.ts: the structured-clone types), except a queue's items, which travel as the
 * very bytes the queue stores — the broker copies them in and out without decoding them.
 * @internal
 * @module
 */
import { readLength, writeLength } from "../shared/byte-ring.js";
import { decode, encode } from "../shared/serialize.js";
import { decodeError, encodeError } from "../wire/error-codec.js";
import type { WireError } from "../wire/protocol.js";

/** The first request on a connection: its payload is the broker's token. */
export const OP_HELLO = 1;
/**
 * Answered once every earlier request of this requester that keeps order (puts, sends) is done:
 * what a child sent without waiting is in place before it reports a result.
 */
export const OP_FLUSH = 2;

export const LOCK_ACQUIRE = 10; // [timeout] → boolean
export const LOCK_RELEASE = 11;
export const LOCK_LOCKED = 12; // → boolean

export const SEM_ACQUIRE = 20; // [timeout] → boolean
export const SEM_RELEASE = 21; // [n]
export const SEM_VALUE = 22; // → number

export const EVENT_SET = 30;
export const EVENT_CLEAR = 31;
export const EVENT_IS_SET = 32; // → boolean
export const EVENT_WAIT = 33; // [timeout] → boolean

export const COND_WAIT = 40; // [timeout] → boolean
export const COND_NOTIFY = 41; // [n]

export const BARRIER_WAIT = 50; // [timeout] → index
export const BARRIER_ABORT = 51;
export const BARRIER_RESET = 52;
export const BARRIER_STATE = 53; // → [parties, nWaiting, broken]

export const QUEUE_PUT = 60; // payload: the item's bytes (FLAG_NO_REPLY: unbounded queues)
export const QUEUE_PUT_WAIT = 61; // [timeout, bytes] (a queue with maxsize)
export const QUEUE_GET = 62; // [timeout] → the item's bytes
export const QUEUE_STATE = 63; // → [qsize, maxsize]
export const QUEUE_CLOSE = 64;
export const QUEUE_TASK_DONE = 65;
export const QUEUE_JOIN = 66; // [timeout] → boolean
/**
 * [timeout, max, handed out] → items' bytes and items left ({@link packItems}): waits for one
 * item, then takes up to `max` in all that are there — lent to the requester, which hands them out
 * one by one, reports how many it did (QUEUE_ACK, or with its next QUEUE_TAKE) and gives back the
 * rest when it stops (QUEUE_RETURN). A requester that goes away gives back, at the front, what it
 * was lent and had not reported handed out.
 */
export const QUEUE_TAKE = 67;
export const QUEUE_ACK = 68; // [n]: n more lent items handed out
export const QUEUE_RETURN = 69; // the lent items not handed out go back to the front

export const CONN_SEND = 70; // payload: the value's bytes
export const CONN_RECV = 71; // [timeout] → [got, bytes?] (got: 0 timed out, 1 a value, 2 end)
export const CONN_POLL = 72; // [timeout] → boolean
export const CONN_CLOSE = 73;

export const DICT_GET = 80; // [key] → value
export const DICT_SET = 81; // [key, value]
export const DICT_DELETE = 82; // [key] → boolean
export const DICT_HAS = 83; // [key] → boolean
export const DICT_KEYS = 84; // → keys
export const DICT_ENTRIES = 85; // → [key, value][]
export const DICT_SIZE = 86; // → number
export const DICT_UPDATE = 87; // [entries]

export const LIST_APPEND = 90; // [value]
export const LIST_GET = 91; // [index] → value
export const LIST_SET = 92; // [index, value]
export const LIST_LENGTH = 93; // → number
export const LIST_SLICE = 94; // [start, end] → values
export const LIST_POP = 95; // → value

/** Encodes an operation's arguments (or a result). */
export function pack(value: unknown): Uint8Array {
  return encode(value);
}

/** Decodes what {@link pack} made. */
export function unpack(bytes: Uint8Array): unknown {
  return bytes.length === 0 ? undefined : decode(bytes);
}

/**
 * The answer to QUEUE_TAKE: items still encoded, and how many the queue has left. Laid out by hand
 * (left, count, then each item's length and bytes) rather than packed as an array of byte arrays:
 * this is the busiest answer between processes, and the general encoding spent more time on it
 * than on everything else the broker does for an item.
 */
export function packItems(items: readonly Uint8Array[], left: number): Uint8Array {
  let total = 8;
  for (const item of items) total += 4 + item.length;
  const out = new Uint8Array(total);
  let at = writeLength(out, left, 0);
  at = writeLength(out, items.length, at);
  for (const item of items) {
    at = writeLength(out, item.length, at);
    out.set(item, at);
    at += item.length;
  }
  return out;
}

/** Reads what {@link packItems} made: the items are views of `bytes` (each answer has bytes of its own). */
export function unpackItems(bytes: Uint8Array): [Uint8Array[], number] {
  if (bytes.length < 8) return [[], 0];
  const left = readLength(bytes, 0);
  const n = readLength(bytes, 4);
  const items: Uint8Array[] = new Array(n);
  let at = 8;
  for (let i = 0; i < n; i++) {
    const len = readLength(bytes, at);
    items[i] = bytes.subarray(at + 4, at + 4 + len);
    at += 4 + len;
  }
  return [items, left];
}

/** An error as a reply's payload. */
export function encodeFailure(error: unknown): Uint8Array {
  return encode(encodeError(error));
}

/** The error a failed reply carries, rebuilt with its class. */
export function decodeFailure(bytes: Uint8Array, where: string): unknown {
  return decodeError(decode(bytes) as WireError, where);
}
