/**
 * `transfer()` markers. They are recognised by a registered symbol, not by class, so a marker made
 * by one copy of the library (a tasks module importing `isofutures/worker`) is understood by another
 * (the worker runtime bundled into the executor).
 * @module
 */
import { describe } from "../util/describe.js";

const TRANSFER = Symbol.for("isofutures.transfer");

/** A value marked to move its buffers instead of copying them. @internal */
export interface TransferMarker {
  readonly [TRANSFER]: true;
  readonly value: unknown;
  readonly list: readonly object[];
}

/**
 * Marks a task argument, or a task's return value, so that the listed `ArrayBuffer`s /
 * `MessagePort`s are moved to the other side instead of copied (they become unusable here).
 *
 * Only a whole argument or a whole return value can be marked, not a value nested inside one; the
 * buffers listed may be anywhere inside it.
 * @example
 * ```ts
 * const out = await pool.submit("invert", transfer(pixels, [pixels.buffer]));
 * // in the tasks module: return transfer(result, [result.buffer]);
 * ```
 * @returns the marker, typed as `value` so that typed tasks keep their types.
 */
export function transfer<T>(value: T, transferables: readonly object[]): T {
  if (!Array.isArray(transferables)) {
    throw new TypeError(`transfer(value, transferables): transferables must be an array of ArrayBuffers or MessagePorts, got ${describe(transferables)}`);
  }
  const marker: TransferMarker = { [TRANSFER]: true, value, list: transferables };
  return marker as unknown as T;
}

/** Is this a {@link transfer} marker? @internal */
export function isTransfer(value: unknown): value is TransferMarker {
  return typeof value === "object" && value !== null && (value as { [TRANSFER]?: unknown })[TRANSFER] === true;
}
