/**
 * The option names executors take, and what the options of other pools (piscina, workerpool,
 * poolifier, tinypool) become here, for the error an unknown option gets (see util/options.ts).
 * @internal
 * @module
 */

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
