/**
 * `InlineExecutor` for Node.
 * @module
 */
import { Executor, type ExecutorOptions } from "../../src/pool/executor.js";
import { inlineFactory } from "../../src/inline-endpoint.js";
import type { AnyTasks } from "../../src/types.js";
import { nodeScheduler } from "./pool-engine.js";
import { resolveModule } from "./resolve.js";
import { NODE_OPTION_HINTS } from "../../src/pool/options.js";

/**
 * Runs tasks on the calling thread, with the same semantics as the pools (tasks modules,
 * self-contained functions, error encoding): for debugging, tests, and platforms without workers.
 * `maxWorkers` (default 1) is how many tasks may be in progress at once (async tasks overlap).
 * A running task cannot be preempted: a `timeout` or `signal` fails its future at once and aborts
 * `currentTask().signal`, but the task's code runs on until it returns.
 */
export class InlineExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    super(options, inlineFactory(resolveModule), { defaultMaxWorkers: () => 1, served: false, hints: NODE_OPTION_HINTS, scheduler: nodeScheduler });
  }
}
