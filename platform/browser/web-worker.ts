/**
 * The Web Worker adapter, as the executor is made: its options, what its workers can do, and the
 * loading of the rest. The scheduler and the spawning of workers (thread-engine.ts,
 * web-worker-spawn.ts), the worker's bootstrap (a string, started from a Blob URL) and the threads.js
 * translator each come as a chunk of their own, fetched when the executor is made: an app's main
 * bundle carries none of them, and an app never serves a file of ours (bundlers emit the chunks; an
 * unbundled app loads them beside this file).
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import type { WorkerFactory } from "../../src/pool/endpoint.js";
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

export function webWorkerFactory(options: BrowserThreadOptions, resolveModule: (spec: string | URL) => string): WorkerFactory {
  return {
    kind: "thread",
    sharedMemory: options.protocol !== "threads.js" && web.crossOriginIsolated === true && typeof SharedArrayBuffer === "function",
    allowSource: true,
    resolveModule,
    // The scheduler gets the real one (thread-engine.ts): it exists only once that is loaded.
    spawn: notLoaded,
  };
}

export function notLoaded(): never {
  throw new Error("internal: a worker was asked for before the scheduler's code was loaded");
}

/** Loads what a thread pool with these options needs, and gives the maker of its scheduler. */
export function loadThreadEngine(options: BrowserThreadOptions): Promise<SchedulerMaker> {
  const id = Math.random().toString(36).slice(2);
  return Promise.all([
    import("./thread-engine.js"),
    options.worker ? undefined : import("virtual:worker-bootstrap"),
    options.worker && options.protocol === "threads.js" ? import("../../src/pool/threads-protocol.js") : undefined,
  ]).then(([engine, bootstrap, threads]) => engine.threadScheduler(options, id, { bootstrap: bootstrap?.default, threads: threads?.threadsProtocol }));
}
