/**
 * A thread's link to the broker of another process (a child reaching its parent's objects): a
 * helper thread of its own does the socket I/O, so that requests leave while this thread computes
 * (as Python's queue feeder thread does) and blocking requests can block. This thread writes
 * request records into a shared byte ring; the helper forwards them and hands replies back —
 * async ones by message, blocking ones through a shared slot.
 * @internal
 * @module
 */
import { Worker } from "node:worker_threads";
import { InvalidStateError } from "../../../src/futures/errors.js";
import type { Link } from "../../../src/remote/link.js";
import { Pending, unwaitedId } from "../../../src/remote/pending.js";
import { FLAG_NO_REPLY, FLAG_SYNC, REPLY_ERROR, RecordReader, requestRecord, type Reply } from "../../../src/remote/records.js";
import { OP_FLUSH, decodeFailure } from "../../../src/remote/ops.js";
import { SyncSlot } from "../../../src/remote/sync-slot.js";
import { ByteRing } from "./ring.js";
import { linkThreadFile } from "./files.js";

const RING_BYTES = 1 << 20;

export class SocketLink implements Link {
  readonly #ring = new ByteRing(RING_BYTES);
  readonly #slot = new SyncSlot();
  readonly #pending: Pending;
  readonly #worker: Worker;
  readonly #replies = new RecordReader<Reply>("reply");
  /** Records that found no room in the ring, in order; they go before anything written later. */
  #overflow: Uint8Array[] = [];
  #draining = false;
  #held = false;
  #unflushed = false;

  constructor(readonly address: string, token: string) {
    this.#pending = new Pending(`the process that owns these objects (${address})`);
    this.#worker = new Worker(linkThreadFile(), {
      workerData: { address, token, ring: this.#ring.buffer, slot: this.#slot.buffer },
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    // The helper thread never holds this process open: pending requests do (see #hold).
    this.#worker.unref();
    this.#worker.on("message", (bytes: Uint8Array | { down: string }) => {
      if (bytes instanceof Uint8Array) {
        for (const reply of this.#replies.feed(bytes)) this.#pending.settle(reply);
      } else {
        this.#pending.fail(new InvalidStateError(`the objects of another process cannot be reached any more: ${bytes.down}`));
      }
      this.#hold();
    });
    this.#worker.on("error", (error) => this.#pending.fail(error));
  }

  call(op: number, object: number, payload: Uint8Array): Promise<Uint8Array> {
    this.#pending.check(object);
    const id = this.#pending.id();
    const reply = this.#pending.wait(id);
    this.#put(requestRecord(op, 0, id, object, payload));
    this.#hold();
    return reply;
  }

  send(op: number, object: number, payload: Uint8Array): void {
    this.#pending.check(object);
    this.#put(requestRecord(op, FLAG_NO_REPLY, unwaitedId(object), object, payload));
    this.#unflushed = true;
  }

  /**
   * Resolves once what was sent without waiting (puts, pipe sends) is in place at the broker, or
   * `undefined` at once when nothing was: a child reports a task's result only after that.
   */
  flushed(): Promise<unknown> | undefined {
    if (!this.#unflushed) return undefined;
    this.#unflushed = false;
    return this.call(OP_FLUSH, 0, new Uint8Array(0)).catch(() => {});
  }

  callSync(op: number, object: number, payload: Uint8Array): Uint8Array {
    this.#pending.check(object);
    this.#flushOverflowSync();
    const record = requestRecord(op, FLAG_SYNC, this.#pending.id(), object, payload);
    if (!this.#ring.tryWrite(record)) {
      this.#ring.waitForRoomSync(record.length, Infinity);
      this.#ring.tryWrite(record);
    }
    const { status, payload: out } = this.#slot.receive();
    if (status === REPLY_ERROR) throw decodeFailure(out, `the process that owns these objects (${this.address})`);
    return out;
  }

  // Requests in flight keep the program alive (a thread awaiting one must not see it end under it).
  #hold(): void {
    const busy = this.#pending.size > 0;
    if (busy === this.#held) return;
    this.#held = busy;
    if (busy) this.#worker.ref();
    else this.#worker.unref();
  }

  #put(record: Uint8Array): void {
    if (this.#overflow.length === 0 && this.#ring.tryWrite(record)) return;
    if (record.length > this.#ring.capacity) throw new RangeError(`a request of ${record.length} bytes is larger than the link can carry (${this.#ring.capacity})`);
    this.#overflow.push(record);
    if (!this.#draining) void this.#drain();
  }

  // The ring was full: move what waits into it as room appears, without blocking this thread.
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#overflow.length > 0) {
        const next = this.#overflow[0] as Uint8Array;
        if (this.#ring.tryWrite(next)) this.#overflow.shift();
        else await this.#ring.roomChanged();
      }
    } finally {
      this.#draining = false;
    }
  }

  #flushOverflowSync(): void {
    while (this.#overflow.length > 0) {
      const next = this.#overflow[0] as Uint8Array;
      if (this.#ring.tryWrite(next)) this.#overflow.shift();
      else this.#ring.waitForRoomSync(next.length, Infinity);
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
