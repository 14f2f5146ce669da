/**
 * Copies in and out of a ring of bytes in shared memory (the memory of a {@link Queue}): an item is
 * its length (4 bytes, little-endian) then its bytes, wrapping around the end. Callers hold the
 * queue's lock. The length helpers also lay out the batches lent to other processes (`packItems` in
 * remote/ops.ts), in a plain array where nothing wraps.
 *
 * Lengths and small items are copied byte by byte: no view object per item — a `subarray` or a
 * `DataView` costs more than copying a few bytes, and that was most of what a small item spent here.
 * @internal
 * @module
 */

/** Items up to this many bytes are copied byte by byte; longer ones with `set`. */
const SMALL_COPY = 64;

/** Writes `n` as 4 bytes at `at`; returns where the next byte goes. */
export function writeLength(data: Uint8Array, n: number, at: number): number {
  const cap = data.length;
  for (let i = 0; i < 4; i++, n >>>= 8) {
    data[at] = n & 255;
    if (++at === cap) at = 0;
  }
  return at;
}

/** The length written at `at` (the item's bytes start 4 bytes later). */
export function readLength(data: Uint8Array, at: number): number {
  const cap = data.length;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    n |= (data[at] as number) << (8 * i);
    if (++at === cap) at = 0;
  }
  return n >>> 0;
}

/** Copies `src` into the ring at `at`; returns where the next byte goes. */
export function copyIn(data: Uint8Array, src: Uint8Array, at: number): number {
  const cap = data.length;
  const n = src.length;
  if (n <= SMALL_COPY) {
    for (let i = 0; i < n; i++) {
      data[at] = src[i] as number;
      if (++at === cap) at = 0;
    }
    return at;
  }
  const first = Math.min(n, cap - at);
  data.set(src.subarray(0, first), at);
  if (first < n) data.set(src.subarray(first), 0);
  return (at + n) % cap;
}

/** Fills `dst` from the ring at `at`; returns where the next item starts. */
export function copyOut(data: Uint8Array, dst: Uint8Array, at: number): number {
  const cap = data.length;
  const n = dst.length;
  if (n <= SMALL_COPY) {
    for (let i = 0; i < n; i++) {
      dst[i] = data[at] as number;
      if (++at === cap) at = 0;
    }
    return at;
  }
  const first = Math.min(n, cap - at);
  dst.set(data.subarray(at, at + first));
  if (first < n) dst.set(data.subarray(0, n - first), first);
  return (at + n) % cap;
}
