/**
 * The heart of a broker, whatever its transport: the objects it owns (shared objects rebuilt around
 * their memory, Manager stores), and the handling of one requester's requests — in order where order
 * matters (a requester's puts on one queue, its sends down one pipe), concurrently otherwise (a get
 * waiting on one queue holds up nothing else). A request that fails, or names an object that is not
 * there, fails alone. Clients on message ports (threads talking to a Manager) are served here; the
 * platform adds its own transports (a socket server for child processes).
 * @internal
 * @module
 */
import { InvalidStateError, ShutdownError } from "../futures/errors.js";
import { threadId } from "../shared/memory.js";
import type { WireShared } from "../shared/shareable.js";
import * as op from "./ops.js";
import { FLAG_NO_REPLY, FLAG_SYNC, REPLY_ERROR, REPLY_OK, RecordReader, RecordWriter, type Request } from "./records.js";
import type { Requester } from "./serve.js";
import { DictStore, ListStore, serveStore } from "./store.js";
import { SyncSlot } from "./sync-slot.js";
import type { RequestRing } from "./thread-ring.js";

/** An object dropped by `Manager.shutdown()`: requests on it fail with ShutdownError. */
const DROPPED = Symbol("dropped");

/** Requests whose order per requester and object is kept. */
const ORDERED = new Set([op.QUEUE_PUT, op.QUEUE_PUT_WAIT, op.CONN_SEND]);

/** How long a request may wait for its object to be registered (it was sent before the registration arrived). */
const PARK_MS = 10_000;

/** Messages the owner sends its broker. */
export type BrokerCommand =
  | { type: "register"; id: number; wire: WireShared }
  | { type: "store"; id: number; kind: "dict" | "list"; initial: Uint8Array }
  | { type: "drop"; ids: number[] };

/** A port as the broker uses it (Node's MessagePort, a browser's). */
export interface PortLike {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  start(): void;
}

/**
 * How a broker serves shared objects besides Manager stores (serve.ts, revive.ts), given by the
 * brokers that serve them (Node's broker thread). A broker without it keeps Manager stores only (a
 * browser page's Manager) and holds no shared-object class.
 */
export interface SharedServing {
  /** Rebuilds an object the owner registers. */
  revive(wire: WireShared): object;
  serve(target: object, code: number, payload: Uint8Array, who: Requester): Uint8Array | Promise<Uint8Array>;
  /** What a requester that went away leaves behind: its locks are freed, its loans go back. */
  releaseHeld(who: Requester): unknown;
}

/** One requester: how to answer it, and what it holds. */
export abstract class Client {
  readonly who: Requester;
  #resolveGone!: () => void;
  readonly #chains = new Map<number, Promise<void>>();
  readonly #release: ((who: Requester) => unknown) | undefined;

  /** @param release - what to release when it goes away (SharedServing's `releaseHeld`), if it can hold shared objects */
  constructor(release?: (who: Requester) => unknown) {
    const gone = new Promise<void>((r) => (this.#resolveGone = r));
    this.who = { owner: newOwner(), gone, isGone: false, holds: new Set(), loans: new Map() };
    this.#release = release;
  }

  /** Sends one reply (batching is the transport's business). */
  abstract answer(req: Request, status: number, payload: Uint8Array): void;

  /** The requester is gone: its waits give up, the locks it held are freed. */
  leave(): void {
    if (this.who.isGone) return;
    (this.who as { isGone: boolean }).isGone = true;
    this.#resolveGone();
    this.#release?.(this.who);
  }

  /** Resolves once every ordered request of this client so far is done. */
  settled(): Promise<unknown> {
    return Promise.all(this.#chains.values());
  }

  /**
   * Runs `task` after the earlier ordered requests of this client on `object` — at once when none
   * is waiting (the common case: no promise at all); a task that must wait holds up the later ones.
   */
  ordered(object: number, task: () => Promise<void> | undefined): void {
    const before = this.#chains.get(object);
    const next = before === undefined ? task() : before.then(task);
    if (next === undefined) return;
    this.#chains.set(object, next);
    void next.then(() => {
      if (this.#chains.get(object) === next) this.#chains.delete(object);
    });
  }
}

// Owners are per requester; never 0 (free), never this thread's own id.
function newOwner(): number {
  for (;;) {
    const id = (Math.random() * 0x7fffffff) | 0;
    if (id !== 0 && id !== threadId()) return id;
  }
}

export class BrokerCore {
  /** @param shared - how to serve shared objects; without it, Manager stores only. */
  constructor(private readonly shared?: SharedServing) {}

  readonly #objects = new Map<number, object | typeof DROPPED>();
  #highest = 0;
  readonly #parked = new Map<number, (() => void)[]>();

  /** Handles a command of the owner. */
  command(c: BrokerCommand): void {
    switch (c.type) {
      case "register":
        if (!this.shared) throw new InvalidStateError("this broker keeps Manager stores only: it cannot serve shared objects");
        return this.#add(c.id, this.shared.revive(c.wire));
      case "store": {
        // `initial`: the dict's [key, value bytes] pairs, or the list's value bytes.
        if (c.kind === "dict") {
          const dict = new DictStore();
          serveStore(dict, op.DICT_UPDATE, c.initial);
          return this.#add(c.id, dict);
        }
        const list = new ListStore();
        list.items.push(...(op.unpack(c.initial) as Uint8Array[]));
        return this.#add(c.id, list);
      }
      case "drop":
        for (const id of c.ids) this.#objects.set(id, DROPPED);
        return;
    }
  }

  #add(id: number, target: object): void {
    this.#objects.set(id, target);
    if (id > this.#highest) this.#highest = id;
    const waiting = this.#parked.get(id);
    if (waiting) {
      this.#parked.delete(id);
      for (const run of waiting) run();
    }
  }

  /** Handles one request of `client`. */
  handle(client: Client, req: Request): void {
    if (req.op === op.OP_FLUSH) {
      void client.settled().then(() => client.answer(req, REPLY_OK, new Uint8Array(0)));
      return;
    }
    const target = this.#objects.get(req.object);
    if (target === undefined) {
      if (req.object > this.#highest) return this.#park(client, req);
      return client.answer(req, REPLY_ERROR, op.encodeFailure(new InvalidStateError(`no object ${req.object} here: it was never shared with this process`)));
    }
    if (target === DROPPED) {
      return client.answer(req, REPLY_ERROR, op.encodeFailure(new ShutdownError("the Manager that served this object was shut down")));
    }
    if (ORDERED.has(req.op)) client.ordered(req.object, () => this.#run(client, req, target));
    else void this.#run(client, req, target);
  }

  // Sent before its object's registration arrived (the two travel different ways): wait for it, a while.
  #park(client: Client, req: Request): void {
    let list = this.#parked.get(req.object);
    if (!list) this.#parked.set(req.object, (list = []));
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.handle(client, req);
    };
    list.push(run);
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      client.answer(req, REPLY_ERROR, op.encodeFailure(new InvalidStateError(`no object ${req.object} here (it was not registered within ${PARK_MS} ms)`)));
    }, PARK_MS);
    (timer as { unref?: () => void }).unref?.();
  }

  // Runs a request: answered at once when it needs no waiting; else a promise that settles when answered.
  #run(client: Client, req: Request, target: object): Promise<void> | undefined {
    let out: Uint8Array | Promise<Uint8Array>;
    try {
      // Anything but a store was registered, which needs `shared`.
      out = target instanceof DictStore || target instanceof ListStore ? serveStore(target, req.op, req.payload) : (this.shared as SharedServing).serve(target, req.op, req.payload, client.who);
    } catch (error) {
      client.answer(req, REPLY_ERROR, op.encodeFailure(error));
      return undefined;
    }
    if (!(out instanceof Promise)) {
      if ((req.flags & FLAG_NO_REPLY) === 0) client.answer(req, REPLY_OK, out);
      return undefined;
    }
    return out.then(
      (payload) => {
        if ((req.flags & FLAG_NO_REPLY) === 0) client.answer(req, REPLY_OK, payload);
      },
      (error: unknown) => client.answer(req, REPLY_ERROR, op.encodeFailure(error)),
    );
  }

  /**
   * Serves the threads of this process: their requests come through one shared queue, each with
   * its client's number (see thread-ring.ts), and are handled in the order they were made.
   */
  serveRing(ring: RequestRing): void {
    this.#ring = ring;
    void this.#pumpRing();
  }

  #ring: RequestRing | undefined;
  readonly #clients = new Map<number, Client>();
  readonly #waitingClients = new Map<number, Request[]>();

  /**
   * Handles every request the threads have queued so far. Called before any other input (a child's
   * request): what a thread did before it told a child is done before the child's request.
   */
  drainRing(): number {
    const ring = this.#ring;
    if (!ring) return 0;
    let n = 0;
    for (const [id, req] of ring.drain()) {
      n++;
      const client = this.#clients.get(id);
      if (client) this.handle(client, req);
      else {
        // Its port (announced by message) is not here yet: it comes, and its requests wait for it.
        let list = this.#waitingClients.get(id);
        if (!list) this.#waitingClients.set(id, (list = []));
        list.push(req);
      }
    }
    return n;
  }

  async #pumpRing(): Promise<void> {
    const ring = this.#ring as RequestRing;
    for (;;) {
      // A burst (several requests at a time) is let run a moment before the next look: its writers
      // then queue without waking this thread for each request. A lone request is served at once.
      if (this.drainRing() > 1) await new Promise<void>((r) => setTimeout(() => r(), 0));
      else await ring.queue.whenNotEmpty();
    }
  }

  /**
   * Serves a thread's link on `port`: reply records out (batched per turn), blocking requests
   * answered through `slot`; its requests come through the ring (as client `id`), or on the port
   * itself where there is no ring (a browser page). A message `{ attach: port, slot, client }` adds
   * another client (a thread the link's proxy was passed to).
   */
  servePort(port: PortLike, slot: SharedArrayBuffer, id?: number): void {
    const client = new PortClient(port, new SyncSlot(slot), this.shared?.releaseHeld);
    if (id !== undefined) {
      this.#clients.set(id, client);
      const waiting = this.#waitingClients.get(id);
      this.#waitingClients.delete(id);
      for (const req of waiting ?? []) this.handle(client, req);
    }
    const reader = new RecordReader<Request>("request");
    port.addEventListener("message", (event) => {
      const m = event.data as Uint8Array | { attach: PortLike; slot: SharedArrayBuffer; client?: number };
      if (m instanceof Uint8Array) {
        let requests: Request[];
        try {
          requests = reader.feed(m);
        } catch {
          return; // not ours: a thread of this process sent garbage; nothing to answer
        }
        for (const req of requests) this.handle(client, req);
      } else if (m && typeof m === "object" && "attach" in m) this.servePort(m.attach, m.slot, m.client);
    });
    port.start();
  }
}

/** A thread's link on a message port. */
class PortClient extends Client {
  readonly #writer = new RecordWriter();
  #flushQueued = false;
  #sync = Promise.resolve();

  constructor(
    readonly port: PortLike,
    readonly slot: SyncSlot,
    release: ((who: Requester) => unknown) | undefined,
  ) {
    super(release);
  }

  answer(req: Request, status: number, payload: Uint8Array): void {
    if ((req.flags & FLAG_SYNC) !== 0) {
      this.#sync = this.#sync.then(() => this.slot.deliver(status, payload));
      return;
    }
    this.#writer.reply(status, req.id, payload);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        const bytes = this.#writer.take();
        this.port.postMessage(bytes, [bytes.buffer]);
      });
    }
  }
}
