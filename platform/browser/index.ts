/**
 * isofutures for browsers. This version runs tasks inline; the Web Worker adapter
 * (`ThreadPoolExecutor` on module Web Workers) is the next step of the browser platform.
 * @packageDocumentation
 */
import { Executor, type ExecutorOptions } from "../../src/executor.js";
import { UnsupportedError } from "../../src/errors.js";
import { inlineFactory } from "../../src/inline-endpoint.js";
import type { PlatformInfo } from "../../src/platform-info.js";
import type { AnyTasks } from "../../src/types.js";
import { describe } from "../../src/describe.js";

export * from "../../src/index.js";

function resolveModule(spec: string | URL): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return new URL(spec, base).href;
}

/** Runs tasks on the calling thread, with the same semantics as the pools. */
export class InlineExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    super(options, inlineFactory(resolveModule), { defaultMaxWorkers: () => 1, served: false });
  }
}

/** Web Worker pools are not in this build yet: constructing one throws {@link UnsupportedError}. */
export class ThreadPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    void options;
    throw new UnsupportedError("ThreadPoolExecutor on Web Workers is not in this build yet; use InlineExecutor (or createExecutor(), which falls back to it)");
    // eslint-disable-next-line no-unreachable
    super(options, inlineFactory(resolveModule), { defaultMaxWorkers: () => 1, served: false });
  }
}

/** Processes do not exist in browsers: constructing one throws {@link UnsupportedError}. */
export class ProcessPoolExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options?: ExecutorOptions) {
    void options;
    throw new UnsupportedError("ProcessPoolExecutor needs child processes, which browsers do not have; use ThreadPoolExecutor (Web Workers) or InlineExecutor");
    // eslint-disable-next-line no-unreachable
    super(options, inlineFactory(resolveModule), { defaultMaxWorkers: () => 1, served: false });
  }
}

/** Options of {@link createExecutor}. */
export interface CreateExecutorOptions extends ExecutorOptions {
  kind?: "auto" | "thread" | "process" | "inline" | undefined;
}

/** Makes an executor: in this build `"auto"` gives an {@link InlineExecutor}. */
export function createExecutor<M extends object = AnyTasks>(options: CreateExecutorOptions = {}): Executor<M> {
  const { kind = "auto", ...rest } = options;
  if (kind === "auto" || kind === "inline") return new InlineExecutor<M>(rest);
  if (kind === "thread") return new ThreadPoolExecutor<M>(rest);
  if (kind === "process") return new ProcessPoolExecutor<M>(rest);
  throw new RangeError(`createExecutor: kind must be "auto", "thread", "process" or "inline", got ${describe(kind)}`);
}

/** `navigator.hardwareConcurrency`, or 1 when it is missing. */
export function cpuCount(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

/** What this browser offers. */
export function platformInfo(): PlatformInfo {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return {
    runtime: "browser",
    cpuCount: cpuCount(),
    threads: false,
    processes: false,
    sharedMemory: typeof SharedArrayBuffer === "function" && g.crossOriginIsolated !== false,
  };
}
