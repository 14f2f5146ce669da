/**
 * The broker's side of a request on a shared object: runs it on the real object (rebuilt in the
 * broker's thread around the same shared memory, or holding the pipe's port), on behalf of the
 * process that asked (its owner id and whether it is still there: see shared/memory.ts `Acting`).
 * Returns the reply's payload. Errors thrown here become error replies for that request only.
 * @internal
 * @module
 */
import { Barrier } from "../shared/barrier.js";
import { Condition } from "../shared/condition.js";
import { Event } from "../shared/event.js";
import { Lock, RLock } from "../shared/lock.js";
import type { Acting } from "../shared/memory.js";
import { Connection } from "../shared/pipe.js";
import { Queue } from "../shared/queue.js";
import { JoinableQueue } from "../shared/joinable-queue.js";
import { Semaphore } from "../shared/semaphore.js";
import { decode, encode } from "../shared/serialize.js";
import * as op from "./ops.js";

const NOTHING = new Uint8Array(0);
const TRUE = op.pack(true);
const FALSE = op.pack(false);
const bool = (b: boolean): Uint8Array => (b ? TRUE : FALSE);

/** Items of a queue lent to a requester (see ops.ts QUEUE_TAKE): those after `handedOut` are still its. */
interface Loan {
  items: Uint8Array[];
  handedOut: number;
}

/** What the broker keeps of one requester while it serves it. */
export interface Requester extends Acting {
  /** Locks it holds (released if it goes away holding them). */
  readonly holds: Set<Lock | RLock>;
  /** Items lent to it, by queue (given back if it goes away). */
  readonly loans: Map<Queue, Loan>;
}

/** Runs request `code` with `payload` on `target` for `who`. */
export function serve(target: object, code: number, payload: Uint8Array, who: Requester): Uint8Array | Promise<Uint8Array> {
  if (target instanceof Queue) return serveQueue(target, code, payload, who);
  if (target instanceof Lock || target instanceof RLock) return serveLock(target, code, payload, who);
  if (target instanceof Semaphore) return serveSemaphore(target, code, payload, who);
  if (target instanceof Event) return serveEvent(target, code, payload, who);
  if (target instanceof Condition) return serveCondition(target, code, payload, who);
  if (target instanceof Barrier) return serveBarrier(target, code, payload, who);
  if (target instanceof Connection) return serveConnection(target, code, payload, who);
  throw unknownOp(code, target);
}

function unknownOp(code: number, target: object): Error {
  return new TypeError(`request ${code} is not an operation of ${target.constructor.name}`);
}

const timeoutArg = (payload: Uint8Array): number | undefined => op.unpack(payload) as number | undefined;

async function serveLock(lock: Lock | RLock, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.LOCK_ACQUIRE: {
      const ok = await lock.acquireAs(who, timeoutArg(payload));
      if (ok) who.holds.add(lock);
      return bool(ok);
    }
    case op.LOCK_RELEASE:
      lock.releaseAs(who.owner);
      if (!lock.heldBy(who.owner)) who.holds.delete(lock);
      return NOTHING;
    case op.LOCK_LOCKED:
      return bool(lock.locked());
  }
  throw unknownOp(code, lock);
}

async function serveSemaphore(sem: Semaphore, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.SEM_ACQUIRE:
      return bool(await sem.acquireAs(who, timeoutArg(payload)));
    case op.SEM_RELEASE:
      sem.release(op.unpack(payload) as number);
      return NOTHING;
    case op.SEM_VALUE:
      return op.pack(sem.value);
  }
  throw unknownOp(code, sem);
}

async function serveEvent(event: Event, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.EVENT_SET:
      event.set();
      return NOTHING;
    case op.EVENT_CLEAR:
      event.clear();
      return NOTHING;
    case op.EVENT_IS_SET:
      return bool(event.isSet());
    case op.EVENT_WAIT:
      return bool(await event.waitAs(who, timeoutArg(payload)));
  }
  throw unknownOp(code, event);
}

async function serveCondition(cond: Condition, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.COND_WAIT: {
      const notified = await cond.waitAs(who, timeoutArg(payload));
      if (cond.lock.heldBy(who.owner)) who.holds.add(cond.lock);
      else who.holds.delete(cond.lock);
      return bool(notified);
    }
    case op.COND_NOTIFY: {
      const n = op.unpack(payload) as number;
      cond.notifyAs(who.owner, n < 0 ? 0x7fffffff : n);
      return NOTHING;
    }
  }
  throw unknownOp(code, cond);
}

async function serveBarrier(barrier: Barrier, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.BARRIER_WAIT:
      return op.pack(await barrier.waitAs(who, timeoutArg(payload)));
    case op.BARRIER_ABORT:
      barrier.abort();
      return NOTHING;
    case op.BARRIER_RESET:
      barrier.reset();
      return NOTHING;
    case op.BARRIER_STATE:
      return op.pack([barrier.parties, barrier.nWaiting, barrier.broken]);
  }
  throw unknownOp(code, barrier);
}

// The busiest requests (a put with room, a get with an item there) are answered at once, without
// a promise; only those that must wait go the async way.
function serveQueue(queue: Queue, code: number, payload: Uint8Array, who: Requester): Uint8Array | Promise<Uint8Array> {
  if (code === op.QUEUE_PUT) return queue.tryPutBytes(payload) ? NOTHING : queue.putBytesAs(who, payload, undefined).then(() => NOTHING);
  if (code === op.QUEUE_GET) return queue.takeBytes() ?? waitForItem(queue, payload, who);
  return serveQueueSlowly(queue, code, payload, who);
}

async function waitForItem(queue: Queue, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  // Taken for a requester that left meanwhile: that one item is lost with it.
  return (await queue.getBytesAs(who, timeoutArg(payload))) ?? NOTHING;
}

async function serveQueueSlowly(queue: Queue, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.QUEUE_TAKE: {
      const [timeout, max, handedOut] = op.unpack(payload) as [number | undefined, number, number];
      handOut(queue, who, handedOut);
      const first = await queue.getBytesAs(who, timeout);
      if (first === undefined) return NOTHING;
      const items = [first];
      while (items.length < max) {
        const more = takeOrNothing(queue);
        if (more === undefined) break;
        items.push(more);
      }
      const loan = who.loans.get(queue);
      if (loan) loan.items.push(...items);
      else who.loans.set(queue, { items, handedOut: 0 });
      return op.packItems(items, queue.qsize());
    }
    case op.QUEUE_ACK:
      handOut(queue, who, op.unpack(payload) as number);
      return NOTHING;
    case op.QUEUE_RETURN:
      giveBack(queue, who);
      return NOTHING;
    case op.QUEUE_PUT_WAIT: {
      const [timeout, bytes] = op.unpack(payload) as [number | undefined, Uint8Array];
      await queue.putBytesAs(who, bytes, timeout);
      return NOTHING;
    }
    case op.QUEUE_STATE:
      return op.pack([queue.qsize()]);
    case op.QUEUE_CLOSE:
      queue.close();
      return NOTHING;
  }
  if (queue instanceof JoinableQueue) {
    if (code === op.QUEUE_TASK_DONE) {
      queue.taskDone();
      return NOTHING;
    }
    if (code === op.QUEUE_JOIN) return bool(await queue.joinAs(who, timeoutArg(payload)));
  }
  throw unknownOp(code, queue);
}

async function serveConnection(conn: Connection, code: number, payload: Uint8Array, who: Requester): Promise<Uint8Array> {
  switch (code) {
    case op.CONN_SEND:
      conn.send(decode(payload));
      return NOTHING;
    case op.CONN_RECV: {
      // Wait without taking: a requester that leaves meanwhile must not take a message with it.
      const timeout = timeoutArg(payload);
      const ready = await Promise.race([conn.poll(timeout === undefined ? { timeout: 2 ** 31 - 1 } : { timeout }), who.gone.then(() => false)]);
      if (who.isGone) return NOTHING;
      if (!ready) return op.pack([0]);
      try {
        return op.pack([1, encode(await conn.recv({ timeout: 0 }))]);
      } catch (error) {
        if ((error as Error).name === "EOFError") return op.pack([2]);
        throw error;
      }
    }
    case op.CONN_POLL:
      return bool(await conn.poll({ timeout: timeoutArg(payload) ?? 0 }));
    case op.CONN_CLOSE:
      conn.close();
      return NOTHING;
  }
  throw unknownOp(code, conn);
}

// `n` more lent items were handed out by the requester.
function handOut(queue: Queue, who: Requester, n: number): void {
  const loan = who.loans.get(queue);
  if (loan && (loan.handedOut += n) >= loan.items.length) who.loans.delete(queue);
}

// An item if there is one now; nothing (not the closed queue's error) once it is empty.
function takeOrNothing(queue: Queue): Uint8Array | undefined {
  try {
    return queue.takeBytes();
  } catch {
    return undefined;
  }
}

// The items lent to `who` and not handed out go back to the front of the queue, in their order.
function giveBack(queue: Queue, who: Requester): void {
  const loan = who.loans.get(queue);
  if (!loan) return;
  who.loans.delete(queue);
  const rest = loan.items.slice(loan.handedOut);
  const back = queue.putBackBytes(rest);
  // The queue filled up meanwhile (it rarely does): the rest go back as room appears.
  if (back < rest.length) void putBackLater(queue, rest.slice(0, rest.length - back));
}

async function putBackLater(queue: Queue, items: Uint8Array[]): Promise<void> {
  while (items.length > 0) {
    await new Promise<void>((r) => setTimeout(() => r(), 1));
    const back = queue.putBackBytes(items);
    items.length -= back;
  }
}

/**
 * What a requester that went away leaves behind: locks it held are freed, items lent to it go back.
 * @returns how many locks it held.
 */
export function releaseHeld(who: Requester): number {
  let n = 0;
  for (const lock of who.holds) if (lock.releaseIfOwner(who.owner)) n++;
  who.holds.clear();
  for (const queue of [...who.loans.keys()]) giveBack(queue, who);
  return n;
}

