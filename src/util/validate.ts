/**
 * Checks of user input. Each error names the option, what it got, and what it takes.
 * @module
 */
import { describe } from "./describe.js";

/** `undefined` (no limit) or a finite number ≥ 0 of milliseconds; returns the error to raise, if any. */
export function checkTimeout(value: unknown, name: string): Error | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    return new TypeError(`${name} must be a number of milliseconds or undefined, got ${describe(value)}`);
  }
  if (!(value >= 0) || value === Infinity) {
    return new RangeError(`${name} must be a finite number of milliseconds ≥ 0, got ${value}`);
  }
  return undefined;
}

/** Throws unless `value` is `undefined` or an integer ≥ `min`. */
export function checkInteger(value: unknown, name: string, min: number): void {
  if (value === undefined) return;
  if (typeof value !== "number") throw new TypeError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** Throws unless `value` is `undefined` or a valid timeout. */
export function assertTimeout(value: unknown, name: string): void {
  const error = checkTimeout(value, name);
  if (error) throw error;
}

/** Throws unless `value` is `undefined` or an AbortSignal-like object. */
export function checkSignal(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || typeof (value as AbortSignal).aborted !== "boolean" ||
      typeof (value as AbortSignal).addEventListener !== "function") {
    throw new TypeError(`${name} must be an AbortSignal, got ${describe(value)}`);
  }
}

/** The thread pools' `worker` option: a function, and not together with `tasks`; `protocol` needs it. */
export function checkWorkerOption(worker: unknown, tasks: unknown, protocol?: unknown): void {
  if (protocol !== undefined && protocol !== "isofutures" && protocol !== "threads.js") {
    throw new TypeError(`ThreadPoolExecutor: protocol must be "isofutures" or "threads.js", got ${describe(protocol)}`);
  }
  if (protocol === "threads.js" && worker === undefined) {
    throw new TypeError('ThreadPoolExecutor: protocol "threads.js" drives a worker file of yours: give worker: () => new Worker(…)');
  }
  if (worker === undefined) return;
  if (typeof worker !== "function") {
    throw new TypeError(`ThreadPoolExecutor: worker must be a function that returns a new Worker, got ${describe(worker)}`);
  }
  if (tasks !== undefined) {
    throw new TypeError("ThreadPoolExecutor: give either tasks or worker, not both (a worker file calling serve() brings its own tasks)");
  }
}
