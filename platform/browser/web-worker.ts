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

/**
 * A factory of Web Workers for a pool: the spawning code loads now, and the pool's scheduler, which
 * exists only once it has, gets the spawner itself (thread-engine.ts). `early` says what to do
 * when a worker is asked for before (deferred-worker.ts, for a Process).
 */
export function webWorkerFactory(
  options: BrowserThreadOptions,
  resolveModule: (spec: string | URL) => string,
  early: (loading: Promise<Spawn>, request: SpawnRequest, events: EndpointEvents) => Endpoint = notLoaded,
): WebWorkerFactory {
  let spawn: Spawn | undefined;
  const loading = loadSpawn(options).then((s) => (spawn = s));
  loading.catch(() => {}); // reported by each worker that needed it
  return {
    kind: "thread",
    sharedMemory: options.protocol !== "threads.js" && web.crossOriginIsolated === true && typeof SharedArrayBuffer === "function",
    allowSource: true,
    resolveModule,
    loading,
    spawn: (request, events) => (spawn ? spawn(request, events) : early(loading, request, events)),
  };
}

function loadSpawn(options: BrowserThreadOptions): Promise<Spawn> {
  return Promise.all([
    import("./web-worker-spawn.js"),
    options.worker ? undefined : import("virtual:worker-bootstrap"),
    options.worker && options.protocol === "threads.js" ? import("./threads-chunk.js") : undefined,
  ]).then(([m, bootstrap, threads]) => m.webWorkerSpawner(options, { bootstrap: bootstrap?.default, threads: threads?.threadsProtocol }));
}

/** Loads what a thread pool made with this factory needs, and gives the maker of its scheduler. */
export function loadThreadEngine(factory: WebWorkerFactory): Promise<SchedulerMaker> {
  return Promise.all([import("./thread-engine.js"), factory.loading]).then(([m, spawn]) => m.threadScheduler(spawn));
}

export function notLoaded(): never {
  throw new Error("internal: a worker was asked for before the scheduler's code was loaded");
}
