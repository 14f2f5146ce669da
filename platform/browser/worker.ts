/**
 * `isofutures/worker` for browsers: what task code may import.
 * @module
 */
import { describe } from "../../src/util/describe.js";
import type { TaskFunction } from "../../src/types.js";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { reviveManagerProxy } from "../../src/remote/manager.js";
import { setRemoteReviver } from "../../src/shared/revive.js";
import { selfPort } from "./worker-port.js";

export { currentTask, transfer, type CurrentTask } from "../../src/worker/api.js";

/**
 * Serves `functions` from a worker file you start yourself, for executors created with
 * `worker: () => new Worker(new URL("./tasks.worker.js", import.meta.url), { type: "module" })` —
 * the form Vite and webpack 5 bundle. Call it once, at the top level of the worker file.
 */
export function serve(functions: Record<string, TaskFunction>): void {
  if (typeof functions !== "object" || functions === null) {
    throw new TypeError(`serve(functions) expects an object of task functions, got ${describe(functions)}`);
  }
  if (typeof (globalThis as { postMessage?: unknown }).postMessage !== "function") {
    throw new TypeError("serve() must be called in a Web Worker started by a ThreadPoolExecutor (its worker option)");
  }
  setRemoteReviver(reviveManagerProxy);
  startWorkerRuntime(selfPort(), { ...functions });
}
