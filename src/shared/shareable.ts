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
