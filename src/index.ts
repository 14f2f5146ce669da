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
} from "./futures/errors.js";
export { Future, type DoneCallback, type FutureState } from "./futures/future.js";
export {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  asCompleted,
  wait,
  type AsCompletedOptions,
  type DoneAndNotDone,
  type FutureView,
  type ReturnWhen,
  type WaitOptions,
} from "./futures/wait.js";
export {
  Executor,
  type ExecutorOptions,
  type ExecutorStats,
  type MapOptions,
  type ShutdownOptions,
  type SubmitOptions,
} from "./pool/executor.js";
export type { ExecutorTimings, TimingSummary } from "./pool/timings.js";
export type { ExecutorEvent, ExecutorEventMap, WorkerExitDetail, WorkerStartDetail } from "./pool/events.js";
export { transfer } from "./wire/transfer.js";
export { taskRef, type TaskRef } from "./wire/task-ref.js";
export type { AnyIterable, AnyTasks, StreamValue, TaskArgs, TaskFunction, TaskInput, TaskName, TaskResult, StreamReturn, ZipInputs } from "./types.js";
export type { PlatformInfo } from "./platform-info.js";
export { Lock, RLock, type Guard, type TimeoutOptions } from "./shared/lock.js";
export { Semaphore, BoundedSemaphore } from "./shared/semaphore.js";
export { Event } from "./shared/event.js";
export { Condition, type ConditionOptions } from "./shared/condition.js";
export { Barrier, BrokenBarrierError, type BarrierOptions } from "./shared/barrier.js";
export { SharedArray, type ElementType } from "./shared/shared-array.js";
export { RingBuffer, type RingBufferOptions, type RingValue, type PartialWrite } from "./shared/ring-buffer.js";
export { Queue, type QueueOptions } from "./shared/queue.js";
export { JoinableQueue } from "./shared/joinable-queue.js";
export { Pipe, Connection, EOFError, type PipeOptions, type RecvOptions } from "./shared/pipe.js";
export { TaskStream, type StreamOptions } from "./pool/stream.js";
export { DictProxy, ListProxy, type ManagerKey } from "./remote/manager.js";
export { BaseProcess, type JoinOptions } from "./process/process.js";
export type { ProcessKind, ProcessOptions } from "./process/options.js";
export { currentProcess, parentProcess, type ParentInfo, type ProcessInfo } from "./process/current.js";
