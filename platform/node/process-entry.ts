/**
 * The bootstrap every pool process runs: the worker runtime on the IPC channel.
 *
 * It also makes sure the process never outlives its parent: the channel closing (the parent exited
 * or died) ends it, and a watchdog thread ends it even while a task keeps the main thread busy.
 * @internal
 * @module
 */
import { Worker } from "node:worker_threads";
import { OP_INIT, type WorkerInit } from "../../src/protocol.js";
import { startWorkerRuntime } from "../../src/worker-runtime.js";

const send = process.send?.bind(process);
if (send) {
  let pending = 0;
  let leaving = false;
  // process.exit() would drop messages still queued for the pipe: leave once they are written.
  const sent = () => {
    pending--;
    if (leaving && pending === 0) process.exit(0);
  };
  startWorkerRuntime({
    post(message) {
      // Counted once it is queued: a message that cannot be serialised throws here, and sends nothing.
      send(message, undefined, undefined, sent);
      pending++;
    },
    onMessage(handler) {
      process.on("message", (message: unknown[]) => {
        if (message[0] !== OP_INIT) return handler(message);
        process.title = (message[1] as WorkerInit).name;
        handler(message);
        // Started while the first task is on its way, before any task can block this thread.
        setImmediate(watchParent);
      });
    },
    exit() {
      leaving = true;
      if (pending === 0) process.exit(0);
    },
  });
  process.on("disconnect", () => process.exit(0));
}

// A thread of its own notices the parent's death even while a task blocks the main thread.
function watchParent(): void {
  const watchdog = new Worker(
    `const { workerData } = require("node:worker_threads");
     setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, "SIGKILL"); }, 250);`,
    { eval: true, workerData: process.ppid, execArgv: [], stdout: true, stderr: true },
  );
  watchdog.unref();
}
