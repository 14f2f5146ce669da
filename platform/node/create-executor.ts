/**
 * `createExecutor()` for Node.
 * @module
 */
import type { Executor } from "../../src/pool/executor.js";
import { describe } from "../../src/util/describe.js";
import type { AnyTasks } from "../../src/types.js";
import { InlineExecutor } from "./inline.js";
import { ProcessPoolExecutor, type ProcessPoolOptions } from "./process-pool.js";
import { ThreadPoolExecutor, type ThreadPoolOptions } from "./thread-pool.js";

/** Options of {@link createExecutor}: the executor's options plus which kind to make. */
export interface CreateExecutorOptions extends ThreadPoolOptions, Omit<ProcessPoolOptions, keyof ThreadPoolOptions> {
  /** `"auto"` picks the best available: threads where they exist, else inline. @defaultValue `"auto"` */
  kind?: "auto" | "thread" | "process" | "inline" | undefined;
}

/** Makes an executor of the given kind (`"auto"`: threads where they exist, else inline). */
export function createExecutor<M extends object = AnyTasks>(options: CreateExecutorOptions = {}): Executor<M> {
  const { kind = "auto", ...rest } = options;
  switch (kind) {
    case "auto":
    case "thread":
      return new ThreadPoolExecutor<M>(rest);
    case "inline":
      return new InlineExecutor<M>(rest);
    case "process": {
      const { worker, resourceLimits, ...processOptions } = rest;
      if (worker !== undefined || resourceLimits !== undefined) {
        throw new TypeError("createExecutor: worker and resourceLimits are options of threads, not of kind \"process\"");
      }
      return new ProcessPoolExecutor<M>(processOptions);
    }
    default:
      throw new RangeError(`createExecutor: kind must be "auto", "thread", "process" or "inline", got ${describe(kind)}`);
  }
}
