/**
 * The inputs of `map`: telling the options from the iterables, and reading one iterable, or
 * several zipped as Python's `map(fn, *iterables)` does (argument tuples, stopping at the shortest).
 * @internal
 * @module
 */
import { describe } from "../util/describe.js";

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

/**
 * An options object is a plain object (`{ … }`, or made with `Object.create(null)`) that is not
 * iterable: anything else in the last place is one more iterable.
 */
export function isOptionsObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const v = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof v[Symbol.iterator] !== "function" && typeof v[Symbol.asyncIterator] !== "function";
}

/** `map(fn, ...iterables, options?)`: the iterables and the options (last, if it is an options object; a trailing `undefined` counts as none). */
export function splitMapArgs(args: readonly unknown[]): { iterables: unknown[]; options: unknown } {
  const n = args.length;
  if (n >= 2 && (args[n - 1] === undefined || isOptionsObject(args[n - 1]))) return { iterables: args.slice(0, n - 1), options: args[n - 1] };
  return { iterables: [...args], options: undefined };
}

/** Reads one iterable (array, sync or async iterable). */
export function readInput(caller: string, iterable: unknown): MapInput {
  if (Array.isArray(iterable)) return { source: { kind: "array", array: iterable, index: 0 }, size: iterable.length, zipped: false };
  if (isIterable(iterable)) {
    const size = ArrayBuffer.isView(iterable) ? (iterable as unknown as ArrayLike<unknown>).length : undefined;
    return { source: { kind: "sync", it: iterable[Symbol.iterator]() }, size, zipped: false };
  }
  if (isAsyncIterable(iterable)) return { source: { kind: "async", it: iterable[Symbol.asyncIterator]() }, size: undefined, zipped: false };
  throw new TypeError(`${caller}: expected an iterable or async iterable of inputs, got ${describe(iterable)}`);
}

/**
 * Zips several iterables into argument tuples, stopping at the shortest. Iterators are advanced in
 * order and a later one is not advanced once an earlier one is done; the others are then closed
 * (`return()`), as `Iterator.zip` does. If any is async, the tuples come asynchronously.
 */
export function zipInputs(caller: string, iterables: readonly unknown[]): MapInput {
  let size: number | undefined = Infinity;
  let async = false;
  const its: (Iterator<unknown> | AsyncIterator<unknown>)[] = [];
  for (let i = 0; i < iterables.length; i++) {
    const x = iterables[i];
    if (isIterable(x)) {
      if (size !== undefined) size = Array.isArray(x) || ArrayBuffer.isView(x) ? Math.min(size, (x as unknown as ArrayLike<unknown>).length) : undefined;
      its.push(x[Symbol.iterator]());
    } else if (isAsyncIterable(x)) {
      size = undefined;
      async = true;
      its.push(x[Symbol.asyncIterator]());
    } else {
      for (const it of its) closeQuietly(it);
      throw new TypeError(`${caller}: iterable ${i + 1} of ${iterables.length}: expected an iterable or async iterable of inputs, got ${describe(x)}`);
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

function isIterable(x: unknown): x is Iterable<unknown> {
  return x != null && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function";
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
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
