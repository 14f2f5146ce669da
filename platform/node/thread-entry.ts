/**
 * The bootstrap every pool thread runs: the worker runtime on `parentPort`.
 * @internal
 * @module
 */
import { parentPort } from "node:worker_threads";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { waitForWork } from "./idle-wait.js";

const port = parentPort;
if (port) {
  startWorkerRuntime({
    post: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (handler) => port.on("message", handler),
    exit: () => process.exit(0),
    waitForWork: (ctl) => waitForWork(port, ctl),
  });
}
