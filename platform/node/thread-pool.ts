/**
 * `ThreadPoolExecutor` on Node's `worker_threads`.
 * @module
 */
import { Executor, type ExecutorOptions } from "../../src/pool/executor.js";
import { checkWorkerOption } from "../../src/util/validate.js";
import { NODE_OPTION_HINTS, NODE_THREAD_OPTIONS } from "../../src/pool/options.js";
import type { AnyTasks } from "../../src/types.js";
import { nodeScheduler } from "./pool-engine.js";
import { cpuCount } from "./cpu.js";
import { threadFactory, type NodeThreadOptions } from "./thread-worker.js";

/** Options of `ThreadPoolExecutor` on Node. */
export interface ThreadPoolOptions extends ExecutorOptions, NodeThreadOptions {}

/**
 * Runs tasks on a pool of `worker_threads`. Workers start on demand (up to `maxWorkers`, default
 * `cpuCount()`), several tasks travel per message, and an idle worker does not keep the program
 * alive.
 * @example
 * ```ts
 * const pool = new ThreadPoolExecutor<typeof import("./tasks.js")>({ tasks: new URL("./tasks.js", import.meta.url) });
 * const n = await pool.submit("fib", 30);
 * await pool.shutdown();
 * ```
 */
export class ThreadPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ThreadPoolOptions) {
    checkWorkerOption(options?.worker, options?.tasks, options?.protocol);
    super(options, threadFactory(options ?? {}), {
      defaultMaxWorkers: cpuCount,
      served: options?.worker !== undefined,
      options: NODE_THREAD_OPTIONS,
      hints: NODE_OPTION_HINTS,
      scheduler: nodeScheduler,
    });
  }
}
