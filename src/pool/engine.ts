/**
 * What an executor needs from whatever runs its tasks. The {@link Scheduler} (worker pools on
 * threads, processes, web workers, or the calling thread) is one engine; an executor on a remote
 * job queue is another, living outside the core and given the core's settling functions through
 * an {@link EngineKit}.
 * @internal
 * @module
 */
import type { BrokenExecutorError } from "../futures/errors.js";
import type { FutureOwner } from "../futures/future.js";
import type { Task, TaskControls } from "./task.js";
import type { WorkerFactory } from "./endpoint.js";
import type { SchedulerConfig } from "./scheduler/state.js";
import type { ExecutorTimings, TimingSummary } from "./timings.js";
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

/**
 * The timings of an engine that records none (and of a browser pool before its scheduler has
 * loaded). Here rather than beside the ring that records them (timings.ts), which only a scheduler
 * needs: a browser bundle then loads it with the scheduler.
 */
export function emptyTimings(): ExecutorTimings {
  const none = (): TimingSummary => ({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  return { wait: none(), run: none() };
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

/** See engine-kit.ts. */
export type EngineKit = typeof import("./engine-kit.js").engineKit;

let kit: EngineKit | undefined;

/**
 * Given by the platforms that have engines outside `src/` (Node's entry); a browser bundle, which has
 * none, then carries no part of the kit (the error decoder).
 */
export function provideEngineKit(given: EngineKit): void {
  kit = given;
}

export function providedEngineKit(): EngineKit {
  if (!kit) throw new TypeError("this build of isofutures has no engines but its pools (engine kit not provided)");
  return kit;
}

/**
 * Makes the engine of a pool: `startScheduler` (scheduler.ts), or, in browsers, an engine that loads
 * the scheduler when the executor is made and hands it what was submitted meanwhile (lazy-engine.ts).
 */
export type SchedulerMaker = (factory: WorkerFactory, config: SchedulerConfig) => Engine;
