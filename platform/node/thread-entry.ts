/**
 * The bootstrap every pool thread runs: the worker runtime on `parentPort`.
 * @internal
 * @module
 */
import { parentPort } from "node:worker_threads";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { idleWait } from "./idle-wait.js";

const port = parentPort;
if (port) {
  const wait = idleWait(port);
  startWorkerRuntime({
    post: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (handler) => port.on("message", handler),
    exit: () => process.exit(0),
    ...(wait && { waitForWork: wait }),
  });
}
