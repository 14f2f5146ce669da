/**
 * A thread's link to the broker of another process (a child reaching its parent's objects): a
 * helper thread of its own does the socket I/O, so that requests leave while this thread computes
 * (as Python's queue feeder thread does) and blocking requests can block. This thread writes
 * request records into a shared byte ring; the helper forwards them and hands replies back —
 * async ones by message, blocking ones through a shared slot.
 * @internal
 * @module
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { InvalidStateError } from "../../../src/futures/errors.js";
import type { Link } from "../../../src/remote/link.js";
import { Pending, unwaitedId } from "../../../src/remote/pending.js";
import { FLAG_NO_REPLY, FLAG_SYNC, REPLY_ERROR, REQUEST_HEADER, RecordReader, requestRecord, type Reply } from "../../../src/remote/records.js";
import { OP_FLUSH, decodeFailure } from "../../../src/remote/ops.js";
import { giveBackAll, reportHandedOut } from "../../../src/remote/loans.js";
import { SyncSlot } from "../../../src/remote/sync-slot.js";
import { ByteRing } from "./ring.js";
import { Deque } from "../../../src/pool/scheduler/deque.js";
import { linkThreadFile } from "./files.js";

const RING_BYTES = 8 << 20;

export class SocketLink implements Link {
  /** Requests keep their order on the connection, and a child reports a result only once they are done. */
  readonly writeBehind = true;
  readonly #ring = new ByteRing(RING_BYTES);
  readonly #slot = new SyncSlot();
  readonly #pending: Pending;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #replies = new RecordReader<Reply>("reply");
  /** Records that found no room in the ring, each followed by what to call once it is in; in order. */
  readonly #backlog = new Deque<Uint8Array | (() => void)>(64);
  #draining = false;
  #held = false;
  #unflushed = false;

  constructor(readonly address: string, token: string) {
    this.#pending = new Pending(`the process that owns these objects (${address})`);
    // Replies come on a port of their own, which a blocked call can read without the event loop.
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(linkThreadFile(), {
      workerData: { address, token, ring: this.#ring.buffer, slot: this.#slot.buffer, replies: port2 },
      transferList: [port2],
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    // The helper thread never holds this process open: pending requests do (see #hold).
    this.#worker.unref();
    port1.unref();
    port1.on("message", (m: Uint8Array | { down: string }) => this.#receive(m));
    this.#worker.on("error", (error) => this.#pending.fail(error));
  }

  #receive(m: Uint8Array | { down: string }): void {
    if (m instanceof Uint8Array) {
      for (const reply of this.#replies.feed(m)) this.#pending.settle(reply);
    } else {
      this.#pending.fail(new InvalidStateError(`the objects of another process cannot be reached any more: ${m.down}`));
    }
    this.#hold();
  }

  call(op: number, object: number, payload: Uint8Array): Promise<Uint8Array> {
    reportHandedOut();
    this.#pending.check(object);
    const id = this.#pending.id();
    const reply = this.#pending.wait(id);
    this.#hold(); // before the request is written: the helper thread must know a reply is awaited
    this.#put(op, 0, id, object, payload);
    return reply;
  }

  send(op: number, object: number, payload: Uint8Array, blocking = false): Promise<void> | undefined {
    reportHandedOut();
    this.#pending.check(object);
    const written = this.#put(op, FLAG_NO_REPLY, unwaitedId(object), object, payload, blocking);
    this.#unflushed = true;
    return written;
  }

  /**
   * Resolves once what was sent without waiting (puts, pipe sends) is in place at the broker, or
   * `undefined` at once when nothing was: a child reports a task's result only after that.
   */
  flushed(): Promise<unknown> | undefined {
    // Items taken ahead and not handed out go back first (a later task may not take them).
    giveBackAll(this);
    if (!this.#unflushed) return undefined;
    this.#unflushed = false;
    return this.call(OP_FLUSH, 0, new Uint8Array(0)).catch(() => {});
  }

  callSync(op: number, object: number, payload: Uint8Array): Uint8Array {
    reportHandedOut();
    this.#pending.check(object);
    this.#flushBacklogSync();
    const id = this.#pending.id();
    this.#slot.expect(id);
    if (!this.#ring.tryWriteRecord(op, FLAG_SYNC, id, object, payload)) {
      this.#ring.waitForRoomSync(REQUEST_HEADER + payload.length, Infinity);
      this.#ring.tryWriteRecord(op, FLAG_SYNC, id, object, payload);
    }
    const { status, payload: out } = this.#slot.receive();
    // Replies that came before this one (a refused put…) are read now: this call is the "next call"
    // that reports them.
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) this.#receive(m.message as Uint8Array);
    this.#pending.check(object);
    if (status === REPLY_ERROR) throw decodeFailure(out, `the process that owns these objects (${this.address})`);
    return out;
  }

  // Requests in flight keep the program alive (a thread awaiting one must not see it end under it).
  // Their count also tells the helper thread whether anyone waits for a reply (see link-thread.ts).
  #hold(): void {
    this.#ring.setWord(this.#pending.size);
    const busy = this.#pending.size > 0;
    if (busy === this.#held) return;
    this.#held = busy;
    if (busy) this.#port.ref();
    else this.#port.unref();
  }

  // A request goes into the ring at once when it fits and nothing waits before it. Else it waits
  // in line (a full ring is the broker falling behind): `blocking` (a sync caller) waits here; an
  // async caller gets a promise of its turn — back-pressure instead of an ever-growing backlog.
  #put(op: number, flags: number, id: number, object: number, payload: Uint8Array, blocking = false): Promise<void> | undefined {
    const backlog = this.#backlog;
    if (backlog.length === 0 && this.#ring.tryWriteRecord(op, flags, id, object, payload)) return undefined;
    const record = requestRecord(op, flags, id, object, payload);
    if (record.length > this.#ring.capacity) throw new RangeError(`a request of ${record.length} bytes is larger than the link can carry (${this.#ring.capacity})`);
    if (blocking) {
      this.#flushBacklogSync();
      this.#ring.waitForRoomSync(record.length, Infinity);
      this.#ring.tryWrite(record);
      return undefined;
    }
    const written = new Promise<void>((resolve) => {
      backlog.push(record);
      backlog.push(resolve);
    });
    if (!this.#draining) void this.#drain();
    return written;
  }

  // The ring was full: what waits goes in as room appears, in order, without blocking this thread.
  async #drain(): Promise<void> {
    this.#draining = true;
    const backlog = this.#backlog;
    try {
      while (backlog.length > 0) {
        const next = backlog.peek() as Uint8Array;
        if (!this.#ring.tryWrite(next)) {
          await this.#ring.roomChanged();
          continue;
        }
        backlog.shift();
        (backlog.shift() as () => void)();
      }
    } finally {
      this.#draining = false;
    }
  }

  #flushBacklogSync(): void {
    const backlog = this.#backlog;
    while (backlog.length > 0) {
      const next = backlog.peek() as Uint8Array;
      if (!this.#ring.tryWrite(next)) {
        this.#ring.waitForRoomSync(next.length, Infinity);
        continue;
      }
      backlog.shift();
      (backlog.shift() as () => void)();
    }
  }
}

/** This thread's links, one per broker. */
const links = new Map<string, SocketLink>();

/** The link of this thread to the broker at `address` (made on first use). */
export function socketLink(address: string, token: string): SocketLink {
  let link = links.get(address);
  if (!link) links.set(address, (link = new SocketLink(address, token)));
  return link;
}

/** Resolves once every link of this thread has flushed what it sent without waiting (see `flushed`). */
export function linksFlushed(): Promise<unknown> | undefined {
  let all: Promise<unknown>[] | undefined;
  for (const link of links.values()) {
    const f = link.flushed();
    if (f) (all ??= []).push(f);
  }
  return all && Promise.all(all);
}
