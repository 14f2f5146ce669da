/**
 * The `worker_threads` adapter: one Node `Worker` as an {@link Endpoint}.
 * @internal
 * @module
 */
import { Worker } from "node:worker_threads";
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/pool/endpoint.js";
import { workerExecArgv } from "./exec-argv.js";
import { resolveModule } from "./resolve.js";
import { threadsProtocol } from "../../src/pool/threads-protocol.js";

/** Heap limits of a worker thread (Node's `resourceLimits`). */
export interface ResourceLimits {
  /** Maximum size of the main heap, in MB. */
  maxOldGenerationSizeMb?: number;
  /** Maximum size of the heap space for recently created objects, in MB. */
  maxYoungGenerationSizeMb?: number;
  /** Size of the pre-allocated memory range used for generated code, in MB. */
  codeRangeSizeMb?: number;
  /** Maximum stack size of the thread, in MB. @defaultValue 4 */
  stackSizeMb?: number;
}

/** What the `worker` option must return: a `worker_threads` `Worker` (structurally, so these types need no `@types/node`). */
export interface NodeWorker {
  postMessage(value: unknown, transferList?: readonly any[]): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
}

/** Node-specific options of the thread pool. */
export interface NodeThreadOptions {
  /** The workers' `process.env`. @defaultValue the parent's `process.env` (a copy, taken at each start) */
  env?: Record<string, string | undefined> | undefined;
  /** Node flags for the workers. @defaultValue the parent's `process.execArgv` minus `-e`, `-p`, `--input-type`, test-runner and watch flags */
  execArgv?: readonly string[] | undefined;
  /** Heap limits per worker (`worker_threads` `resourceLimits`). */
  resourceLimits?: ResourceLimits | undefined;
  /** A function that starts a worker file calling `serve()` (from `isofutures/worker`), instead of `tasks`. */
  worker?: (() => NodeWorker) | undefined;
  /**
   * What the `worker` file speaks: `"isofutures"` (it calls `serve()`), or `"threads.js"` (it calls
   * threads.js' `expose()`, unchanged). @defaultValue `"isofutures"`
   */
  protocol?: "isofutures" | "threads.js" | undefined;
}

const ENTRY = new URL("./thread-entry.js", import.meta.url);

/**
 * @param entry - the bootstrap the threads run (the same runtime as CommonJS starts sooner; the
 *   pools keep the ES module).
 */
export function threadFactory(options: NodeThreadOptions, entry: URL = ENTRY): WorkerFactory {
  const explicit = options.execArgv !== undefined;
  let execArgv = explicit ? [...(options.execArgv as readonly string[])] : workerExecArgv(process.execArgv);
  const start = (name: string) =>
    new Worker(entry, {
      name,
      execArgv,
      ...(options.env === undefined ? {} : { env: { ...options.env } }),
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
    });
  const threadsJs = options.protocol === "threads.js";
  return {
    kind: "thread",
    sharedMemory: !threadsJs,
    allowSource: true,
    resolveModule,
    spawn(request: SpawnRequest, events: EndpointEvents): Endpoint {
      if (options.worker && threadsJs) {
        const translator = threadsProtocol(events);
        return translator.attach(wrap(startServed(options.worker), translator.events));
      }
      if (options.worker) return wrap(startServed(options.worker), events);
      let worker: Worker;
      try {
        worker = start(request.name);
      } catch (error) {
        // Process-wide flags of the parent (V8 flags such as --expose-gc, --max-old-space-size)
        // are refused by workers, and apply to them anyway: drop the ones Node names, once.
        const refused = invalidFlags(error);
        if (explicit || refused.length === 0) throw error;
        execArgv = execArgv.filter((a) => !refused.includes(a) && !refused.includes(a.split("=")[0] as string));
        worker = start(request.name);
      }
      return wrap(worker, events);
    },
  };
}

function invalidFlags(error: unknown): string[] {
  if ((error as { code?: string } | null)?.code !== "ERR_WORKER_INVALID_EXEC_ARGV") return [];
  const m = /flags: (.*)$/.exec((error as Error).message);
  return m?.[1] ? m[1].split(/,\s*/) : [];
}

function startServed(make: () => NodeWorker): Worker {
  const worker = make() as unknown;
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
    threadId: worker.threadId,
  };
}
