/**
 * A thread's link to a broker of its own process (a Manager's store): requests go through the
 * process's shared request queue (thread-ring.ts), or on the port itself where there is none (a
 * browser page); replies come back on the port; a blocking request waits on a shared slot the
 * broker writes its reply into.
 * @internal
 * @module
 */
import { ShutdownError } from "../futures/errors.js";
import type { Link } from "./link.js";
import { Pending, unwaitedId } from "./pending.js";
import { FLAG_NO_REPLY, FLAG_SYNC, REPLY_ERROR, RecordReader, RecordWriter, type Reply } from "./records.js";
import { decodeFailure } from "./ops.js";
import { SyncSlot } from "./sync-slot.js";
import { RequestRing } from "./thread-ring.js";
import type { PortLike } from "./broker-core.js";

/** A port, with Node's ref/unref and close event where there are. */
type LinkPort = PortLike & { ref?(): void; unref?(): void; on?(event: "close", listener: () => void): unknown };

/** The process's request queue, and this link's number on it. */
export interface RingSeat {
  buffer: SharedArrayBuffer;
  client: number;
}

/** What another thread needs to get a link of its own to the same broker. */
export type Attachment = { port: object; slot: SharedArrayBuffer; ring?: RingSeat };

export class PortLink implements Link {
  readonly #port: LinkPort;
  readonly #slot: SyncSlot;
  readonly #ring: RequestRing | undefined;
  readonly #client: number;
  readonly #pending = new Pending("the Manager");
  readonly #writer = new RecordWriter();
  readonly #replies = new RecordReader<Reply>("reply");
  /** Requests waiting for room in the ring, in order. */
  // An array, not the scheduler's Deque: the ring is seldom full, and a browser's Manager (whose
  // links have no ring) then needs no part of the scheduler.
  readonly #backlog: Uint8Array[] = [];
  #draining = false;
  #flushQueued = false;
  #held = false;

  /**
   * With a ring, requests keep the order in which every thread of the process made them, so a
   * change need not wait for its answer: the next request, from anywhere, sees it.
   */
  get writeBehind(): boolean {
    return this.#ring !== undefined;
  }

  constructor(port: LinkPort, slot: SharedArrayBuffer, ring?: RingSeat) {
    this.#port = port;
    this.#slot = new SyncSlot(slot);
    this.#ring = ring && new RequestRing(ring.buffer);
    this.#client = ring?.client ?? 0;
    port.addEventListener("message", (event) => {
      for (const reply of this.#replies.feed(event.data as Uint8Array)) this.#pending.settle(reply);
      this.#hold();
    });
    port.start();
    port.unref?.(); // an idle link holds no program open; requests in flight do (see #hold)
    // Node tells when the other end is gone (the broker stopped): what waits fails, and what comes.
    port.on?.("close", () => {
      this.#pending.fail(new ShutdownError("the Manager was shut down (or the thread that kept it ended)"));
      this.#hold();
    });
  }

  call(op: number, object: number, payload: Uint8Array): Promise<Uint8Array> {
    this.#pending.check(object);
    const id = this.#pending.id();
    const reply = this.#pending.wait(id);
    this.#submit(op, 0, id, object, payload);
    this.#hold();
    return reply;
  }

  send(op: number, object: number, payload: Uint8Array, blocking = false): void {
    this.#pending.check(object);
    const ring = this.#ring;
    if (blocking && ring) {
      for (let next = this.#backlog.shift(); next; next = this.#backlog.shift()) ring.writeSync(next);
      ring.writeSync(RequestRing.item(this.#client, op, FLAG_NO_REPLY, unwaitedId(object), object, payload));
      return;
    }
    this.#submit(op, FLAG_NO_REPLY, unwaitedId(object), object, payload);
  }

  callSync(op: number, object: number, payload: Uint8Array): Uint8Array {
    this.#pending.check(object);
    const id = this.#pending.id();
    const ring = this.#ring;
    if (ring) {
      for (let next = this.#backlog.shift(); next; next = this.#backlog.shift()) ring.writeSync(next);
      ring.writeSync(RequestRing.item(this.#client, op, FLAG_SYNC, id, object, payload));
    } else {
      this.#writer.request(op, FLAG_SYNC, id, object, payload);
      this.#flush();
    }
    const { status, payload: out } = this.#slot.receive();
    if (status === REPLY_ERROR) throw decodeFailure(out, "the Manager");
    return out;
  }

  /** A new link to the same broker for another thread: its port (to transfer), slot and seat. */
  attach(): Attachment {
    const { port1, port2 } = new MessageChannel() as { port1: object; port2: object };
    const slot = new SyncSlot().buffer;
    const client = this.#ring ? newClient() : undefined;
    this.#flush(); // requests made before the proxy moved go first
    this.#port.postMessage({ attach: port1, slot, client }, [port1]);
    return { port: port2, slot, ...(client === undefined ? {} : { ring: { buffer: (this.#ring as RequestRing).buffer, client } }) };
  }

  #submit(op: number, flags: number, id: number, object: number, payload: Uint8Array): void {
    const ring = this.#ring;
    if (!ring) {
      this.#writer.request(op, flags, id, object, payload);
      this.#schedule();
      return;
    }
    const item = RequestRing.item(this.#client, op, flags, id, object, payload);
    if (this.#backlog.length === 0 && ring.queue.tryPutBytes(item)) return;
    this.#backlog.push(item);
    if (!this.#draining) void this.#drain(ring);
  }

  // The ring was full: the requests go in as room appears, in order, without blocking this thread.
  async #drain(ring: RequestRing): Promise<void> {
    this.#draining = true;
    try {
      for (let next = this.#backlog[0]; next; next = this.#backlog[0]) {
        await ring.write(next);
        this.#backlog.shift();
      }
    } finally {
      this.#draining = false;
    }
  }

  #schedule(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#writer.length === 0) return;
    const bytes = this.#writer.take();
    this.#port.postMessage(bytes, [bytes.buffer]);
  }

  #hold(): void {
    const busy = this.#pending.size > 0;
    if (busy === this.#held) return;
    this.#held = busy;
    if (busy) this.#port.ref?.();
    else this.#port.unref?.();
  }
}

/** A client number on a ring: random, so that threads need not agree on one (never 0). */
export function newClient(): number {
  return ((Math.random() * 0x7fffffff) | 0) + 1;
}
