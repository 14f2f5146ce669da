/**
 * What an executor needs from whatever runs its tasks. The {@link Scheduler} (worker pools on
 * threads, processes, web workers, or the calling thread) is one engine; an executor on a remote
 * job queue is another, living outside the core and given the core's settling functions through
 * an {@link EngineKit}.
 * @internal
 * @module
 */
import { decodeError } from "../wire/error-codec.js";
import { CancelledError, TimeoutError, WorkerCrashedError, BrokenExecutorError } from "../futures/errors.js";
import { forceCancel, setException, setResult, setRunning, type FutureOwner } from "../futures/future.js";
import type { Task, TaskControls } from "./task.js";
import { watchAbort } from "./abort-watch.js";
import type { ExecutorTimings } from "./timings.js";
import type { ExecutorEvents } from "./events.js";

/** Counts of workers and tasks, as an engine reports them. */
export interface EngineStats {
  workers: {
    /** Workers started and not exited (including ones starting up). */
    live: number;
    /** Ready workers holding no task. */
    idle: number;
    /** Workers holding at least one task. */
    busy: number;
  };
  tasks: {
    /** Waiting in the executor for a worker. */
    queued: number;
    /** Handed to a worker and not finished. */
    running: number;
    /** Finished with a result. */
    completed: number;
    /** Finished with an error. */
    failed: number;
    cancelled: number;
  };
}

/** What `Executor.stats()` returns: the counts, and how long recent tasks waited and ran. */
export interface ExecutorStats extends EngineStats {
  /** Durations of recent tasks (see {@link ExecutorTimings}); all counts 0 for an engine that records none. */
  timings: ExecutorTimings;
}

/** Runs an executor's tasks. */
export interface Engine extends FutureOwner {
  readonly maxWorkers: number;
  /** Set once the engine can run nothing more: `submit` then throws `BrokenExecutorError`. */
  readonly broken: BrokenExecutorError | undefined;
  enqueue(task: Task): void;
  /** The task has a signal (its controls, with any timeout, are on the task before it is queued). */
  listen(task: Task, controls: TaskControls): void;
  /** Stream back-pressure: the consumer took `n` values. */
  credit(task: Task, n: number): void;
  /** The consumer of a stream let go. */
  stopStream(task: Task): void;
  shutdown(cancelFutures: boolean): Promise<void>;
  terminate(): Promise<void>;
  /** Counts; with `timings` when the engine records them (the executor fills in empty ones if not). */
  stats(): EngineStats & { timings?: ExecutorTimings };
  /** A future failed or was cancelled before reaching the engine. */
  countSettledEarly(cancelled: boolean): void;
}

/** What the executor tells the engine it makes. */
export interface EngineSettings {
  maxWorkers: number;
  name: string;
  cancelGrace: number;
  /** Where an engine may report the executor's events (`workerstart`, `workerexit`, `drain`, `idle`); reporting none is allowed. */
  events?: ExecutorEvents;
}

/**
 * The core's internals an engine outside `src/` must take from the executor's own copy of the
 * package (an engine's bundle may hold another): settling its futures, watching signals, decoding
 * errors into its classes. Plain constants (the protocol's) it may import itself.
 */
export const engineKit = {
  setRunning,
  setResult,
  setException,
  forceCancel,
  watchAbort,
  decodeError,
  errors: { CancelledError, TimeoutError, WorkerCrashedError, BrokenExecutorError },
} as const;

/** See {@link engineKit}. */
export type EngineKit = typeof engineKit;
