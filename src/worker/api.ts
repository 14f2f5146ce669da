/**
 * The worker-side API (`isofutures/worker`), platform-neutral part: `currentTask()` and `transfer()`.
 * `serve()` needs the platform's port and lives in `platform/<name>/worker.ts`.
 * @module
 */
import { InvalidStateError } from "../futures/errors.js";
import { CURRENT_TASK_KEY, type CurrentTask } from "./current-task.js";

export { transfer } from "../wire/transfer.js";
export type { CurrentTask } from "./current-task.js";

/**
 * The task running now, for cooperative stopping: `currentTask().signal` is aborted when the
 * caller's signal fires or the task's timeout passes. Call it synchronously at the start of the
 * task (before its first `await`) and keep the result.
 * @throws {@link InvalidStateError} when no task is running synchronously on this thread.
 */
export function currentTask(): CurrentTask {
  const registry = (globalThis as Record<symbol, { current(): CurrentTask | undefined } | undefined>)[CURRENT_TASK_KEY];
  const task = registry?.current();
  if (!task) {
    throw new InvalidStateError(
      "currentTask() was called outside a running task: call it synchronously at the start of the task function, before any await",
    );
  }
  return task;
}
