/**
 * How shared-memory objects cross to workers: structured clone would copy a `Lock` into a plain
 * object without methods, so the executor sends each one as a small wire form (its kind and its
 * `SharedArrayBuffer`s or ports) and the worker rebuilds the object around the same memory.
 * Arguments, map items and results are converted wherever they sit inside plain objects and arrays.
 * @internal
 * @module
 */

/** Marks an object as shareable; its value is the kind (`"Lock"`…). Registered, so copies of the library agree. */
export const SHARED_BRAND = Symbol.for("isofutures.shared");
/** The method that gives an object's wire state: `[state, transferables]`. */
export const TO_WIRE = Symbol.for("isofutures.toWire");
/** The key of a wire form. */
export const WIRE_KEY = "$isofutures.shared";

export interface Shareable {
  readonly [SHARED_BRAND]: string;
  [TO_WIRE](): [state: unknown[], transfer: object[]];
}

export interface WireShared {
  [WIRE_KEY]: string;
  state: unknown[];
}

export function isShareable(value: unknown): value is Shareable {
  return typeof value === "object" && value !== null && typeof (value as Partial<Shareable>)[SHARED_BRAND] === "string";
}

export function isWireShared(value: unknown): value is WireShared {
  return typeof value === "object" && value !== null && typeof (value as Partial<WireShared>)[WIRE_KEY] === "string";
}

/**
 * An object that crosses as a whole wire form of its own (a proxy of an object of another process
 * sends the reference it holds) has this method.
 */
export const WIRE_FORM = Symbol.for("isofutures.wireForm");

/** The wire form of a shareable; its transferables (ports) are pushed onto `transfer`. */
export function toWire(value: Shareable, transfer: object[]): WireShared {
  const whole = (value as { [WIRE_FORM]?: (transfer: object[]) => WireShared })[WIRE_FORM];
  if (whole !== undefined) return whole.call(value, transfer);
  const [state, moved] = value[TO_WIRE]();
  transfer.push(...moved);
  return { [WIRE_KEY]: value[SHARED_BRAND], state };
}

let seen = false;
/**
 * The same fact for the whole thread: in a worker, task code imports the package apart from the
 * worker's runtime (another copy of this module), and the runtime must know when tasks made some.
 */
const SEEN_IN_THREAD = Symbol.for("isofutures.sharedSeen");

/**
 * Whether a shareable has been made (or received) in this thread. Until one has, `submit` does not
 * look inside its arguments for them: tasks of programs that never use shared objects pay nothing.
 */
export function sharedSeen(): boolean {
  return seen;
}

/** {@link sharedSeen}, by any copy of the package in this thread (slower: a global lookup). */
export function sharedSeenInThread(): boolean {
  return seen || (globalThis as Record<symbol, unknown>)[SEEN_IN_THREAD] === true;
}

/** Records that shareables exist in this thread. */
export function noteShared(): void {
  if (seen) return;
  seen = true;
  (globalThis as Record<symbol, unknown>)[SEEN_IN_THREAD] = true;
}

/**
 * Rebuilds objects that live in another process (a wire form with `remote`): set by the platform
 * where such objects can arrive (a child process, or the process that owns them). Kept here, not in
 * revive.ts, so that setting it does not bring in every shared-memory class.
 */
let reviveRemote: ((wire: WireShared) => object) | undefined;

/** @internal */
export function setRemoteReviver(fn: (wire: WireShared) => object): void {
  reviveRemote = fn;
}

/** @internal */
export function remoteReviver(): ((wire: WireShared) => object) | undefined {
  return reviveRemote;
}

// Shareables are looked for inside plain objects and arrays (not class instances, maps or typed
// arrays), down to MAX_DEPTH levels and at most MAX_VISITS values per argument list, so that a
// huge or cyclic argument costs a bounded walk.
export const MAX_DEPTH = 8;
export const MAX_VISITS = 100_000;
/** Arrays and plain objects: the containers the search looks inside. */
export function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets a data property (a key named "__proto__" stays a key, not the prototype). */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Builds one object of a kind from its wire state. */
// `any[]`: the state is whatever the kind's TO_WIRE gave, a layout each reviver knows for itself.
export type KindReviver = (state: any[]) => object;

/**
 * The kinds of shared objects this bundle can rebuild: each class's module registers its kind as it
 * loads, so a bundle holds the classes it uses and no others (workers and brokers, which may be sent
 * any kind, load them all: all-kinds.ts).
 */
const kinds = new Map<string, KindReviver>();
let allKinds = false;

export function registerKind(kind: string, revive: KindReviver): void {
  kinds.set(kind, revive);
}

export function kindReviver(kind: string): KindReviver | undefined {
  return kinds.get(kind);
}

/** The kinds registered here, and their revivers. */
export function registeredKinds(): [string, KindReviver][] {
  return [...kinds];
}

/** Every kind is registered (all-kinds.ts): nothing to look for before rebuilding. */
export function noteAllKinds(): void {
  allKinds = true;
}

export function hasAllKinds(): boolean {
  return allKinds;
}
