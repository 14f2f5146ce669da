/**
 * A call of `map`, `starmap` or `mapUnordered`, checked at once: the executor's state, the function,
 * the options, and that every input is iterable. The iteration itself (map.ts, map-inputs.ts)
 * starts from what is checked here, at once where the platform's bundle holds it (Node), else once
 * its code has loaded (lazy-map.ts): either way a mistake in the call throws from the call.
 * @internal
 * @module
 */
import { describe } from "../util/describe.js";
import { now } from "../util/timers.js";
import { assertTimeout, checkInteger, checkSignal } from "../util/validate.js";
import type { Future } from "../futures/future.js";
import type { ChunkOutcome, FnDef } from "./task.js";

/** Options of `map`, `starmap` and `mapUnordered`. */
export interface MapOptions {
  /** ms for the whole iteration, counted from the call; when it passes, the iterator throws {@link TimeoutError}. */
  timeout?: number | undefined;
  /**
   * Items per task. Default: for arrays and typed arrays, enough to make about 16 tasks per worker
   * (at most 65,536 items each); for other iterables, 1.
   */
  chunksize?: number | undefined;
  /** Chunks submitted ahead of the consumer. @defaultValue `max(8, 4 × maxWorkers)` */
  buffersize?: number | undefined;
  /** Aborting it ends the iteration (the iterator throws the signal's reason) and cancels the rest. */
  signal?: AbortSignal | undefined;
}

/** What the map machinery needs from its executor. */
export interface MapHost {
  readonly maxWorkers: number;
  /** Throws synchronously if the executor no longer takes work. */
  checkOpen(caller: string): void;
  lookup(fn: unknown, caller: string): FnDef;
  submitChunk(def: FnDef, kind: number, items: unknown[], transfer: object[] | undefined): Future<ChunkOutcome>;
  /**
   * A map waits for its code (lazy-map.ts); `started` settles once it has submitted its first tasks
   * (or failed to load). Its tasks count as submitted at the call: `shutdown()` waits for them.
   */
  starting(started: Promise<void>): void;
  /** After `terminate()` or `shutdown({ cancelFutures })`: inputs not submitted yet are cancelled instead. */
  cancelsNew(): boolean;
}

export type MapCaller = "map" | "starmap" | "mapUnordered";

/** A checked call: what the iteration starts from. */
export interface MapCall {
  readonly caller: MapCaller;
  readonly def: FnDef;
  /** One for `starmap` and `mapUnordered`; for `map`, one or more (zipped). Each is iterable or async iterable. */
  readonly iterables: readonly unknown[];
  readonly options: MapOptions;
  /** When the timeout passes (on {@link now}'s clock), counted from the call. */
  readonly deadline: number | undefined;
}

/**
 * Starts a map from a checked call (map.ts `runMap`); the iterator it returns is what the caller
 * gets. `stopped`: the caller let go of the map before this ran; nothing is submitted.
 */
export type MapRunner = <R>(host: MapHost, call: MapCall, stopped?: boolean) => AsyncIterableIterator<R>;

/**
 * Checks a call. `args` are what followed `fn`: for `map`, iterables and maybe options (a plain
 * object last); for the others, one iterable and maybe options. Throws what the call must throw.
 */
export function checkMapCall(host: MapHost, caller: MapCaller, fn: unknown, args: readonly unknown[]): MapCall {
  host.checkOpen(caller);
  const def = host.lookup(fn, caller);
  let iterables: unknown[];
  let options: unknown;
  const n = args.length;
  if (caller === "map") {
    // The options, if any, come last: a plain object, or `undefined` (none).
    const last = n >= 2 && (args[n - 1] === undefined || isOptionsObject(args[n - 1]));
    iterables = last ? args.slice(0, n - 1) : [...args];
    options = last ? args[n - 1] : undefined;
  } else {
    iterables = [args[0]];
    options = args[1];
    if (n > 2 || (options != null && typeof options === "object" && !isOptionsObject(options) && (isIterable(options) || isAsyncIterable(options)))) {
      throw new TypeError(
        `${caller}: the third argument is the options ({ timeout, chunksize, buffersize, signal }), but it is iterable. ` +
          (caller === "starmap"
            ? "starmap takes one iterable whose items are argument arrays: starmap(fn, [[a1, b1], [a2, b2]])"
            : "mapUnordered takes one iterable of inputs; map(fn, xs, ys) zips several (in input order)"),
      );
    }
  }
  const opts = (options ?? {}) as MapOptions;
  if (typeof opts !== "object") throw new TypeError(`${caller}: options must be an object, got ${describe(opts)}`);
  assertTimeout(opts.timeout, `${caller}: timeout`);
  checkInteger(opts.chunksize, `${caller}: chunksize`, 1);
  checkInteger(opts.buffersize, `${caller}: buffersize`, 1);
  checkSignal(opts.signal, `${caller}: signal`);
  // As Python's builtin map(): no inputs is a mistake, not an empty map.
  if (iterables.length === 0) throw new TypeError(`${caller}: expected at least one iterable of inputs after the function`);
  for (let i = 0; i < iterables.length; i++) {
    const x = iterables[i];
    if (!isIterable(x) && !isAsyncIterable(x)) {
      const which = iterables.length > 1 ? `iterable ${i + 1} of ${iterables.length}: ` : "";
      throw new TypeError(`${caller}: ${which}expected an iterable or async iterable of inputs, got ${describe(x)}`);
    }
  }
  return { caller, def, iterables, options: opts, deadline: opts.timeout === undefined ? undefined : now() + opts.timeout };
}

/**
 * An options object is a plain object (`{ … }`, or made with `Object.create(null)`) that is not
 * iterable: anything else in the last place is one more iterable.
 */
function isOptionsObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !isIterable(value) && !isAsyncIterable(value);
}

export function isIterable(x: unknown): x is Iterable<unknown> {
  return x != null && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function";
}

export function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}
