/**
 * The platform-neutral part of the public API. Each platform's entry (`platform/<name>/index.ts`)
 * re-exports this and adds its executors, `cpuCount()` and `platformInfo()`.
 * @module
 */
export {
  BrokenExecutorError,
  CancelledError,
  InvalidStateError,
  ShutdownError,
  TimeoutError,
  UnsupportedError,
  WorkerCrashedError,
} from "./errors.js";
export { Future, type DoneCallback, type FutureState } from "./future.js";
export {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  asCompleted,
  wait,
  type AsCompletedOptions,
  type DoneAndNotDone,
  type ReturnWhen,
  type WaitOptions,
} from "./wait.js";
export {
  Executor,
  type ExecutorOptions,
  type ExecutorStats,
  type MapOptions,
  type ShutdownOptions,
  type SubmitOptions,
} from "./executor.js";
export { transfer } from "./transfer.js";
export { taskRef, type TaskRef } from "./task-ref.js";
export type { AnyIterable, AnyTasks, TaskArgs, TaskFunction, TaskInput, TaskName, TaskResult } from "./types.js";
export type { PlatformInfo } from "./platform-info.js";
