/**
 * What a stream task returns, made into something the runtime can pull values from with
 * back-pressure: an async iterable or iterable as it is, an Observable (which cannot be paused)
 * through a queue.
 * @internal
 * @module
 */

/** A stream task in progress. */
export interface StreamState {
  /** Values it may send before the consumer takes more. */
  credit: number;
  resume: (() => void) | undefined;
  stop: (() => void) | undefined;
  stopped: boolean;
}

export function isObservable(value: unknown): value is { subscribe(observer: object): { unsubscribe(): void } } {
  return typeof value === "object" && value !== null && typeof (value as { subscribe?: unknown }).subscribe === "function" &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== "function";
}

export function iteratorOf(value: unknown): AsyncIterator<unknown> | Iterator<unknown> | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const v = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> };
  if (typeof v[Symbol.asyncIterator] === "function") return v[Symbol.asyncIterator]!();
  if (typeof v[Symbol.iterator] === "function") return v[Symbol.iterator]!();
  return undefined;
}

// An Observable pushes: its values queue here (it cannot be paused) and are pulled like an iterator's.
export function observableToIterable(source: { subscribe(observer: object): { unsubscribe(): void } }, state: StreamState): AsyncIterable<unknown> {
  const queue: unknown[] = [];
  let ended: { error?: unknown } | undefined;
  let wake: (() => void) | undefined;
  const subscription = source.subscribe({
    next: (v: unknown) => {
      queue.push(v);
      wake?.();
    },
    error: (error: unknown) => {
      ended = { error };
      wake?.();
    },
    complete: () => {
      ended = {};
      wake?.();
    },
  });
  state.stop = () => subscription.unsubscribe();
  return {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<unknown>> {
        for (;;) {
          if (queue.length > 0) return { value: queue.shift(), done: false };
          if (ended) {
            if ("error" in ended) throw ended.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<unknown>> {
        subscription.unsubscribe();
        return { value: undefined, done: true };
      },
    }),
  };
}
