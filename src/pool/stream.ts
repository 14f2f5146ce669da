/**
 * `TaskStream`: the values of a stream task, as an `Observable` (observable-fns) that is also an
 * async iterable. Consumed once. Values the consumer has not taken are bounded: the worker sends
 * at most `highWaterMark` (at least 16) ahead, and is granted more as they are taken.
 * @module
 */
import { StreamObservable } from "./observable.js";
import { InvalidStateError } from "../futures/errors.js";
import { hasFailed, peek, type Future } from "../futures/future.js";
import type { StreamSink, Task } from "./task.js";
import { STREAM_WINDOW } from "../wire/protocol.js";

/** Options of `streamWith`. */
export interface StreamOptions {
  /** Values the worker may send ahead of the consumer (at least 16). @defaultValue 16 */
  highWaterMark?: number | undefined;
  /** ms the whole stream may take, from when the task starts; then it ends with `TimeoutError`. */
  timeout?: number | undefined;
  /** Aborting it ends the stream with the signal's reason and stops the task. */
  signal?: AbortSignal | undefined;
}

interface Control {
  credit(n: number): void;
  stop(): void;
}

interface Observer<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * The values of a stream task (see `Executor.stream`), and its {@link TaskStream.result}: what the
 * task's generator returns once it has yielded them all.
 */
export class TaskStream<T, R = unknown> extends StreamObservable<T> implements AsyncIterable<T>, StreamSink {
  readonly #queue: T[] = [];
  #end: { error?: unknown } | undefined;
  #observer: Observer<T> | undefined;
  #iterating = false;
  #wake: (() => void) | undefined;
  #taken = 0;
  #primed = false;
  #stopped = false;
  readonly #hwm: number;
  readonly #control: Control | undefined;
  #result: Future<unknown> | undefined;

  /** @internal made by `Executor.stream` */
  constructor(task: Task | undefined, highWaterMark: number, control: Control | undefined) {
    super((observer) => this.#subscribe(observer as Observer<T>));
    void task;
    this.#hwm = Math.max(highWaterMark, STREAM_WINDOW);
    this.#control = control;
  }

  /** @internal a stream that fails at once (its arguments were refused) */
  static failed<T, R = unknown>(future: Future<unknown>): TaskStream<T, R> {
    const stream = new TaskStream<T, R>(undefined, STREAM_WINDOW, undefined);
    stream.attach(future);
    return stream;
  }

  /**
   * A future of the task's return value: what its generator `return`s after the last value
   * (`undefined` for other iterables and Observables), so that progress and a final result come
   * from one call. It settles when the stream ends: the values must be consumed (or at most
   * `highWaterMark` of them left untaken) for the generator to reach its end. It fails as the
   * stream does (the task's error, `TimeoutError`, the signal's reason), and with `CancelledError`
   * when the stream is let go before its end.
   */
  get result(): Future<R> {
    return this.#result as Future<R>;
  }

  /** @internal the task's end ends the stream */
  attach(future: Future<unknown>): void {
    this.#result = future;
    future.addDoneCallback((f) => {
      this.#end = f.state === "finished" && !hasFailed(f) ? {} : { error: peek(f) };
      this.#drain();
    });
  }

  /** @internal a value from the worker */
  item(value: unknown): void {
    if (this.#stopped) return;
    if (!this.#primed) {
      this.#primed = true;
      if (this.#hwm > STREAM_WINDOW) this.#control?.credit(this.#hwm - STREAM_WINDOW);
    }
    this.#queue.push(value as T);
    this.#drain();
  }

  /** Async iteration over the values; `break` stops the task. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.#claim();
    this.#iterating = true;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (this.#queue.length > 0) {
            const value = this.#queue.shift() as T;
            this.#took();
            return { value, done: false };
          }
          const end = this.#end;
          if (end) {
            if ("error" in end) throw end.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      },
      return: async (): Promise<IteratorResult<T>> => {
        this.#cancel();
        return { value: undefined, done: true };
      },
    };
  }

  #subscribe(observer: Observer<T>): () => void {
    try {
      this.#claim();
    } catch (error) {
      observer.error(error);
      return () => {};
    }
    this.#observer = observer;
    queueMicrotask(() => this.#drain());
    return () => this.#cancel();
  }

  #claim(): void {
    if (this.#observer || this.#iterating) {
      throw new InvalidStateError("a task stream can be consumed once: subscribe or iterate it once (share it with observable-fns' multicast if needed)");
    }
  }

  #drain(): void {
    const observer = this.#observer;
    if (observer) {
      while (this.#queue.length > 0 && !this.#stopped) {
        observer.next(this.#queue.shift() as T);
        this.#took();
      }
      const end = this.#end;
      if (end && !this.#stopped) {
        this.#stopped = true;
        if ("error" in end) observer.error(end.error);
        else observer.complete();
      }
      return;
    }
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  // Credit goes back in halves of the window: one message per half-window of values taken.
  #took(): void {
    if (++this.#taken >= this.#hwm / 2) {
      this.#control?.credit(this.#taken);
      this.#taken = 0;
    }
  }

  #cancel(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#queue.length = 0;
    if (!this.#end) this.#control?.stop();
  }
}
