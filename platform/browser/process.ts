/**
 * `Process` in browsers: a Web Worker (the thread pool's) per Process. There are no child
 * processes: kind `"process"` is refused, and so are the Node-only options.
 * @module
 */
import { UnsupportedError } from "../../src/futures/errors.js";
import { aliveProcesses, BaseProcess, type ProcessPlatform } from "../../src/process/process.js";
import type { ProcessOptions } from "../../src/process/options.js";
import type { AnyTasks } from "../../src/types.js";
import { web } from "./dom.js";
import { resolveModule } from "./resolve.js";
import { runtimeName } from "./runtime.js";
import { webWorkerFactory } from "./web-worker.js";

const BROWSER: ProcessPlatform = {
  defaultKind: "thread",
  factory(kind, options) {
    if (kind === "process") {
      throw new UnsupportedError('new Process: kind "process" needs child processes, which browsers do not have; use kind "thread" (a Web Worker), the default here');
    }
    const nodeOnly = (["env", "execArgv"] as const).filter((k) => options[k] !== undefined);
    if (nodeOnly.length > 0) {
      throw new UnsupportedError(`new Process: ${nodeOnly.join(" and ")} ${nodeOnly.length > 1 ? "are options" : "is an option"} of Node; a Web Worker has no environment or Node flags`);
    }
    if (runtimeName() === "deno") {
      throw new UnsupportedError(
        "new Process: the browser build's Process does not run in Deno, whose Worker.terminate() does not stop a worker " +
          'that never yields; import the package\'s Node build ("npm:isofutures"), whose Process runs on node:worker_threads and child processes',
      );
    }
    if (typeof web.Worker !== "function") {
      throw new UnsupportedError("new Process: this environment has no Web Workers, which a Process runs in");
    }
    return webWorkerFactory({}, resolveModule);
  },
  // A Web Worker is never ended by a signal: -15 and -9 come from terminate() and kill() alone.
  signalNumber: () => undefined,
};

/**
 * One Web Worker that runs one target and ends, like Python's `multiprocessing.Process`.
 * Nothing runs before `start()`; `join()` waits for the end; `exitCode` tells how it ended
 * (`-15` after `terminate()`, `-9` after `kill()`). Kind `"thread"` only: browsers have no child
 * processes. `daemon` changes nothing here: a page does not wait for its workers.
 * @example
 * ```ts
 * const queue = new Queue<number>();
 * const p = new Process({ target: (q, n) => { for (let i = 0; i < n; i++) q.putSync(i); }, args: [queue, 100] });
 * p.start();
 * for (let i = 0; i < 100; i++) console.log(await queue.get());
 * await p.join(); // p.exitCode === 0
 * ```
 */
export class Process<M extends object = AnyTasks> extends BaseProcess<M> {
  /**
   * Makes the process; nothing runs before {@link BaseProcess.start}.
   * @throws `UnsupportedError` for kind `"process"`, `env` or `execArgv`; `TypeError` for an
   *   unknown or invalid option, or a target that is not a task.
   */
  constructor(options: ProcessOptions<M>) {
    super(options, BROWSER);
  }
}

/** The Processes this page (or worker) has started that are still alive. */
export function activeChildren(): Process[] {
  return aliveProcesses() as Process[];
}
