/**
 * The worker side: receives batches of tasks, resolves each task's function, runs the tasks in
 * order, and sends all results of one turn back in one message. Platform-neutral: the platform's
 * entry point (thread, process, Web Worker, or the calling thread) hands it a {@link WorkerPort}.
 *
 * The runtime is one object in layers, each a file with one concern, each using the ones below:
 *
 *   state.ts        what the runtime holds, and its invariants
 *   definitions.ts  the function table (tasks module exports, taskRef modules, sources)
 *   outbox.ts       results out, once per turn; waiting for work when idle
 *   run.ts          running a call, a map chunk, a stream
 *   receive.ts      messages in: INIT, RUN (claiming, waiting for code), ABORT, CREDIT, CLOSE
 *   runtime.ts      (this file) starting it on a port
 * @module
 */
import { installCurrentTask } from "./current-task.js";
import type { Namespace } from "./functions.js";
import { Receiver } from "./receive.js";
import type { WorkerPort } from "./state.js";

export type { WorkerPort } from "./state.js";
export { CURRENT_TASK_KEY, type CurrentTask } from "./current-task.js";

/** What the platform's entry may do with a started runtime. */
export interface WorkerRuntime {
  /** Aborts the `currentTask()` signal of every task. */
  abortAll(reason: unknown): void;
  /**
   * Starts no more tasks (the worker is dying) and returns how many it started: the tasks numbered
   * below this ran or are running, the others never will.
   */
  halt(): number;
}

class Runtime extends Receiver implements WorkerRuntime {
  constructor(port: WorkerPort, served: Namespace | undefined) {
    super(port, served);
  }

  abortAll(reason: unknown): void {
    for (const c of this.controllers.values()) c.abort(reason);
  }

  halt(): number {
    this.halted = true;
    return this.ctl === null ? this.claimed : Atomics.load(this.ctl, 0);
  }
}

/**
 * Starts the runtime on `port`.
 * @param served - task functions given to `serve()`, used in place of a tasks module.
 */
export function startWorkerRuntime(port: WorkerPort, served?: Namespace): WorkerRuntime {
  installCurrentTask();
  const runtime = new Runtime(port, served);
  port.onMessage((msg) => runtime.handle(msg));
  return runtime;
}
