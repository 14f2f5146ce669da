/**
 * A thread's link to a broker of its own process (a Manager's store), over a message port: requests
 * of one turn go in one message, replies come back the same way; a blocking request waits on a
 * shared slot the broker writes its reply into.
 * @internal
 * @module
 */
import type { Link } from "./link.js";
import { Pending, unwaitedId } from "./pending.js";
import { FLAG_NO_REPLY, FLAG_SYNC, REPLY_ERROR, RecordReader, RecordWriter, type Reply } from "./records.js";
import { decodeFailure } from "./ops.js";
import { SyncSlot } from "./sync-slot.js";
import type { PortLike } from "./broker-core.js";

/** A port, with Node's ref/unref where there are. */
type LinkPort = PortLike & { ref?(): void; unref?(): void };

export class PortLink implements Link {
  readonly #port: LinkPort;
  readonly #slot: SyncSlot;
  readonly #pending = new Pending("the Manager");
  readonly #writer = new RecordWriter();
  readonly #replies = new RecordReader<Reply>("reply");
  #flushQueued = false;
  #held = false;

  constructor(port: LinkPort, slot: SharedArrayBuffer) {
    this.#port = port;
    this.#slot = new SyncSlot(slot);
    port.addEventListener("message", (event) => {
      for (const reply of this.#replies.feed(event.data as Uint8Array)) this.#pending.settle(reply);
      this.#hold();
    });
    port.start();
    port.unref?.(); // an idle link holds no program open; requests in flight do (see #hold)
  }

  call(op: number, object: number, payload: Uint8Array): Promise<Uint8Array> {
    this.#pending.check(object);
    const id = this.#pending.id();
    const reply = this.#pending.wait(id);
    this.#writer.request(op, 0, id, object, payload);
    this.#schedule();
    this.#hold();
    return reply;
  }

  send(op: number, object: number, payload: Uint8Array): void {
    this.#pending.check(object);
    this.#writer.request(op, FLAG_NO_REPLY, unwaitedId(object), object, payload);
    this.#schedule();
  }

  callSync(op: number, object: number, payload: Uint8Array): Uint8Array {
    this.#pending.check(object);
    this.#writer.request(op, FLAG_SYNC, this.#pending.id(), object, payload);
    this.#flush();
    const { status, payload: out } = this.#slot.receive();
    if (status === REPLY_ERROR) throw decodeFailure(out, "the Manager");
    return out;
  }

  /** A new link to the same broker for another thread: its port (to transfer) and slot. */
  attach(): { port: object; slot: SharedArrayBuffer } {
    const { port1, port2 } = new MessageChannel() as { port1: object; port2: object };
    const slot = new SyncSlot().buffer;
    this.#flush(); // requests made before the proxy moved go first
    this.#port.postMessage({ attach: port1, slot }, [port1]);
    return { port: port2, slot };
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
