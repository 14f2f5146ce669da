/**
 * The Web Worker adapter, as an executor or a Process is made: the options, what the workers can do,
 * and the loading of the rest. The spawning of workers (web-worker-spawn.ts), the worker's bootstrap
 * (a string, started from a Blob URL), the threads.js translator and a pool's scheduler
 * (thread-engine.ts) each come as a chunk of their own, fetched when the executor or Process is made:
 * an app's main bundle carries none of them, and an app never serves a file of ours (bundlers emit
 * the chunks; an unbundled app loads them from beside this file).
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/pool/endpoint.js";
import { web, type WebWorker, type WebWorkerOptions } from "./dom.js";

/** Browser-specific options of the thread pool. */
export interface BrowserThreadOptions {
  /**
   * A function that starts a worker file calling `serve()` (from `isofutures/worker`), instead of
   * `tasks`: `() => new Worker(new URL("./tasks.worker.js", import.meta.url), { type: "module" })`,
   * the form Vite and webpack 5 bundle.
   */
  worker?: (() => WebWorker) | undefined;
  /** Options for the library's own workers (`name` is set by the executor). */
  workerOptions?: WebWorkerOptions | undefined;
  /** What the `worker` file speaks: `"isofutures"` (`serve()`) or `"threads.js"` (`expose()`). @defaultValue `"isofutures"` */
  protocol?: "isofutures" | "threads.js" | undefined;
}

/** Starts one worker (web-worker-spawn.ts); `threadId` when one was promised before it was loaded. */
export type Spawn = (request: SpawnRequest, events: EndpointEvents, threadId?: number) => Endpoint;

/** A factory of Web Workers, and the loading of what spawns them (started when it is made). */
export interface WebWorkerFactory extends WorkerFactory {
  readonly loading: Promise<Spawn>;
}

/** Web Workers have no thread id: each gets a number, 1, 2, … in the order this realm starts them. */
let started = 0;

export function nextThreadId(): number {
  return ++started;
}

export function webWorkerFactory(options: BrowserThreadOptions, resolveModule: (spec: string | URL) => string): WebWorkerFactory {
  let spawn: Spawn | undefined;
  const loading = loadSpawn(options).then((s) => (spawn = s));
  loading.catch(() => {}); // reported by each worker that needed it
  return {
    kind: "thread",
    sharedMemory: options.protocol !== "threads.js" && web.crossOriginIsolated === true && typeof SharedArrayBuffer === "function",
    allowSource: true,
    resolveModule,
    loading,
    // A pool's scheduler exists only once this is loaded (it gets the spawner itself); a Process may
    // start its worker before: it is then started once the code is there.
    spawn: (request, events) => (spawn ? spawn(request, events) : deferred(loading, request, events)),
  };
}

function loadSpawn(options: BrowserThreadOptions): Promise<Spawn> {
  return Promise.all([
    import("./web-worker-spawn.js"),
    options.worker ? undefined : import("virtual:worker-bootstrap"),
    options.worker && options.protocol === "threads.js" ? import("../../src/pool/threads-protocol.js") : undefined,
  ]).then(([m, bootstrap, threads]) => m.webWorkerSpawner(options, { bootstrap: bootstrap?.default, threads: threads?.threadsProtocol }));
}

/** Loads what a thread pool made with this factory needs, and gives the maker of its scheduler. */
export function loadThreadEngine(factory: WebWorkerFactory): Promise<SchedulerMaker> {
  return Promise.all([import("./thread-engine.js"), factory.loading]).then(([m, spawn]) => m.threadScheduler(spawn));
}

export function notLoaded(): never {
  throw new Error("internal: a worker was asked for before the scheduler's code was loaded");
}

/**
 * A worker asked for before its code has loaded: started once it has. Messages sent meanwhile are
 * copied at once (what they transfer moves now, and what cannot be sent throws now, as a post
 * would) and sent when the worker exists.
 */
function deferred(loading: Promise<Spawn>, request: SpawnRequest, events: EndpointEvents): Endpoint {
  const threadId = nextThreadId();
  const queue: { m: unknown[]; t: object[] }[] = [];
  let inner: Endpoint | undefined;
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    queueMicrotask(() => events.exit(error === undefined ? {} : { error }));
  };
  loading.then(
    (spawn) => {
      if (ended) return;
      try {
        inner = spawn(request, events, threadId);
        for (const { m, t } of queue.splice(0)) inner.post(m, t);
      } catch (error) {
        inner?.terminate();
        end(error);
      }
    },
    (error: unknown) => end(new Error(`the worker's code could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
  );
  return {
    post(message, transfer) {
      if (inner) return inner.post(message, transfer);
      // The list moves inside the copy: its entries are then the copy's own buffers and ports.
      queue.push(structuredClone({ m: message, t: [...transfer] }, { transfer: transfer as never }));
    },
    terminate() {
      if (inner) return inner.terminate();
      end();
    },
    setBusy() {},
    threadId,
  };
}
