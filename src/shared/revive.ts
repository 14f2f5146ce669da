/**
 * Rebuilds a shared-memory object from its wire form, around the same memory (or port).
 * @internal
 * @module
 */
import { Barrier } from "./barrier.js";
import { Condition } from "./condition.js";
import { Event } from "./event.js";
import { Lock, RLock } from "./lock.js";
import { Connection } from "./pipe.js";
import { Queue } from "./queue.js";
import { JoinableQueue } from "./joinable-queue.js";
import { RingBuffer } from "./ring-buffer.js";
import { BoundedSemaphore, Semaphore } from "./semaphore.js";
import { SharedArray, type ElementType } from "./shared-array.js";
import { WIRE_KEY, isShareable, isWireShared, noteShared, toWire, type Shareable, type WireShared } from "./shareable.js";

/**
 * Rebuilds objects that live in another process (a wire form with `remote`): set by the platform
 * where such objects can arrive (a child process, or the process that owns them).
 */
let reviveRemote: ((wire: WireShared) => object) | undefined;

/** @internal */
export function setRemoteReviver(fn: (wire: WireShared) => object): void {
  reviveRemote = fn;
}

export function revive(wire: WireShared): object {
  noteShared();
  if ((wire as { remote?: unknown }).remote !== undefined) {
    if (reviveRemote) return reviveRemote(wire);
    throw new TypeError(
      `a ${wire[WIRE_KEY]} of another process arrived where it cannot be used (only Node child processes of its owner, and their threads, can reach it)`,
    );
  }
  const [a, b, c] = wire.state as [any, any, any];
  switch (wire[WIRE_KEY]) {
    case "Lock":
      return new Lock(a);
    case "RLock":
      return new RLock(a);
    case "Semaphore":
      return new Semaphore(0, a);
    case "BoundedSemaphore":
      return new BoundedSemaphore(0, a);
    case "Event":
      return new Event(a);
    case "Condition":
      return new Condition(b === "RLock" ? new RLock(c) : new Lock(c), undefined, a);
    case "Barrier":
      return new Barrier(0, c === null ? {} : { timeout: c as number }, [a, b]);
    case "SharedArray":
      return new SharedArray(a as ElementType, 0, [b, new RLock(c)]);
    case "RingBuffer":
      return new RingBuffer(0, { type: a as ElementType }, b);
    case "Queue":
      return new Queue(undefined, a);
    case "JoinableQueue":
      return new JoinableQueue(undefined, a);
    case "Connection":
      return new Connection(a, b, c);
    default:
      throw new TypeError(`unknown shared object kind ${JSON.stringify(wire[WIRE_KEY])}: are both sides the same version of isofutures?`);
  }
}

// Shareables are looked for inside plain objects and arrays (not class instances, maps or typed
// arrays), down to MAX_DEPTH levels and at most MAX_VISITS values per argument list, so that a
// huge or cyclic argument costs a bounded walk.
const MAX_DEPTH = 8;
const MAX_VISITS = 100_000;
let visits = 0;

function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets a data property (a key named "__proto__" stays a key, not the prototype). */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

function holds(value: unknown, depth: number, seen: Set<object>): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isShareable(value)) return true;
  if (depth >= MAX_DEPTH || seen.has(value) || ++visits > MAX_VISITS || !isPlain(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holds(value[i], depth + 1, seen)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (holds((value as Record<string, unknown>)[key], depth + 1, seen)) return true;
  return false;
}

/** Whether `values` hold a shareable, as a whole or inside plain objects and arrays. */
export function holdsShared(values: readonly unknown[]): boolean {
  visits = 0;
  const seen = new Set<object>();
  for (let i = 0; i < values.length; i++) if (holds(values[i], 0, seen)) return true;
  return false;
}

/**
 * `value` with its shareables replaced by wire forms. Plain containers are copied (the caller's
 * objects are left alone); `memo` maps each original to its copy, so cycles and shared references
 * keep their shape and a shareable met twice becomes one wire form (one object in the worker).
 */
function encode(value: unknown, transfer: object[], depth: number, memo: Map<object, unknown>, share: ShareFn): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (isShareable(value)) {
    const wire = share(value, transfer);
    memo.set(value, wire);
    return wire;
  }
  if (depth >= MAX_DEPTH || ++visits > MAX_VISITS || !isPlain(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    memo.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = encode(value[i], transfer, depth + 1, memo, share);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.getPrototypeOf(record) === null ? Object.create(null) : {};
  memo.set(value, copy);
  for (const key of Object.keys(record)) setOwn(copy, key, encode(record[key], transfer, depth + 1, memo, share));
  return copy;
}

/** How one shareable becomes what crosses (see `WorkerFactory.shareObject`). */
type ShareFn = (value: Shareable, transfer: object[]) => WireShared;

/**
 * Replaces each shareable in `values` (whole or nested) by its wire form (or what `share` makes of
 * it: a handle for another process); ports go to `transfer`.
 */
export function encodeShared(values: unknown[], transfer: object[], share: ShareFn = toWire): void {
  visits = 0;
  const memo = new Map<object, unknown>();
  for (let i = 0; i < values.length; i++) values[i] = encode(values[i], transfer, 0, memo, share);
}

function reviveIn(value: unknown, depth: number, memo: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (isWireShared(value)) {
    const revived = revive(value);
    memo.set(value, revived);
    return revived;
  }
  if (depth >= MAX_DEPTH || ++visits > MAX_VISITS || !isPlain(value)) return value;
  memo.set(value, value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = reviveIn(v, depth + 1, memo);
      if (r !== v) value[i] = r;
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      const r = reviveIn(v, depth + 1, memo);
      if (r !== v) setOwn(record, key, r);
    }
  }
  return value;
}

/** Rebuilds the wire forms in `values[from…to)`, whole or nested, in place (the worker's own copy). */
export function reviveShared(values: unknown[], from = 0, to = values.length): void {
  visits = 0;
  const memo = new Map<object, unknown>();
  for (let i = from; i < to; i++) values[i] = reviveIn(values[i], 0, memo);
}
