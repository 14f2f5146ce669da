/**
 * `Manager` (Python's `multiprocessing.Manager`): dictionaries and lists kept by a broker, used from
 * any thread or child process through proxies. Values are structured-cloned (encoded once where
 * they are set, decoded where they are read); every method is a request to the broker, answered in
 * order, with a blocking `…Sync` form in workers and child processes.
 * @module
 */
import { ShutdownError } from "../futures/errors.js";
import { encode, decode } from "../shared/serialize.js";
import { SHARED_BRAND, TO_WIRE, WIRE_FORM, WIRE_KEY, noteShared, type WireShared } from "../shared/shareable.js";
import { describe } from "../util/describe.js";
import * as op from "./ops.js";
import { REMOTE_FORM, Remote, linkTo, type Link, type RemoteRef, type WireRemote } from "./link.js";
import type { Key } from "./store.js";
import { PortLink, type RingSeat } from "./port-link.js";
import type { PortLike } from "./broker-core.js";

export type { Key as ManagerKey } from "./store.js";

/** What the platform gives a Manager: the broker that keeps its objects. @internal */
export interface ManagerHost {
  /** This thread's link to the broker. */
  link(): PortLink;
  /** Makes a store at the broker, with its first contents. */
  create(kind: "dict" | "list", initial: Uint8Array): RemoteRef;
  /** Forgets stores: later requests on them fail with ShutdownError. */
  drop(ids: number[]): void;
  /** The Manager needs the broker no more. */
  release(): void | Promise<void>;
}

const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

const shutDown = (): ShutdownError => new ShutdownError("the Manager of this object was shut down; create a new Manager");

function checkKey(key: unknown, what: string): Key {
  if (key === null || (typeof key !== "object" && typeof key !== "function" && typeof key !== "symbol")) return key as Key;
  throw new TypeError(`${what}: a key must be a string, number, bigint, boolean, null or undefined (keys are compared by value in every process), got ${describe(key)}`);
}

/**
 * Serves dictionaries and lists that any thread or child process can use through proxies (pass a
 * proxy as a task argument or a `Process` arg). `shutdown()` ends it; later calls fail with
 * {@link ShutdownError}.
 * @example
 * ```ts
 * await using manager = new Manager();
 * const counts = manager.dict<number>();
 * await pool.submit("count", counts, "words.txt");
 * console.log(await counts.entries());
 * ```
 */
export class Manager {
  readonly #hostOf: () => ManagerHost;
  #host: ManagerHost | undefined;
  readonly #ids: number[] = [];
  #closed = false;

  /** @internal each platform's entry gives its broker */
  protected constructor(hostOf: () => ManagerHost) {
    this.#hostOf = hostOf;
  }

  #open(what: string): ManagerHost {
    if (this.#closed) throw new ShutdownError(`cannot ${what} after the Manager's shutdown(); create a new Manager`);
    return (this.#host ??= this.#hostOf());
  }

  /** A new dictionary, with `initial`'s entries; returns its proxy. */
  dict<V = unknown>(initial?: Iterable<readonly [Key, V]> | Record<string, V>): DictProxy<V> {
    const host = this.#open("dict()");
    const entries: [Key, Uint8Array][] = [];
    if (initial !== undefined) {
      const pairs = Symbol.iterator in Object(initial) ? (initial as Iterable<readonly [Key, V]>) : Object.entries(initial as Record<string, V>);
      for (const [k, v] of pairs) entries.push([checkKey(k, "Manager.dict"), encode(v)]);
    }
    const ref = host.create("dict", op.pack(entries));
    this.#ids.push(ref[0]);
    return new DictProxy<V>(this.#remote(host, ref, "DictProxy"));
  }

  /** A new list, with `initial`'s items; returns its proxy. */
  list<V = unknown>(initial?: Iterable<V>): ListProxy<V> {
    const host = this.#open("list()");
    const ref = host.create("list", op.pack(initial === undefined ? [] : [...initial].map((v) => encode(v))));
    this.#ids.push(ref[0]);
    return new ListProxy<V>(this.#remote(host, ref, "ListProxy"));
  }

  // This thread's proxies know at once when their Manager is shut down (others learn it from the broker).
  #remote(host: ManagerHost, ref: RemoteRef, kind: string): Remote {
    const link = host.link();
    const closed = (): boolean => this.#closed;
    const guarded: Link = {
      call: (code, object, payload) => (closed() ? Promise.reject(shutDown()) : link.call(code, object, payload)),
      callSync: (code, object, payload) => {
        if (closed()) throw shutDown();
        return link.callSync(code, object, payload);
      },
      send: (code, object, payload, blocking) => {
        if (closed()) throw shutDown();
        return link.send(code, object, payload, blocking);
      },
    };
    return new Remote(Object.assign(guarded, { attach: () => link.attach(), writeBehind: link.writeBehind }), ref, kind);
  }

  /** Ends the Manager: its objects are forgotten, and every later call on their proxies fails with {@link ShutdownError}. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const host = this.#host;
    if (!host) return;
    host.drop(this.#ids);
    await host.release();
  }

  /** `shutdown()`, for `await using manager = new Manager()`. */
  [asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

/** Shared by both proxies: the request, and how the proxy crosses to other threads and processes. */
abstract class ManagerProxy {
  /** @internal */
  protected readonly remote: Remote;

  /** @internal made by a {@link Manager} (or rebuilt where it was passed) */
  constructor(remote: Remote) {
    this.remote = remote;
    noteShared();
  }

  /** @internal */
  protected call(code: number, args?: unknown): Promise<unknown> {
    return this.remote.call(code, args);
  }

  /** @internal */
  protected callSync(code: number, args?: unknown): unknown {
    return this.remote.callSync(code, args);
  }

  /** @internal a value, as the broker returns it */
  protected async value(code: number, args?: unknown): Promise<unknown> {
    return decode(await this.remote.link.call(code, this.remote.id, op.pack(args)));
  }

  /** @internal */
  protected valueSync(code: number, args?: unknown): unknown {
    return decode(this.remote.link.callSync(code, this.remote.id, op.pack(args)));
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return this.remote.kind;
  }

  /** @internal never used: {@link WIRE_FORM} says how a proxy crosses */
  [TO_WIRE](): [unknown[], object[]] {
    return [[], []];
  }

  /** @internal to a thread of this process: a port of its own to the broker */
  [WIRE_FORM](transfer: object[]): WireShared {
    const link = this.remote.link as Link & Partial<Pick<PortLink, "attach">>;
    if (link.attach === undefined) return this[REMOTE_FORM]();
    const { port, slot, ring } = link.attach();
    transfer.push(port);
    return { [WIRE_KEY]: this.remote.kind, state: [port, slot, ring], remote: this.remote.ref } as WireShared;
  }

  /** @internal a change that need not wait for its answer where the link keeps order (see PortLink) */
  protected change(code: number, payload: Uint8Array): Promise<void> {
    const link = this.remote.link as Link & { writeBehind?: boolean };
    if (link.writeBehind) {
      const written = link.send(code, this.remote.id, payload);
      return written ? written.then(() => undefined) : Promise.resolve();
    }
    return link.call(code, this.remote.id, payload).then(() => undefined);
  }

  /** @internal */
  protected changeSync(code: number, payload: Uint8Array): void {
    const link = this.remote.link as Link & { writeBehind?: boolean };
    if (link.writeBehind) link.send(code, this.remote.id, payload, true);
    else link.callSync(code, this.remote.id, payload);
  }

  /** @internal to another process: the reference alone */
  [REMOTE_FORM](): WireShared {
    return this.remote.wire([]);
  }
}

/** A dictionary kept by a {@link Manager}. Keys are primitives; values are structured-cloned. */
export class DictProxy<V = unknown> extends ManagerProxy {
  /** The value of `key`, or `undefined`. */
  get(key: Key): Promise<V | undefined> {
    return this.value(op.DICT_GET, checkKey(key, "DictProxy.get")) as Promise<V | undefined>;
  }
  /** Sets `key` to `value` (a copy). */
  set(key: Key, value: V): Promise<void> {
    try {
      return this.change(op.DICT_SET, op.pack([checkKey(key, "DictProxy.set"), encode(value)]));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  /** Removes `key`. @returns whether it was there. */
  async delete(key: Key): Promise<boolean> {
    return (await this.call(op.DICT_DELETE, checkKey(key, "DictProxy.delete"))) as boolean;
  }
  /** Is `key` there? */
  async has(key: Key): Promise<boolean> {
    return (await this.call(op.DICT_HAS, checkKey(key, "DictProxy.has"))) as boolean;
  }
  /** The keys, in insertion order. */
  async keys(): Promise<Key[]> {
    return (await this.call(op.DICT_KEYS)) as Key[];
  }
  /** The `[key, value]` pairs, in insertion order. */
  async entries(): Promise<[Key, V][]> {
    return (await this.call(op.DICT_ENTRIES)) as [Key, V][];
  }
  /** How many keys. */
  async size(): Promise<number> {
    return (await this.call(op.DICT_SIZE)) as number;
  }
  /** Sets every key of `entries` (an object or an iterable of pairs), in one request. */
  update(entries: Record<string, V> | Iterable<readonly [Key, V]>): Promise<void> {
    try {
      return this.change(op.DICT_UPDATE, op.pack(pairsOf(entries)));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  /** {@link DictProxy.get}, blocking (workers and child processes). */
  getSync(key: Key): V | undefined {
    return this.valueSync(op.DICT_GET, checkKey(key, "DictProxy.getSync")) as V | undefined;
  }
  /** {@link DictProxy.set}, blocking. */
  setSync(key: Key, value: V): void {
    this.changeSync(op.DICT_SET, op.pack([checkKey(key, "DictProxy.setSync"), encode(value)]));
  }
  /** {@link DictProxy.delete}, blocking. */
  deleteSync(key: Key): boolean {
    return this.callSync(op.DICT_DELETE, checkKey(key, "DictProxy.deleteSync")) as boolean;
  }
  /** {@link DictProxy.has}, blocking. */
  hasSync(key: Key): boolean {
    return this.callSync(op.DICT_HAS, checkKey(key, "DictProxy.hasSync")) as boolean;
  }
  /** {@link DictProxy.keys}, blocking. */
  keysSync(): Key[] {
    return this.callSync(op.DICT_KEYS) as Key[];
  }
  /** {@link DictProxy.entries}, blocking. */
  entriesSync(): [Key, V][] {
    return this.callSync(op.DICT_ENTRIES) as [Key, V][];
  }
  /** {@link DictProxy.size}, blocking. */
  sizeSync(): number {
    return this.callSync(op.DICT_SIZE) as number;
  }
  /** {@link DictProxy.update}, blocking. */
  updateSync(entries: Record<string, V> | Iterable<readonly [Key, V]>): void {
    this.changeSync(op.DICT_UPDATE, op.pack(pairsOf(entries)));
  }
}

function pairsOf<V>(entries: Record<string, V> | Iterable<readonly [Key, V]>): [Key, Uint8Array][] {
  if (typeof entries !== "object" || entries === null) throw new TypeError(`DictProxy.update expects an object or an iterable of [key, value] pairs, got ${describe(entries)}`);
  const pairs = Symbol.iterator in entries ? (entries as Iterable<readonly [Key, V]>) : Object.entries(entries as Record<string, V>);
  return [...pairs].map(([k, v]) => [checkKey(k, "DictProxy.update"), encode(v)]);
}

/** A list kept by a {@link Manager}. Indexes may be negative (from the end), as in Python. */
export class ListProxy<V = unknown> extends ManagerProxy {
  /** Adds `value` (a copy) at the end. */
  append(value: V): Promise<void> {
    try {
      return this.change(op.LIST_APPEND, encode(value));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  /** The item at `index`. @throws RangeError when there is none. */
  get(index: number): Promise<V> {
    return this.value(op.LIST_GET, index) as Promise<V>;
  }
  /** Replaces the item at `index`. @throws RangeError when there is none. */
  async set(index: number, value: V): Promise<void> {
    await this.call(op.LIST_SET, [index, encode(value)]);
  }
  /** How many items. */
  async length(): Promise<number> {
    return (await this.call(op.LIST_LENGTH)) as number;
  }
  /** The items from `start` to `end` (excluded), as `Array.prototype.slice`. */
  async slice(start?: number, end?: number): Promise<V[]> {
    return (await this.call(op.LIST_SLICE, [start, end])) as V[];
  }
  /** Removes and returns the last item. @throws RangeError on an empty list. */
  async pop(): Promise<V> {
    return decode(await this.remote.link.call(op.LIST_POP, this.remote.id, new Uint8Array(0))) as V;
  }
  /** {@link ListProxy.append}, blocking (workers and child processes). */
  appendSync(value: V): void {
    this.changeSync(op.LIST_APPEND, encode(value));
  }
  /** {@link ListProxy.get}, blocking. */
  getSync(index: number): V {
    return this.valueSync(op.LIST_GET, index) as V;
  }
  /** {@link ListProxy.set}, blocking. */
  setSync(index: number, value: V): void {
    this.callSync(op.LIST_SET, [index, encode(value)]);
  }
  /** {@link ListProxy.length}, blocking. */
  lengthSync(): number {
    return this.callSync(op.LIST_LENGTH) as number;
  }
  /** {@link ListProxy.slice}, blocking. */
  sliceSync(start?: number, end?: number): V[] {
    return this.callSync(op.LIST_SLICE, [start, end]) as V[];
  }
  /** {@link ListProxy.pop}, blocking. */
  popSync(): V {
    return decode(this.remote.link.callSync(op.LIST_POP, this.remote.id, new Uint8Array(0))) as V;
  }
}

/**
 * Rebuilds a Manager proxy where it was passed: from a thread of the broker's own process with a port
 * of its own to the broker, from anywhere else on this thread's link to the broker's address.
 * @internal
 */
export function reviveManagerProxy(wire: WireShared): DictProxy | ListProxy {
  const w = wire as WireRemote;
  const kind = w[WIRE_KEY];
  const state = w.state;
  const link = state.length >= 2 ? new PortLink(state[0] as PortLike, state[1] as SharedArrayBuffer, state[2] as RingSeat | undefined) : linkTo(w.remote, kind);
  const remote = new Remote(link, w.remote, kind);
  if (kind === "DictProxy") return new DictProxy(remote);
  if (kind === "ListProxy") return new ListProxy(remote);
  throw new TypeError(`${JSON.stringify(kind)} is not a Manager proxy`);
}
