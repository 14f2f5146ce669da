/**
 * `currentTask()`'s view of the runtime: which task's code is executing synchronously right now,
 * and the abort controllers of the tasks that asked for their signal. The runtime is found through
 * a registered global symbol, so that task code importing its own copy of the package (beside the
 * worker's bundled runtime) still finds it.
 * @internal
 * @module
 */

/** What `currentTask()` gives a task. */
export interface CurrentTask {
  /** Aborted when the caller asks the task to stop (its signal fired or its timeout passed). */
  readonly signal: AbortSignal;
}

/** The registry slot through which `currentTask()` (in any copy of the library) finds the runtime. */
export const CURRENT_TASK_KEY = Symbol.for("isofutures.currentTask");

/** A runtime's record of the task it is executing. */
export interface RunningTask {
  seq: number;
  controllers: Map<number, AbortController>;
}

/** The task whose function is executing synchronously right now (one per thread; inline runtimes share it). */
let running: RunningTask | undefined;

/** Marks `task` as executing (or none, with `undefined`) until the next call. */
export function setExecuting(task: RunningTask | undefined): void {
  running = task;
}

/** Puts this thread's `currentTask()` registry in place, once. */
export function installCurrentTask(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[CURRENT_TASK_KEY]) return;
  g[CURRENT_TASK_KEY] = {
    current(): CurrentTask | undefined {
      if (running === undefined) return undefined;
      let c = running.controllers.get(running.seq);
      if (!c) running.controllers.set(running.seq, (c = new AbortController()));
      return { signal: c.signal };
    },
  };
}
