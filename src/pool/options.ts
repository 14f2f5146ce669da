/**
 * The options executors take (their types and names), and what the options of other pools
 * (piscina, workerpool, poolifier, tinypool) become here, for the error an unknown option gets
 * (see util/options.ts).
 * @module
 */
import type { TaskFunction } from "../types.js";
import type { TaskRef } from "../wire/task-ref.js";

/** Options every executor takes. */
export interface ExecutorOptions {
  /** Upper bound of workers. @defaultValue `cpuCount()` */
  maxWorkers?: number | undefined;
  /** Workers started at once and kept even when idle. @defaultValue `0` (workers start on demand) */
  minWorkers?: number | undefined;
  /**
   * URL or path of an ES module whose named exports are the task functions. A relative string
   * resolves against the current directory (Node) or the page (browser);
   * `new URL("./tasks.js", import.meta.url)` is the reliable form.
   */
  tasks?: string | URL | undefined;
  /** Run once in each new worker before its first task: an export name of `tasks`, a `taskRef`, or a self-contained function. */
  initializer?: string | TaskFunction | TaskRef | undefined;
  /** Arguments of `initializer`. @defaultValue `[]` */
  initArgs?: readonly unknown[] | undefined;
  /** A worker is replaced after running this many tasks. @defaultValue `Infinity` */
  maxTasksPerWorker?: number | undefined;
  /** ms after which an idle worker above `minWorkers` exits. `Infinity`: never. @defaultValue `10000` */
  idleTimeout?: number | undefined;
  /** Prefix of worker names (`"<name>-1"`, `"<name>-2"`…). @defaultValue `"isofutures"` */
  name?: string | undefined;
  /** Aborting it shuts the executor down, cancelling pending work (`shutdown({ wait: false, cancelFutures: true })`). */
  signal?: AbortSignal | undefined;
  /**
   * ms a running task asked to stop (its timeout passed, its signal fired, its stream was let go)
   * has to end by itself — watching `currentTask().signal` — before its worker is terminated.
   * A task that stops in time keeps its worker. `0`: terminate at once. @defaultValue `50`
   */
  cancelGrace?: number | undefined;
  /**
   * How many tasks one worker runs at once. Async tasks then overlap their waits (I/O, timers) in
   * one worker, as piscina's option of the same name: 10 tasks that each wait 300 ms take 300 ms
   * on one worker with `10`, 3 s with `1`. Each of them is running (not cancellable) from the
   * moment it is handed to the worker; a worker whose task must be stopped the hard way (timeout,
   * signal) takes its other running tasks with it (see the README, "Stopping tasks").
   * Quick tasks still travel in larger batches, as with `1`. @defaultValue `1`
   */
  concurrentTasksPerWorker?: number | undefined;
}

/** Per-task controls for `Executor.submitWith`. */
export interface SubmitOptions {
  /**
   * ms the task may run, counted from when it is handed to a worker (state `running`). When it
   * passes, the worker is terminated (and replaced) and the future fails with `TimeoutError`.
   */
  timeout?: number | undefined;
  /**
   * Aborting it cancels the task if it is still pending (`CancelledError`); if it is running, its
   * worker is terminated (and replaced) and the future fails with the signal's `reason`.
   */
  signal?: AbortSignal | undefined;
}

/** Options of `Executor.shutdown`. */
export interface ShutdownOptions {
  /** Resolve only when all running work has finished and every worker has exited. @defaultValue `true` */
  wait?: boolean | undefined;
  /** Cancel every task that has not started. @defaultValue `false` */
  cancelFutures?: boolean | undefined;
}


/** Options every pool executor takes (thread, process, inline, browser). */
export const EXECUTOR_OPTIONS = [
  "maxWorkers",
  "minWorkers",
  "tasks",
  "initializer",
  "initArgs",
  "maxTasksPerWorker",
  "idleTimeout",
  "name",
  "signal",
  "cancelGrace",
  "concurrentTasksPerWorker",
] as const;

/** Node thread pools add these. */
export const NODE_THREAD_OPTIONS = ["env", "execArgv", "resourceLimits", "worker", "protocol"] as const;
/** Node process pools add these. */
export const NODE_PROCESS_OPTIONS = ["env", "execArgv", "cwd", "stdio"] as const;
/** Browser thread pools add these. */
export const BROWSER_THREAD_OPTIONS = ["worker", "workerOptions", "protocol"] as const;

const KIND = 'choose the executor instead: ThreadPoolExecutor, ProcessPoolExecutor, or createExecutor({ kind: "thread" | "process" | "inline" })';

/** Options of other pools that are not typos of ours: what to do instead (any platform). */
export const PEER_OPTION_HINTS: Readonly<Record<string, string>> = {
  filename: "the module of task functions is given as tasks (a URL or path)",
  workerData: "there is no per-worker data object: pass it to an initializer with initArgs, or to each task as an argument",
  minThreads: "use minWorkers",
  maxThreads: "use maxWorkers",
  maxQueue: "the queue has no bound of its own: check stats().tasks.queued (or listen to drain) before submitting more",
  workerType: KIND,
  runtime: KIND,
  isolateWorkers: "use maxTasksPerWorker: 1 (a fresh worker for each task)",
  onCreateWorker: 'listen to the executor\'s "workerstart" event',
  onTerminateWorker: 'listen to the executor\'s "workerexit" event',
  useAtomics: "idle workers already wait on shared memory before returning to their event loop",
  atomics: "idle workers already wait on shared memory before returning to their event loop",
  taskQueue: "the queue is built in",
  workerChoiceStrategy: "tasks go to idle workers first, then to the ones with room in their credit window",
  closeTimeout: "shutdown({ wait: true }) waits for running tasks; terminate() stops at once",
};

/**
 * Node's executors: the hints above, and those for options of Node's child processes, worker
 * threads and OS (a browser app has no use for them, nor its bundle for their text).
 */
export const NODE_OPTION_HINTS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.assign({}, PEER_OPTION_HINTS, {
  forkOpts: "give env, execArgv, cwd and stdio directly",
  forkArgs: "children take no arguments: pass data with initArgs",
  workerThreadOpts: "give env, execArgv and resourceLimits directly",
  niceIncrement: "call os.setPriority in an initializer (see the Node service demo)",
});
