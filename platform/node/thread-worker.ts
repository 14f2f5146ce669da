/**
 * The `worker_threads` adapter: one Node `Worker` as an {@link Endpoint}.
 * @internal
 * @module
 */
import { Worker, type ResourceLimits } from "node:worker_threads";
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/endpoint.js";
import { workerExecArgv } from "./exec-argv.js";
import { resolveModule } from "./resolve.js";

/** Node-specific options of the thread pool. */
export interface NodeThreadOptions {
  /** The workers' `process.env`. @defaultValue the parent's `process.env` (a copy, taken at each start) */
  env?: Record<string, string | undefined> | undefined;
  /** Node flags for the workers. @defaultValue the parent's `process.execArgv` minus `-e`, `-p`, `--input-type`, test-runner and watch flags */
  execArgv?: readonly string[] | undefined;
  /** Heap limits per worker (`worker_threads` `resourceLimits`). */
  resourceLimits?: ResourceLimits | undefined;
  /** A function that starts a worker file calling `serve()` (from `isofutures/worker`), instead of `tasks`. */
  worker?: (() => Worker) | undefined;
}

const ENTRY = new URL("./thread-entry.js", import.meta.url);

export function threadFactory(options: NodeThreadOptions): WorkerFactory {
  const execArgv = options.execArgv ? [...options.execArgv] : workerExecArgv(process.execArgv);
  return {
    kind: "thread",
    sharedMemory: true,
    allowSource: true,
    resolveModule,
    spawn(request: SpawnRequest, events: EndpointEvents): Endpoint {
      const worker = options.worker
        ? startServed(options.worker)
        : new Worker(ENTRY, {
            name: request.name,
            execArgv,
            ...(options.env === undefined ? {} : { env: { ...options.env } }),
            ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
          });
      return wrap(worker, events);
    },
  };
}

function startServed(make: () => Worker): Worker {
  const worker = make();
  if (!(worker instanceof Worker)) {
    throw new TypeError("the worker option must be a function returning a new worker_threads Worker (whose file calls serve())");
  }
  return worker;
}

function wrap(worker: Worker, events: EndpointEvents): Endpoint {
  let error: unknown;
  worker.on("message", (message: unknown[]) => events.message(message));
  worker.on("error", (e) => {
    error ??= e;
  });
  worker.on("messageerror", (e) => {
    error ??= e;
  });
  worker.once("exit", (code) => events.exit({ code, error }));
  return {
    post(message, transfer) {
      worker.postMessage(message, transfer as never);
    },
    terminate() {
      void worker.terminate();
    },
    setBusy(busy) {
      if (busy) worker.ref();
      else worker.unref();
    },
  };
}
