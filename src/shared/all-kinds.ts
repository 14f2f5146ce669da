/**
 * Every shared-object class, for the entries that may be sent any kind: workers (whatever the caller
 * passes them) and the broker of cross-process objects. Each class's module registers how to rebuild
 * it as it loads; naming the classes here keeps every module, and so every registration, in such an
 * entry's bundle, even under `"sideEffects": false`.
 * @internal
 * @module
 */
import { Barrier } from "./barrier.js";
import { Condition } from "./condition.js";
import { Event } from "./event.js";
import { JoinableQueue } from "./joinable-queue.js";
import { Lock, RLock } from "./lock.js";
import { Connection } from "./pipe.js";
import { Queue } from "./queue.js";
import { RingBuffer } from "./ring-buffer.js";
import { BoundedSemaphore, Semaphore } from "./semaphore.js";
import { noteAllKinds } from "./shareable.js";
import { SharedArray } from "./shared-array.js";

const ALL = [Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier, SharedArray, RingBuffer, Queue, JoinableQueue, Connection];

/** Makes sure every kind can be rebuilt here; gives how many classes there are. */
export function allKinds(): number {
  noteAllKinds();
  return ALL.length;
}
