/**
 * `Process` on Node: a child process (`child_process.fork`, the process pool's worker) or a worker
 * thread (the thread pool's), one per Process.
 * @module
 */
import { constants } from "node:os";
import { aliveProcesses, BaseProcess, type ProcessPlatform } from "../../src/process/process.js";
import type { ProcessOptions } from "../../src/process/options.js";
import type { AnyTasks } from "../../src/types.js";
import { processFactory } from "./process-worker.js";
import { threadFactory } from "./thread-worker.js";

/** The thread bootstrap as CommonJS: a Process's one thread starts ~5 ms sooner than with the ES module. */
const THREAD_ENTRY = new URL("./thread-entry.cjs", import.meta.url);
const PROCESS_LABEL = { what: 'a Process of kind "process"', instead: 'kind "thread", whose worker threads do share memory' };

const NODE: ProcessPlatform = {
  defaultKind: "process",
  factory(kind, options) {
    const node = {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    };
    return kind === "thread" ? threadFactory(node, THREAD_ENTRY) : processFactory(node, PROCESS_LABEL);
  },
  signalNumber: (name) => (constants.signals as Record<string, number | undefined>)[name],
};

/**
 * One child process (or worker thread) that runs one target and ends, like Python's
 * `multiprocessing.Process`. Nothing runs before `start()`; `join()` waits for the end;
 * `exitCode` tells how it ended. A non-daemon Process keeps the program alive until it ends; a
 * daemon one does not, and ends with the program.
 * @example
 * ```ts
 * const queue = new Queue<number>();
 * const p = new Process({ target: "produce", args: [queue, 100], tasks: new URL("./tasks.js", import.meta.url) });
 * p.start();
 * for (let i = 0; i < 100; i++) console.log(await queue.get());
 * await p.join(); // p.exitCode === 0
 * ```
 */
export class Process<M extends object = AnyTasks> extends BaseProcess<M> {
  /**
   * Makes the process; nothing runs before {@link BaseProcess.start}.
   * @throws `TypeError` for an unknown or invalid option, or a target that is not a task.
   */
  constructor(options: ProcessOptions<M>) {
    super(options, NODE);
  }
}

/** The Processes this program (this thread) has started that are still alive. */
export function activeChildren(): Process[] {
  return aliveProcesses() as Process[];
}
