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
import { MAX_DEPTH, MAX_VISITS, isPlain, setOwn } from "./encode.js";
import { WIRE_KEY, isWireShared, noteShared, remoteReviver, type WireShared } from "./shareable.js";

export { encodeShared, holdsShared } from "./encode.js";
export { setRemoteReviver } from "./shareable.js";

export function revive(wire: WireShared): object {
  noteShared();
  if ((wire as { remote?: unknown }).remote !== undefined) {
    const reviveRemote = remoteReviver();
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

let visits = 0;

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
