/**
 * The bootstrap every pool thread runs: the worker runtime on `parentPort`.
 * @internal
 * @module
 */
import { parentPort } from "node:worker_threads";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { idleWait } from "./idle-wait.js";
import { installRemote } from "./remote/install.js";

const port = parentPort;
if (port) {
  // In a child process, objects of its parent may be passed on to this thread: proxies on a link.
  installRemote();
  const wait = idleWait(port);
  startWorkerRuntime({
    post: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (handler) => port.on("message", handler),
    exit: () => process.exit(0),
    ...(wait && { waitForWork: wait }),
  });
}
