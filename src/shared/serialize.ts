/**
 * A compact binary form of structured-cloneable values, for queues in shared memory (structured
 * clone itself has no synchronous bytes form in browsers). Keeps the types `postMessage` keeps:
 * primitives (bigint too), arrays (holes read back as undefined), plain objects, Map, Set, Date,
 * RegExp, ArrayBuffer, typed arrays and DataView (copied), errors (name, message, stack, cause),
 * shared and circular references.
 * @internal
 * @module
 */
import { describe } from "../util/describe.js";

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_INT = 5;
const T_STRING = 6;
const T_BIGINT = 7;
const T_DATE = 8;
const T_REGEXP = 9;
const T_ARRAY = 10;
const T_OBJECT = 11;
const T_MAP = 12;
const T_SET = 13;
const T_ARRAYBUFFER = 14;
const T_VIEW = 15;
const T_ERROR = 16;
const T_REF = 17;

const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView] as const;
const ERRORS: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  at = 0;
  readonly seen = new Map<object, number>();
  busy = false;

  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.at));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.bytes[this.at++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }
  str(s: string): void {
    this.room(4 + 3 * s.length);
    const { written } = encoder.encodeInto(s, this.bytes.subarray(this.at + 4));
    this.view.setUint32(this.at, written, true);
    this.at += 4 + written;
  }
  raw(b: Uint8Array): void {
    this.u32(b.length);
    this.room(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
}

/** Encodes `value`; throws TypeError for what structured clone would refuse. */
export function encode(value: unknown): Uint8Array {
  // One writer, reused: encoding a small item then costs one exact-size copy, not a fresh buffer,
  // view and map. (A getter that encodes while this encodes gets a writer of its own.)
  const w = shared.busy ? new Writer() : shared;
  w.busy = true;
  w.at = 0;
  try {
    put(w, value);
    return w.bytes.slice(0, w.at);
  } finally {
    w.busy = false;
    if (w.seen.size > 0) w.seen.clear();
    if (w.bytes.length > 1 << 16) {
      w.bytes = new Uint8Array(256); // a huge item does not keep its buffer
      w.view = new DataView(w.bytes.buffer);
    }
  }
}

const shared = new Writer();

function put(w: Writer, v: unknown): void {
  switch (typeof v) {
    case "undefined":
      return w.u8(T_UNDEFINED);
    case "boolean":
      return w.u8(v ? T_TRUE : T_FALSE);
    case "number":
      if ((v | 0) === v && !Object.is(v, -0)) {
        w.u8(T_INT);
        w.room(4);
        w.view.setInt32(w.at, v, true);
        w.at += 4;
        return;
      }
      w.u8(T_NUMBER);
      return w.f64(v);
    case "string":
      w.u8(T_STRING);
      return w.str(v);
    case "bigint":
      w.u8(T_BIGINT);
      return w.str(v.toString());
    case "object":
      if (v === null) return w.u8(T_NULL);
      return putObject(w, v);
    default:
      throw new TypeError(`${describe(v)} cannot be put in a queue: items must be structured-cloneable`);
  }
}

function putObject(w: Writer, v: object): void {
  const ref = w.seen.get(v);
  if (ref !== undefined) {
    w.u8(T_REF);
    return w.u32(ref);
  }
  w.seen.set(v, w.seen.size);
  if (typeof SharedArrayBuffer === "function" && (v instanceof SharedArrayBuffer || (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer))) {
    throw new TypeError("shared memory cannot be put in a queue (it would be copied): pass it to tasks as an argument instead");
  }
  if (Array.isArray(v)) {
    w.u8(T_ARRAY);
    w.u32(v.length);
    for (let i = 0; i < v.length; i++) put(w, v[i]);
  } else if (v instanceof Date) {
    w.u8(T_DATE);
    w.f64(v.getTime());
  } else if (v instanceof RegExp) {
    w.u8(T_REGEXP);
    w.str(v.source);
    w.str(v.flags);
  } else if (v instanceof Map) {
    w.u8(T_MAP);
    w.u32(v.size);
    for (const [k, x] of v) {
      put(w, k);
      put(w, x);
    }
  } else if (v instanceof Set) {
    w.u8(T_SET);
    w.u32(v.size);
    for (const x of v) put(w, x);
  } else if (v instanceof ArrayBuffer) {
    w.u8(T_ARRAYBUFFER);
    w.raw(new Uint8Array(v));
  } else if (ArrayBuffer.isView(v)) {
    const kind = VIEWS.findIndex((C) => v instanceof C);
    if (kind < 0) throw new TypeError(`${describe(v)} cannot be put in a queue`);
    w.u8(T_VIEW);
    w.u8(kind);
    w.raw(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (v instanceof Error) {
    w.u8(T_ERROR);
    w.str(v.name);
    w.str(v.message);
    w.str(v.stack ?? "");
    put(w, "cause" in v ? v.cause : undefined);
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${describe(v)} cannot be put in a queue: only plain objects, arrays, Map, Set, Date, RegExp, errors, buffers and primitives can`);
    }
    const keys = Object.keys(v);
    w.u8(T_OBJECT);
    w.u32(keys.length);
    for (const k of keys) {
      w.str(k);
      put(w, (v as Record<string, unknown>)[k]);
    }
  }
}

// Numbers are read through these 8 bytes, not a DataView per decoded value: decoding a small item
// (a queue's number) is dominated by what it allocates.
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchF64 = new Float64Array(scratch);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class Reader {
  at = 0;
  readonly refs: unknown[] = [];
  constructor(readonly bytes: Uint8Array) {}
  u8(): number {
    return this.bytes[this.at++] as number;
  }
  i32(): number {
    const b = this.bytes;
    const at = this.at;
    this.at = at + 4;
    return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24);
  }
  u32(): number {
    return this.i32() >>> 0;
  }
  f64(): number {
    const b = this.bytes;
    for (let i = 0; i < 8; i++) scratchBytes[LITTLE_ENDIAN ? i : 7 - i] = b[this.at + i] as number;
    this.at += 8;
    return scratchF64[0] as number;
  }
  str(): string {
    const n = this.u32();
    const s = decoder.decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  raw(): Uint8Array {
    const n = this.u32();
    // A copy, even when `bytes` is a Node Buffer (whose slice() is a view of the same memory).
    const b = Uint8Array.prototype.slice.call(this.bytes, this.at, this.at + n);
    this.at += n;
    return b;
  }
}

/** Decodes what {@link encode} made. */
export function decode(bytes: Uint8Array): unknown {
  return get(new Reader(bytes));
}

function get(r: Reader): unknown {
  const tag = r.u8();
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT:
      return r.i32();
    case T_NUMBER:
      return r.f64();
    case T_STRING:
      return r.str();
    case T_BIGINT:
      return BigInt(r.str());
    case T_REF:
      return r.refs[r.u32()];
    case T_ARRAY: {
      const out: unknown[] = [];
      r.refs.push(out);
      const n = r.u32();
      for (let i = 0; i < n; i++) out.push(get(r));
      return out;
    }
    case T_DATE: {
      const d = new Date(r.f64());
      r.refs.push(d);
      return d;
    }
    case T_REGEXP: {
      const source = r.str();
      const re = new RegExp(source, r.str());
      r.refs.push(re);
      return re;
    }
    case T_MAP: {
      const m = new Map();
      r.refs.push(m);
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const k = get(r);
        m.set(k, get(r));
      }
      return m;
    }
    case T_SET: {
      const s = new Set();
      r.refs.push(s);
      const n = r.u32();
      for (let i = 0; i < n; i++) s.add(get(r));
      return s;
    }
    case T_ARRAYBUFFER: {
      const b = r.raw().buffer;
      r.refs.push(b);
      return b;
    }
    case T_VIEW: {
      const C = VIEWS[r.u8()] as unknown as new (b: ArrayBuffer) => ArrayBufferView;
      const view = new C(r.raw().buffer as ArrayBuffer);
      r.refs.push(view);
      return view;
    }
    case T_ERROR: {
      const name = r.str();
      const message = r.str();
      const C = ERRORS[name] ?? Error;
      const e = new C(message);
      r.refs.push(e);
      if (e.name !== name) Object.defineProperty(e, "name", { value: name, writable: true, configurable: true });
      Object.defineProperty(e, "stack", { value: r.str(), writable: true, configurable: true });
      const cause = get(r);
      if (cause !== undefined) Object.defineProperty(e, "cause", { value: cause, writable: true, configurable: true });
      return e;
    }
    case T_OBJECT: {
      const o: Record<string, unknown> = {};
      r.refs.push(o);
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const k = r.str();
        Object.defineProperty(o, k, { value: get(r), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    default:
      throw new TypeError(`corrupt queue item (tag ${tag})`);
  }
}
