/**
 * Finding shared objects inside arguments, map items and results, and replacing them by their wire
 * forms. Apart from `revive.ts`, which rebuilds them and so imports every class: the caller side
 * sends shared objects without carrying the classes of those it never uses. (revive.ts does not
 * import this file either: a bundler that groups modules by who can reach them — esbuild — would
 * otherwise put this file, which an app's main bundle needs, in the chunk of those classes.)
 * @internal
 * @module
 */
import { MAX_DEPTH, MAX_VISITS, isPlain, isShareable, setOwn, toWire, type Shareable, type WireShared } from "./shareable.js";

let visits = 0;

function holds(value: unknown, depth: number, seen: Set<object>): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isShareable(value)) return true;
  if (depth >= MAX_DEPTH || seen.has(value) || ++visits > MAX_VISITS || !isPlain(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holds(value[i], depth + 1, seen)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (holds((value as Record<string, unknown>)[key], depth + 1, seen)) return true;
  return false;
}

/** Whether `values` hold a shareable, as a whole or inside plain objects and arrays. */
export function holdsShared(values: readonly unknown[]): boolean {
  visits = 0;
  const seen = new Set<object>();
  for (let i = 0; i < values.length; i++) if (holds(values[i], 0, seen)) return true;
  return false;
}

/**
 * `value` with its shareables replaced by wire forms. Plain containers are copied (the caller's
 * objects are left alone); `memo` maps each original to its copy, so cycles and shared references
 * keep their shape and a shareable met twice becomes one wire form (one object in the worker).
 */
function encode(value: unknown, transfer: object[], depth: number, memo: Map<object, unknown>, share: ShareFn): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (isShareable(value)) {
    const wire = share(value, transfer);
    memo.set(value, wire);
    return wire;
  }
  if (depth >= MAX_DEPTH || ++visits > MAX_VISITS || !isPlain(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    memo.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = encode(value[i], transfer, depth + 1, memo, share);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.getPrototypeOf(record) === null ? Object.create(null) : {};
  memo.set(value, copy);
  for (const key of Object.keys(record)) setOwn(copy, key, encode(record[key], transfer, depth + 1, memo, share));
  return copy;
}

/** How one shareable becomes what crosses (see `WorkerFactory.shareObject`). */
type ShareFn = (value: Shareable, transfer: object[]) => WireShared;

/**
 * Replaces each shareable in `values` (whole or nested) by its wire form (or what `share` makes of
 * it: a handle for another process); ports go to `transfer`.
 */
export function encodeShared(values: unknown[], transfer: object[], share: ShareFn = toWire): void {
  visits = 0;
  const memo = new Map<object, unknown>();
  for (let i = 0; i < values.length; i++) values[i] = encode(values[i], transfer, 0, memo, share);
}
