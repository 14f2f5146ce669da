/**
 * `isofutures/worker` for Node: what task code may import.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { describe } from "../../src/util/describe.js";
import type { TaskFunction } from "../../src/types.js";
import { idleWait } from "./idle-wait.js";

export { currentTask, transfer, type CurrentTask } from "../../src/worker/api.js";

/**
 * Serves `functions` from a worker file you start yourself, for executors created with
 * `worker: () => new Worker(new URL("./my-worker.js", import.meta.url))`. Call it once, at the top
 * level of the worker file.
 */
export function serve(functions: Record<string, TaskFunction>): void {
  if (typeof functions !== "object" || functions === null) {
    throw new TypeError(`serve(functions) expects an object of task functions, got ${describe(functions)}`);
  }
  const port = parentPort;
  if (!port) throw new TypeError("serve() must be called in a worker thread started by a ThreadPoolExecutor (its worker option)");
  const wait = idleWait(port);
  startWorkerRuntime(
    {
      post: (message, transfer) => port.postMessage(message, transfer as never),
      onMessage: (handler) => port.on("message", handler),
      exit: () => process.exit(0),
      ...(wait && { waitForWork: wait }),
    },
    { ...functions },
  );
}
