/**
 * `ProcessPoolExecutor` on Node's `child_process`.
 * @module
 */
import { Executor, type ExecutorOptions } from "../../src/pool/executor.js";
import type { AnyTasks } from "../../src/types.js";
import { nodeScheduler } from "./pool-engine.js";
import { cpuCount } from "./cpu.js";
import { NODE_OPTION_HINTS, NODE_PROCESS_OPTIONS } from "../../src/pool/options.js";
import { processFactory, type NodeProcessOptions } from "./process-worker.js";

/** Options of `ProcessPoolExecutor`. */
export interface ProcessPoolOptions extends ExecutorOptions, NodeProcessOptions {}

/**
 * Runs tasks in a pool of child processes (`child_process.fork`, structured clone over IPC): for
 * native addons that are not thread-safe, code that calls `process.chdir` or `process.exit`,
 * separate heaps and memory limits, and a hard stop that always works. Same contract as
 * `ThreadPoolExecutor`, except that nothing is shared: `transfer()` copies, and shared memory or
 * message ports in arguments fail the task with `UnsupportedError`. The process title of each
 * child is its worker name.
 */
export class ProcessPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ProcessPoolOptions) {
    super(options, processFactory(options ?? {}), { defaultMaxWorkers: cpuCount, served: false, options: NODE_PROCESS_OPTIONS, hints: NODE_OPTION_HINTS, scheduler: nodeScheduler });
  }
}
