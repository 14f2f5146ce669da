/**
 * The inline adapter: the worker runtime runs on the calling thread, behind the same endpoint
 * interface as a real worker, so `InlineExecutor` has the same semantics as the pools (tasks are
 * resolved, run, and their errors encoded exactly as in a worker). Messages are handed over by
 * reference on a microtask: no cloning, no transfer.
 *
 * A running task cannot be preempted on its own thread: "terminating" an inline worker drops it
 * (its late results are ignored) and aborts the signals its tasks asked for.
 * @internal
 * @module
 */
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "./pool/endpoint.js";
import { startWorkerRuntime } from "./worker/runtime.js";

/** A factory of inline workers; `resolveModule` is the platform's rule for `tasks` strings. */
export function inlineFactory(resolveModule: (spec: string | URL) => string): WorkerFactory {
  return {
    kind: "inline",
    sharedMemory: false,
    allowSource: true,
    resolveModule,
    spawn: spawnInline,
  };
}

export function spawnInline(_request: SpawnRequest, events: EndpointEvents): Endpoint {
  let alive = true;
  let toWorker: ((message: unknown[]) => void) | undefined;
  const exit = (code: number) => {
    if (!alive) return;
    alive = false;
    queueMicrotask(() => events.exit({ code }));
  };
  const runtime = startWorkerRuntime({
    post(message) {
      if (alive) queueMicrotask(() => alive && events.message(message));
    },
    onMessage(handler) {
      toWorker = handler;
    },
    exit() {
      exit(0);
    },
    callerThread: true,
  });
  return {
    post(message) {
      queueMicrotask(() => alive && toWorker?.(message));
    },
    terminate() {
      // Ask running tasks to stop (those that listen), then drop the worker.
      runtime.abortAll(new Error("the inline worker was terminated"));
      exit(1);
    },
    setBusy() {},
  };
}
