/**
 * A map runner that loads map.ts on first use, so that a browser app's main bundle carries only a
 * map's checks (map-call.ts), and an app that never maps never fetches the iteration. Meanwhile the
 * map's iterator is a stand-in that keeps the contract:
 * - the call has already thrown what it must (map-call.ts runs at the call);
 * - submission starts as soon as the code has loaded (the executor's own scheduler loads from the
 *   executor's creation on, so a task seldom could have reached a worker sooner), and the timeout
 *   counts from the call; the map's tasks count as submitted at the call: the executor's
 *   `shutdown()` waits for them (`MapHost.starting`);
 * - `next()` calls made meanwhile are answered in order; `return()` (`break`) made meanwhile
 *   submits nothing and closes the inputs once the code is there.
 * Once loaded, later maps run at once.
 * @internal
 * @module
 */
import type { MapCall, MapHost, MapRunner } from "./map-call.js";

/** A {@link MapRunner} whose code `load` brings, the first time a map needs it. */
export function lazyMap(load: () => Promise<MapRunner>): MapRunner {
  let run: MapRunner | undefined;
  let loading: Promise<MapRunner> | undefined;
  const get = () =>
    (loading ??= load().then(
      (r) => (run = r),
      (error: unknown) => {
        loading = undefined; // the next map tries again
        throw error;
      },
    ));
  return <R>(host: MapHost, call: MapCall) => (run ? run<R>(host, call) : new PendingMap<R>(get(), host, call));
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** A map's iterator while map.ts loads; then every call goes to the real one. */
class PendingMap<R> implements AsyncIterableIterator<R> {
  #it: AsyncIterator<R> | undefined;
  #failed: { error: unknown } | undefined;
  #stopped = false;
  /** `next()` calls made before the real iterator existed, in order. */
  readonly #waiting: { resolve: (r: IteratorResult<R>) => void; reject: (e: unknown) => void }[] = [];

  constructor(loading: Promise<MapRunner>, host: MapHost, call: MapCall) {
    const started = loading.then(
      (run) => {
        let it: AsyncIterator<R>;
        try {
          it = run<R>(host, call, this.#stopped);
        } catch (error) {
          // Reading the input threw (its iterator could not be made): what the call would have thrown.
          return this.#fail(error);
        }
        this.#it = it;
        // Forwarded in the turn the iterator is set: no later call can overtake them.
        for (const w of this.#waiting.splice(0)) it.next().then(w.resolve, w.reject);
      },
      (error: unknown) =>
        this.#fail(
          new Error(`${call.caller}: its code could not be loaded, so none of its tasks was submitted: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        ),
    );
    host.starting(started);
  }

  #fail(error: unknown): void {
    this.#failed = { error };
    for (const w of this.#waiting.splice(0)) w.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R>> {
    if (this.#it) return this.#it.next();
    if (this.#failed) return Promise.reject(this.#failed.error);
    if (this.#stopped && this.#waiting.length === 0) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<R>> {
    if (this.#it) return (this.#it.return as () => Promise<IteratorResult<R>>)();
    this.#stopped = true;
    return Promise.resolve(DONE);
  }
}
