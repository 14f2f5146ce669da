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
import { JoinableQueue, Queue } from "./queue.js";
import { RingBuffer } from "./ring-buffer.js";
import { BoundedSemaphore, Semaphore } from "./semaphore.js";
import { SharedArray, type ElementType } from "./shared-array.js";
import { WIRE_KEY, isShareable, isWireShared, toWire, type WireShared } from "./shareable.js";

export function revive(wire: WireShared): object {
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

/** Replaces each shareable argument with its wire form; its ports go to `transfer`. @returns whether any was. */
export function encodeShared(values: unknown[], transfer: object[]): boolean {
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isShareable(v)) {
      values[i] = toWire(v, transfer);
      any = true;
    }
  }
  return any;
}

/** Rebuilds the wire forms in `values[from…to)` in place. */
export function reviveShared(values: unknown[], from = 0, to = values.length): void {
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (isWireShared(v)) values[i] = revive(v);
  }
}
