/**
 * The inputs of a map: reading one iterable, or several zipped as Python's `map(fn, *iterables)`
 * does (argument tuples, stopping at the shortest). map-call.ts has checked that each is iterable.
 * @internal
 * @module
 */
import { isIterable } from "./map-call.js";

/** Where a map's items come from. */
export type Source =
  | { kind: "array"; array: readonly unknown[]; index: number }
  | { kind: "sync"; it: Iterator<unknown> }
  | { kind: "async"; it: AsyncIterator<unknown> };

/** A map's input, read. */
export interface MapInput {
  source: Source;
  /** The number of items, when it is known in advance (arrays, typed arrays). */
  size: number | undefined;
  /** Items are argument tuples made by zipping several iterables. */
  zipped: boolean;
}

/** Reads one iterable (array, sync or async iterable: map-call.ts has checked that it is one). */
export function readInput(iterable: unknown): MapInput {
  if (Array.isArray(iterable)) return { source: { kind: "array", array: iterable, index: 0 }, size: iterable.length, zipped: false };
  if (isIterable(iterable)) {
    const size = ArrayBuffer.isView(iterable) ? (iterable as unknown as ArrayLike<unknown>).length : undefined;
    return { source: { kind: "sync", it: iterable[Symbol.iterator]() }, size, zipped: false };
  }
  return { source: { kind: "async", it: (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]() }, size: undefined, zipped: false };
}

/**
 * Zips several iterables into argument tuples, stopping at the shortest. Iterators are advanced in
 * order and a later one is not advanced once an earlier one is done; the others are then closed
 * (`return()`), as `Iterator.zip` does. If any is async, the tuples come asynchronously.
 */
export function zipInputs(iterables: readonly unknown[]): MapInput {
  let size: number | undefined = Infinity;
  let async = false;
  const its: (Iterator<unknown> | AsyncIterator<unknown>)[] = [];
  for (let i = 0; i < iterables.length; i++) {
    const x = iterables[i];
    if (isIterable(x)) {
      if (size !== undefined) size = Array.isArray(x) || ArrayBuffer.isView(x) ? Math.min(size, (x as unknown as ArrayLike<unknown>).length) : undefined;
      its.push(x[Symbol.iterator]());
    } else {
      size = undefined;
      async = true;
      its.push((x as AsyncIterable<unknown>)[Symbol.asyncIterator]());
    }
  }
  return { source: async ? { kind: "async", it: zipAsync(its) } : { kind: "sync", it: zipSync(its as Iterator<unknown>[]) }, size, zipped: true };
}

function zipSync(its: Iterator<unknown>[]): Iterator<unknown> {
  let done = false;
  const end = (except: number): IteratorResult<unknown> => {
    done = true;
    its.forEach((it, j) => j !== except && closeQuietly(it));
    return { value: undefined, done: true };
  };
  return {
    next() {
      if (done) return { value: undefined, done: true };
      const tuple = new Array<unknown>(its.length);
      for (let i = 0; i < its.length; i++) {
        let r: IteratorResult<unknown>;
        try {
          r = (its[i] as Iterator<unknown>).next();
        } catch (error) {
          end(i);
          throw error;
        }
        if (r.done) return end(i);
        tuple[i] = r.value;
      }
      return { value: tuple, done: false };
    },
    return() {
      if (!done) end(-1);
      return { value: undefined, done: true };
    },
  };
}

function zipAsync(its: (Iterator<unknown> | AsyncIterator<unknown>)[]): AsyncIterator<unknown> {
  let done = false;
  const end = (except: number): IteratorResult<unknown> => {
    done = true;
    its.forEach((it, j) => j !== except && closeQuietly(it));
    return { value: undefined, done: true };
  };
  return {
    async next() {
      if (done) return { value: undefined, done: true };
      const tuple = new Array<unknown>(its.length);
      for (let i = 0; i < its.length; i++) {
        let r: IteratorResult<unknown>;
        try {
          r = await (its[i] as AsyncIterator<unknown>).next();
        } catch (error) {
          end(i);
          throw error;
        }
        if (r.done) return end(i);
        tuple[i] = r.value;
      }
      return { value: tuple, done: false };
    },
    async return() {
      if (!done) end(-1);
      return { value: undefined, done: true };
    },
  };
}

// Closing an input is best effort: its own errors are not the map's.
function closeQuietly(it: Iterator<unknown> | AsyncIterator<unknown>): void {
  try {
    const r = it.return?.();
    if (r && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).then(noop, noop);
  } catch {
    // ignored
  }
}

function noop(): void {}
