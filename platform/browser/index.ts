/**
 * isofutures for browsers: `concurrent.futures` for JavaScript, on Web Workers.
 * @packageDocumentation
 */
import { Executor, type ExecutorOptions } from "../../src/pool/executor.js";
import { checkWorkerOption } from "../../src/util/validate.js";
import { checkOptions } from "../../src/util/options.js";
import { BROWSER_THREAD_OPTIONS, EXECUTOR_OPTIONS, PEER_OPTION_HINTS } from "../../src/pool/options.js";
import { UnsupportedError } from "../../src/futures/errors.js";
import type { WorkerFactory } from "../../src/pool/endpoint.js";
import { lazyScheduler } from "../../src/pool/lazy-engine.js";
import { lazyMap } from "../../src/pool/lazy-map.js";
import type { MapRunner } from "../../src/pool/map-call.js";
import type { PlatformInfo } from "../../src/platform-info.js";
import type { AnyTasks } from "../../src/types.js";
import { describe } from "../../src/util/describe.js";
import { web } from "./dom.js";
import { resolveModule } from "./resolve.js";
import { DENO_WEB_WORKERS, runtimeName } from "./runtime.js";
import { loadThreadEngine, notLoaded, webWorkerFactory, type BrowserThreadOptions } from "./web-worker.js";

export * from "../../src/index.js";
export { Manager } from "./manager.js";
export type { BrowserThreadOptions } from "./web-worker.js";
export { Process, activeChildren } from "./process.js";


/** The calling thread as the one worker; its runtime and scheduler come with inline-engine.ts. */
function inlineFactory(): WorkerFactory {
  return { kind: "inline", sharedMemory: false, allowSource: true, resolveModule, spawn: notLoaded };
}

const loadInlineEngine = () => import("./inline-engine.js").then((m) => m.inlineScheduler);

let mapCode: MapRunner | undefined;

/** Maps' iteration, loaded on the first map of the page (lazy-map.ts); executors made after that get it at once. */
function browserMap(): MapRunner {
  return mapCode ?? lazyMap(() => import("./map-chunk.js").then((m) => (mapCode = m.runMap)));
}

/** Options of `ThreadPoolExecutor` in browsers. */
export interface ThreadPoolOptions extends ExecutorOptions, BrowserThreadOptions {}

/**
 * Runs tasks on a pool of module Web Workers, started from a bootstrap the library carries as a
 * string (a Blob URL; it comes in a chunk of its own, fetched when the executor is made, as does the
 * scheduler): tasks come from `tasks` (a module URL), from self-contained functions, or from a
 * worker file of yours that calls `serve()` (the `worker` option).
 */
export class ThreadPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ThreadPoolOptions) {
    checkWorkerOption(options?.worker, options?.tasks, options?.protocol);
    if (runtimeName() === "deno") throw new UnsupportedError(DENO_WEB_WORKERS);
    if (typeof web.Worker !== "function" && options?.worker === undefined) {
      throw new UnsupportedError("ThreadPoolExecutor needs Web Workers, which this environment does not have; use InlineExecutor");
    }
    const factory = webWorkerFactory(options ?? {}, resolveModule);
    super(options, factory, {
      defaultMaxWorkers: cpuCount,
      served: options?.worker !== undefined,
      options: BROWSER_THREAD_OPTIONS,
      scheduler: lazyScheduler(() => loadThreadEngine(factory)),
      map: browserMap(),
    });
  }
}

/** Runs tasks on the calling thread, with the same semantics as the pools. */
export class InlineExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    super(options, inlineFactory(), { defaultMaxWorkers: () => 1, served: false, scheduler: lazyScheduler(loadInlineEngine), map: browserMap() });
  }
}

/** Processes do not exist in browsers: constructing one throws {@link UnsupportedError}. */
export class ProcessPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    void options;
    throw new UnsupportedError(
      "ProcessPoolExecutor needs child processes, which browsers do not have; use ThreadPoolExecutor (Web Workers) instead, or InlineExecutor",
    );
    // eslint-disable-next-line no-unreachable
    super(options, inlineFactory(), { defaultMaxWorkers: () => 1, served: false });
  }
}

/** Options of {@link createExecutor}. */
export interface CreateExecutorOptions extends ThreadPoolOptions {
  /** `"auto"`: Web Workers where they exist, else inline. @defaultValue `"auto"` */
  kind?: "auto" | "thread" | "process" | "inline" | undefined;
}

const ALL_OPTIONS = ["kind", ...EXECUTOR_OPTIONS, ...BROWSER_THREAD_OPTIONS];

/**
 * Makes an executor: `"auto"` gives a `ThreadPoolExecutor` where Web Workers exist, else an
 * `InlineExecutor` (the Web Worker options `worker`, `workerOptions` and `protocol` are then dropped).
 */
export function createExecutor<M extends object = AnyTasks>(options: CreateExecutorOptions = {}): Executor<M> {
  if (typeof options === "object" && options !== null) checkOptions(options, ALL_OPTIONS, "createExecutor", PEER_OPTION_HINTS);
  const { kind = "auto", ...rest } = options;
  const inline = (): InlineExecutor<M> => {
    const { worker, workerOptions, protocol, ...inlineOptions } = rest;
    if (kind === "inline" && (worker !== undefined || workerOptions !== undefined || protocol !== undefined)) {
      throw new TypeError('createExecutor: worker, workerOptions and protocol are options of Web Worker pools, not of kind "inline"');
    }
    return new InlineExecutor<M>(inlineOptions);
  };
  switch (kind) {
    case "auto":
      return typeof web.Worker === "function" ? new ThreadPoolExecutor<M>(rest) : inline();
    case "thread":
      return new ThreadPoolExecutor<M>(rest);
    case "inline":
      return inline();
    case "process":
      return new ProcessPoolExecutor<M>(rest);
    default:
      throw new RangeError(`createExecutor: kind must be "auto", "thread", "process" or "inline", got ${describe(kind)}`);
  }
}

/** `navigator.hardwareConcurrency` (nothing subtracted), or 1 when it is missing. */
export function cpuCount(): number {
  const n = web.navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

/**
 * What this browser offers. `sharedMemory`: is there a `SharedArrayBuffer` (browsers define it only
 * on cross-origin isolated pages; WebKitGTK only with JSC_useSharedArrayBuffer=1). In Deno, `threads`
 * is false: see {@link ThreadPoolExecutor}.
 */
export function platformInfo(): PlatformInfo {
  const runtime = runtimeName();
  return {
    runtime,
    cpuCount: cpuCount(),
    threads: typeof web.Worker === "function" && runtime !== "deno",
    processes: false,
    sharedMemory: typeof SharedArrayBuffer === "function",
  };
}
