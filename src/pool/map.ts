/**
 * `map`, `starmap` and `mapUnordered`: lazy, bounded, chunked iteration over a pool.
 *
 * - Submission starts at the call (in a browser, as soon as this code has loaded: lazy-map.ts): up
 *   to `buffersize` chunks are read from the input and submitted before the caller touches the
 *   iterator; each chunk fully consumed lets one more in.
 * - A task's own error is thrown when iteration reaches its item; iteration may continue after it
 *   (Python main, gh-108518). A failure of the machinery — timeout, a crashed worker, a broken or
 *   shut-down executor, an input iterable that throws — ends the iteration and cancels what has not
 *   started, as does `return()` (`break`).
 * - The iterator keeps no reference to results it has already yielded.
 * @module
 */
import { now, type Timer } from "../util/timers.js";
import { CancelledError, TimeoutError } from "../futures/errors.js";
import { hasFailed, peek, type Future } from "../futures/future.js";
import { describe } from "../util/describe.js";
import { KIND_MAP, KIND_STARMAP } from "../wire/protocol.js";
import type { ChunkOutcome } from "./task.js";
import { isTransfer } from "../wire/transfer.js";
import { watchAbort } from "./abort-watch.js";
import { readInput, zipInputs, type Source } from "./map-inputs.js";
import type { MapCall, MapHost, MapRunner } from "./map-call.js";

interface Chunk {
  future: Future<ChunkOutcome>;
  outcome?: ChunkOutcome;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
const RESOLVED = Promise.resolve();

/**
 * Starts a checked call (map-call.ts): reads its inputs and submits the first chunks. With
 * `stopped`, the iteration was let go before its code had loaded (lazy-map.ts): nothing is
 * submitted and the inputs are closed. @internal
 */
export const runMap: MapRunner = <R>(host: MapHost, call: MapCall, stopped = false): AsyncIterableIterator<R> => {
  const { caller, iterables, options } = call;
  const input = iterables.length === 1 ? readInput(iterables[0]) : zipInputs(iterables);
  const size = input.size;
  const chunksize =
    options.chunksize ?? (size === undefined || size === Infinity ? 1 : Math.max(1, Math.min(65536, Math.floor(size / (host.maxWorkers * 16)))));
  const buffersize = options.buffersize ?? Math.max(8, 4 * host.maxWorkers);
  const kind = caller === "starmap" || input.zipped ? KIND_STARMAP : KIND_MAP;
  return new MapIterator<R>(host, call, kind, input.source, chunksize, buffersize, input.zipped, stopped);
};

class MapIterator<R> implements AsyncIterableIterator<R> {
  // Chunks submitted and not fully yielded, in input order (ordered) or completion order (unordered).
  readonly #chunks: Chunk[] = [];
  #head = 0;
  /** Submitted chunks still running (unordered only; ordered keeps them in #chunks). */
  readonly #running = new Set<Chunk>();
  #current: ChunkOutcome | undefined;
  #pos = 0;
  /** Chunks submitted and not fully yielded. */
  #inFlight = 0;
  #sourceDone = false;
  /** The input threw (or no more could be submitted): raised after everything before it. */
  #inputError: { error: unknown } | undefined;
  #reading = false;
  #finished = false;
  /** The error that ends the iteration, thrown by the next `next()`. */
  #ending: { error: unknown } | undefined;
  #timedOut = false;
  #wake: (() => void) | undefined;
  /** Calls of `next()` not yet answered: while any is, later calls queue behind it. */
  #waiting = 0;
  #tail: Promise<void> = RESOLVED;
  #timer: Timer | undefined;
  readonly #unwatch: (() => void) | undefined;

  private readonly unordered: boolean;

  constructor(
    private readonly host: MapHost,
    private readonly call: MapCall,
    private readonly kind: number,
    private readonly source: Source,
    private readonly chunksize: number,
    private readonly buffersize: number,
    /** Items are tuples zipped from several iterables: their elements may carry transfer() markers. */
    private readonly zipped: boolean,
    stopped: boolean,
  ) {
    this.unordered = call.caller === "mapUnordered";
    if (stopped) {
      this.#finish();
      return;
    }
    const signal = call.options.signal;
    if (signal?.aborted) {
      this.#end(signal.reason);
      return;
    }
    if (signal) {
      this.#unwatch = watchAbort(signal, () => this.#end(signal.reason));
    }
    this.#fill();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R>> {
    const cur = this.#current;
    if (cur !== undefined && this.#waiting === 0 && this.#pos < cur.values.length) {
      // Fast path: the next result is already here.
      const i = this.#pos++;
      const value = cur.values[i];
      cur.values[i] = undefined;
      if (this.#pos === cur.values.length) this.#chunkDone();
      if (cur.errors !== null && cur.errors.has(i)) return Promise.reject(cur.errors.get(i));
      return Promise.resolve({ value: value as R, done: false });
    }
    this.#waiting++;
    const result = this.#tail.then(() => this.#slowNext()).then(
      (r) => {
        this.#waiting--;
        return r;
      },
      (e: unknown) => {
        this.#waiting--;
        throw e;
      },
    );
    this.#tail = result.then(noop, noop);
    return result;
  }

  return(): Promise<IteratorResult<R>> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  async #slowNext(): Promise<IteratorResult<R>> {
    for (;;) {
      const cur = this.#current;
      if (cur !== undefined && this.#pos < cur.values.length) {
        const i = this.#pos++;
        const value = cur.values[i];
        cur.values[i] = undefined;
        if (this.#pos === cur.values.length) this.#chunkDone();
        if (cur.errors !== null && cur.errors.has(i)) throw cur.errors.get(i);
        return { value: value as R, done: false };
      }
      if (this.#ending) {
        const { error } = this.#ending;
        this.#ending = undefined;
        this.#finish();
        throw error;
      }
      if (this.#finished) return DONE;
      const chunk = this.#chunks[this.#head];
      if (chunk === undefined) {
        if (this.#sourceDone && this.#running.size === 0) {
          if (this.#inputError) this.#end(this.#inputError.error);
          else {
            this.#finish();
            return DONE;
          }
          continue;
        }
        await this.#sleep(undefined); // for input (async source) or a completion (unordered)
        continue;
      }
      const f = chunk.future;
      if (!f.done()) {
        await this.#sleep(f);
        continue;
      }
      if (f.state === "cancelled" || hasFailed(f)) {
        this.#end(peek(f));
        continue;
      }
      this.#chunks[this.#head++] = undefined as unknown as Chunk;
      if (this.#head === this.#chunks.length) this.#chunks.length = this.#head = 0;
      this.#current = peek(f) as ChunkOutcome;
      this.#pos = 0;
      if (this.#current.values.length === 0) this.#chunkDone();
    }
  }

  // Waits for the future (or for input / any completion), the deadline or the signal.
  #sleep(f: Future<ChunkOutcome> | undefined): Promise<void> {
    if (this.#timedOut) {
      this.#end(new TimeoutError(`${this.unordered ? "mapUnordered" : "map"} did not finish within its timeout of ${this.call.options.timeout} ms; the tasks not started were cancelled`));
      return RESOLVED;
    }
    return new Promise((resolve) => {
      const wake = () => {
        if (this.#wake === wake) this.#wake = undefined;
        resolve();
      };
      this.#wake = wake;
      f?.addDoneCallback(wake);
      this.#armDeadline();
    });
  }

  #armDeadline(): void {
    const deadline = this.call.deadline;
    if (deadline === undefined || this.#timer !== undefined || this.#timedOut) return;
    const left = deadline - now();
    const fire = () => {
      this.#timer = undefined;
      this.#timedOut = true;
      this.#wake?.();
    };
    if (left <= 0) fire();
    else this.#timer = setTimeout(fire, left);
  }

  #chunkDone(): void {
    this.#current = undefined;
    this.#pos = 0;
    this.#inFlight--;
    this.#fill();
  }

  // Reads and submits chunks while fewer than buffersize are outstanding.
  #fill(): void {
    if (this.#reading || this.#sourceDone || this.#finished) return;
    const source = this.source;
    if (source.kind === "async") {
      void this.#readAsync(source.it);
      return;
    }
    this.#reading = true;
    try {
      while (this.#inFlight < this.buffersize && !this.#sourceDone && !this.#finished) {
        if (source.kind === "array") {
          const start = source.index;
          const end = Math.min(start + this.chunksize, source.array.length);
          source.index = end;
          if (end === source.array.length) this.#sourceDone = true;
          if (end > start) this.#submitItems(source.array.slice(start, end));
        } else {
          this.#readSync(source.it);
        }
      }
    } finally {
      this.#reading = false;
    }
  }

  #readSync(it: Iterator<unknown>): void {
    const items: unknown[] = [];
    try {
      while (items.length < this.chunksize) {
        const r = it.next();
        if (r.done) {
          this.#sourceDone = true;
          break;
        }
        items.push(r.value);
      }
    } catch (error) {
      this.#inputFailed(error);
    }
    this.#submitItems(items);
  }

  async #readAsync(it: AsyncIterator<unknown>): Promise<void> {
    this.#reading = true;
    try {
      while (this.#inFlight < this.buffersize && !this.#sourceDone && !this.#finished) {
        const items: unknown[] = [];
        try {
          while (items.length < this.chunksize) {
            const r = await it.next();
            if (r.done) {
              this.#sourceDone = true;
              break;
            }
            items.push(r.value);
          }
        } catch (error) {
          this.#inputFailed(error);
        }
        if (this.#finished) return;
        this.#submitItems(items);
        this.#wake?.();
      }
    } finally {
      this.#reading = false;
    }
  }

  #inputFailed(error: unknown): void {
    this.#inputError ??= { error };
    this.#sourceDone = true;
  }

  #submitItems(items: unknown[]): void {
    let transfer: object[] | undefined;
    const starmap = this.kind === KIND_STARMAP;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item !== "object" || item === null) {
        if (!starmap) continue;
      } else if (!starmap) {
        if (isTransfer(item)) {
          items[i] = item.value;
          (transfer ??= []).push(...item.list);
        }
        continue;
      } else if (Array.isArray(item)) {
        if (this.zipped) {
          for (let k = 0; k < item.length; k++) {
            const arg = item[k] as unknown;
            if (typeof arg === "object" && arg !== null && isTransfer(arg)) {
              item[k] = arg.value;
              (transfer ??= []).push(...arg.list);
            }
          }
        }
        continue;
      } else if (typeof (item as Iterable<unknown>)[Symbol.iterator] === "function") {
        items[i] = Array.from(item as Iterable<unknown>);
        continue;
      }
      this.#inputFailed(new TypeError(`starmap: each input must be an array (or iterable) of arguments; input ${i} of a chunk was ${describe(item)}`));
      items.length = i;
      break;
    }
    if (items.length === 0) return;
    if (this.host.cancelsNew()) {
      // Its input is read as it is consumed: what comes after the executor cancelled its pending tasks is cancelled too.
      this.#inputFailed(new CancelledError(`${this.call.caller}: the executor was terminated, or shut down with cancelFutures, before these inputs were submitted`));
      return;
    }
    let future: Future<ChunkOutcome>;
    try {
      future = this.host.submitChunk(this.call.def, this.kind, items, transfer);
    } catch (error) {
      this.#inputFailed(error);
      return;
    }
    const chunk: Chunk = { future };
    this.#inFlight++;
    if (!this.unordered) {
      this.#chunks.push(chunk);
      return;
    }
    this.#running.add(chunk);
    future.addDoneCallback(() => {
      if (!this.#running.delete(chunk)) return;
      this.#chunks.push(chunk);
      this.#wake?.();
    });
  }

  // Ends the iteration with an error, thrown by the next `next()`.
  #end(error: unknown): void {
    if (this.#finished || this.#ending) return;
    this.#ending = { error };
    this.#stop();
    this.#wake?.();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stop();
    this.#chunks.length = this.#head = 0;
    this.#running.clear();
    this.#current = undefined;
    this.#wake?.();
  }

  // Cancels everything not started, closes the input, drops timers and listeners.
  #stop(): void {
    for (let i = this.#head; i < this.#chunks.length; i++) this.#chunks[i]?.future.cancel();
    for (const c of this.#running) c.future.cancel();
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#unwatch?.();
    if (!this.#sourceDone) {
      this.#sourceDone = true;
      try {
        const r = this.source.kind === "array" ? undefined : this.source.it.return?.();
        if (r && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).then(noop, noop);
      } catch {
        // closing the input is best effort
      }
    }
  }
}

function noop(): void {}
