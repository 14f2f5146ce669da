/**
 * `createExecutor()` for Node.
 * @module
 */
import type { Executor } from "../../src/pool/executor.js";
import { EXECUTOR_OPTIONS, NODE_PROCESS_OPTIONS, NODE_THREAD_OPTIONS, NODE_OPTION_HINTS } from "../../src/pool/options.js";
import { describe } from "../../src/util/describe.js";
import { checkOptions } from "../../src/util/options.js";
import type { AnyTasks } from "../../src/types.js";
import { InlineExecutor } from "./inline.js";
import { ProcessPoolExecutor, type ProcessPoolOptions } from "./process-pool.js";
import { ThreadPoolExecutor, type ThreadPoolOptions } from "./thread-pool.js";

/** Options of {@link createExecutor}: the executor's options plus which kind to make. */
export interface CreateExecutorOptions extends ThreadPoolOptions, Omit<ProcessPoolOptions, keyof ThreadPoolOptions> {
  /** `"auto"` picks the best available: threads where they exist, else inline. @defaultValue `"auto"` */
  kind?: "auto" | "thread" | "process" | "inline" | undefined;
}

const ALL_OPTIONS = [...new Set<string>(["kind", ...EXECUTOR_OPTIONS, ...NODE_THREAD_OPTIONS, ...NODE_PROCESS_OPTIONS])];
const THREAD_ONLY = NODE_THREAD_OPTIONS.filter((k) => !(NODE_PROCESS_OPTIONS as readonly string[]).includes(k));
const PROCESS_ONLY = NODE_PROCESS_OPTIONS.filter((k) => !(NODE_THREAD_OPTIONS as readonly string[]).includes(k));

/** Makes an executor of the given kind (`"auto"`: threads where they exist, else inline). */
export function createExecutor<M extends object = AnyTasks>(options: CreateExecutorOptions = {}): Executor<M> {
  if (typeof options === "object" && options !== null) checkOptions(options, ALL_OPTIONS, "createExecutor", NODE_OPTION_HINTS);
  const { kind = "auto", ...rest } = options as CreateExecutorOptions & Record<string, unknown>;
  switch (kind) {
    case "auto":
    case "thread":
      refuse(rest, PROCESS_ONLY, "process", kind);
      return new ThreadPoolExecutor<M>(rest);
    case "inline":
      refuse(rest, [...THREAD_ONLY, ...PROCESS_ONLY, "env", "execArgv"], "thread and process", kind);
      return new InlineExecutor<M>(rest);
    case "process": {
      refuse(rest, THREAD_ONLY, "thread", kind);
      return new ProcessPoolExecutor<M>(rest as ProcessPoolOptions);
    }
    default:
      throw new RangeError(`createExecutor: kind must be "auto", "thread", "process" or "inline", got ${describe(kind)}`);
  }
}

// An option of another kind of executor is a mistake for this one: say whose option it is. Given
// as undefined, it is dropped (code that builds options for any kind may leave it so).
function refuse(options: Record<string, unknown>, names: readonly string[], owners: string, kind: string): void {
  const found = names.filter((n) => options[n] !== undefined);
  if (found.length > 0) {
    throw new TypeError(`createExecutor: ${found.join(" and ")} ${found.length > 1 ? "are options" : "is an option"} of ${owners} executors, not of kind "${kind}"`);
  }
  for (const n of names) delete options[n];
}
