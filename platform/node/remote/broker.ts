/**
 * The owner's side of a broker (see broker-thread.ts): starts the broker thread when the first
 * object must reach a child process (or the first Manager store is made), registers objects with it
 * (each once, by the memory it lives in), and stops it — removing its socket and directory — when
 * nothing needs it any more or the program exits.
 * @internal
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { UnsupportedError } from "../../../src/futures/errors.js";
import type { BrokerCommand } from "../../../src/remote/broker-core.js";
import { REMOTE_FORM, type RemoteRef, type WireRemote } from "../../../src/remote/link.js";
import type { ManagerHost } from "../../../src/remote/manager.js";
import { PortLink, newClient } from "../../../src/remote/port-link.js";
import { RequestRing } from "../../../src/remote/thread-ring.js";
import { SyncSlot } from "../../../src/remote/sync-slot.js";
import { SHARED_BRAND, TO_WIRE, WIRE_KEY, toWire, type Shareable, type WireShared } from "../../../src/shared/shareable.js";
import { brokerThreadFile } from "./files.js";
import { installRemote } from "./install.js";

/** Kinds that live in memory only threads can share: refused on the way to a child process. */
const THREADS_ONLY: Record<string, string> = {
  SharedArray: "a SharedArray is memory shared between threads, which processes do not have: pass a Queue (or a Manager list) to a child process instead",
  RingBuffer: "a RingBuffer is memory shared between threads, which processes do not have: pass a Queue to a child process instead",
};

let current: Broker | undefined;

/** A broker's directory: `isofutures-broker-<pid of its program>-<random>`. */
const DIR_PREFIX = "isofutures-broker-";

// A program killed by a signal leaves its broker's directory behind (no exit handler runs): the next
// broker removes those whose program is gone.
function removeStale(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^isofutures-broker-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's, or gone already
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

export class Broker {
  readonly address: string;
  readonly token = randomBytes(24).toString("hex");
  readonly #dir: string;
  readonly #worker: Worker;
  #nextId = 1;
  /** Ids of objects already registered, by the memory (or port) they live in. */
  readonly #ids = new WeakMap<object, number>();
  /** The objects registered, by id (a child may send one back). */
  readonly #objects = new Map<number, object>();
  #refs = 0;
  #link: PortLink | undefined;
  /** The requests of this process's threads, in the order they made them (see thread-ring.ts). */
  readonly #ring = new RequestRing();
  readonly #cleanUp = () => rmSync(this.#dir, { recursive: true, force: true });

  /** This thread's broker, started on first use. */
  static current(): Broker {
    return (current ??= new Broker());
  }

  private constructor() {
    removeStale();
    this.#dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`)); // mode 0700: only this user's processes
    this.address = process.platform === "win32" ? `\\\\?\\pipe\\isofutures-${randomBytes(12).toString("hex")}` : join(this.#dir, "broker.sock");
    this.#worker = new Worker(brokerThreadFile(), {
      workerData: { address: this.address, token: this.token, ring: this.#ring.buffer },
      execArgv: [],
      name: "isofutures-broker",
    });
    this.#worker.unref(); // it serves; it never holds the program open
    this.#worker.on("error", () => {});
    process.once("exit", this.#cleanUp);
    installRemote((wire) => this.#own(wire));
  }

  /** Something needs the broker (a pool that sent it objects, a Process, a Manager); `release()` when done. */
  ref(): void {
    this.#refs++;
  }

  /** @returns once the broker is gone (its thread ended, its directory removed), if this was the last need. */
  release(): Promise<void> | undefined {
    if (--this.#refs > 0) return undefined;
    if (current === this) current = undefined;
    // The directory goes once the thread has ended: while it runs, its socket comes (listen) and
    // goes (close) on its own, and Node 24's rmSync, racing with either, returns without an error
    // and leaves the directory behind.
    const removeDir = () => {
      process.removeListener("exit", this.#cleanUp);
      try {
        this.#cleanUp();
      } catch {
        // not ours to remove any more (another user's tmp cleaner…): nothing left to do
      }
    };
    return this.#worker.terminate().then(removeDir, removeDir);
  }

  #command(c: BrokerCommand, transfer: readonly object[] = []): void {
    this.#worker.postMessage(c, transfer as never);
  }

  /**
   * How `value` crosses to a child process: registered here (once), sent as a reference. A proxy
   * (of a Manager, or of another process's object) crosses as the reference it is.
   */
  share(value: Shareable): WireShared {
    const plain = (value as { [REMOTE_FORM]?: () => WireShared })[REMOTE_FORM];
    if (plain !== undefined) return plain.call(value);
    const kind = value[SHARED_BRAND];
    const refused = THREADS_ONLY[kind];
    if (refused) throw new UnsupportedError(refused);
    if (kind === "Condition") {
      const lock = (value as unknown as { lock: Shareable }).lock;
      return this.#wire(value, kind, [this.share(lock)]);
    }
    if (kind === "Queue" || kind === "JoinableQueue") return this.#wire(value, kind, (value as unknown as { shape(): number[] }).shape());
    if (kind === "Connection") {
      const c = value as unknown as { readable: boolean; writable: boolean };
      return this.#wire(value, kind, [c.readable, c.writable]);
    }
    return this.#wire(value, kind, []);
  }

  #wire(value: Shareable, kind: string, state: unknown[]): WireRemote {
    // A connection is its port (it moves here); a shared-memory object is its memory.
    const key = kind === "Connection" ? value : memoryOf(value);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#nextId++;
      const transfer: object[] = [];
      const wire = toWire(value, transfer);
      this.#command({ type: "register", id, wire }, transfer);
      this.#ids.set(key, id);
      this.#objects.set(id, value);
    }
    return { [WIRE_KEY]: kind, state, remote: [id, this.address, this.token] };
  }

  // A reference to one of our own objects came back (a child returned it): the object itself.
  #own(wire: WireShared): object | undefined {
    const ref = (wire as WireRemote).remote;
    return ref[1] === this.address ? this.#objects.get(ref[0]) : undefined;
  }

  /** The host a Manager of this thread uses. */
  managerHost(): ManagerHost {
    this.ref();
    let released = false;
    return {
      link: () => (this.#link ??= this.#attach()),
      create: (kind, initial): RemoteRef => {
        const id = this.#nextId++;
        this.#command({ type: "store", id, kind, initial }, []);
        return [id, this.address, this.token];
      },
      drop: (ids) => this.#command({ type: "drop", ids }),
      release: () => {
        if (released) return;
        released = true;
        return this.release();
      },
    };
  }

  #attach(): PortLink {
    const { port1, port2 } = new MessageChannel();
    const slot = new SyncSlot().buffer;
    const client = newClient();
    this.#worker.postMessage({ type: "port", port: port1, slot, client }, [port1]);
    return new PortLink(port2 as never, slot, { buffer: this.#ring.buffer, client });
  }
}

// The first buffer of an object's wire state: the memory it lives in.
function memoryOf(value: Shareable): object {
  const first = value[TO_WIRE]()[0][0];
  return ArrayBuffer.isView(first) ? first.buffer : (first as object);
}
