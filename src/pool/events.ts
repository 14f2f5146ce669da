/**
 * The executor's events: `workerstart`, `workerexit`, `drain`, `idle`, each an `Event` with a
 * `detail` object (a `CustomEvent` where the platform has one). Engines report them through an
 * {@link ExecutorEvents} object; nothing is built or dispatched for an event nobody listens to.
 * @module
 */

/** `detail` of `"workerstart"`: a worker is ready to run tasks. */
export interface WorkerStartDetail {
  /** The worker's name (`"isofutures-3"`). */
  readonly name: string;
  /** A child process's pid (process pools). */
  readonly pid?: number;
  /** A worker thread's `threadId` (Node thread pools). */
  readonly threadId?: number;
}

/** `detail` of `"workerexit"`: a worker ended. */
export interface WorkerExitDetail {
  /** The worker's name. */
  readonly name: string;
  /** Its exit code, when the platform reports one (`null` in browsers, or when a signal ended it). */
  readonly code: number | null;
  /** The signal that ended it (child processes), else `null`. */
  readonly signal: string | null;
  /**
   * True when it died abruptly, without the executor asking it to end: a crash, `process.exit()`
   * in task code, running out of memory, an uncaught error, or something outside killing it.
   * False when the executor ended it: closed (idle, recycled by `maxTasksPerWorker`, shutdown),
   * terminated to stop a task (timeout, signal), or by `terminate()`.
   */
  readonly crashed: boolean;
}

/** Each event type and the type of its `detail`. */
export interface ExecutorEventMap {
  workerstart: WorkerStartDetail;
  workerexit: WorkerExitDetail;
  /** No task waits for a worker any more (every queued task has been handed to one, or cancelled). */
  drain: Record<string, never>;
  /** Nothing is queued or running. */
  idle: Record<string, never>;
}

/** An executor's event: an `Event` (a `CustomEvent` where there is one) with a `detail`. */
export type ExecutorEvent<D> = Event & { readonly detail: D };

/** Bits of {@link ExecutorEvents.listening}, one per event type. */
export const EVENT_BITS: Readonly<Record<keyof ExecutorEventMap, number>> = { workerstart: 1, workerexit: 2, drain: 4, idle: 8 };

/**
 * What an engine reports events through. `listening` says which have listeners (see
 * {@link EVENT_BITS}): an engine checks it before building a detail, so events cost nothing when
 * nobody listens. Events reach listeners on a microtask, never inside the engine's own work.
 */
export interface ExecutorEvents {
  readonly listening: number;
  emit<K extends keyof ExecutorEventMap>(type: K, detail: ExecutorEventMap[K]): void;
}

const NONE = Object.freeze({}) as Record<string, never>;

/** An empty `detail` (drain, idle). */
export const NO_DETAIL: Record<string, never> = NONE;

type Maker = (type: string, detail: object) => Event;

let make: Maker | undefined;

/** A `CustomEvent`, or where the platform has none, an `Event` subclass with a `detail`. */
export function makeEvent(type: string, detail: object): Event {
  if (make === undefined) {
    const Custom = typeof CustomEvent === "function" ? CustomEvent : undefined;
    if (Custom !== undefined) make = (t, d) => new Custom(t, { detail: d });
    else {
      class DetailEvent extends globalThis.Event {
        readonly detail: object;
        constructor(t: string, d: object) {
          super(t);
          this.detail = d;
        }
      }
      make = (t, d) => new DetailEvent(t, d);
    }
  }
  return make(type, detail);
}
