/**
 * The error classes of isofutures. Every one is an `Error` with its own `name`, so both
 * `instanceof` and `err.name === "TimeoutError"` work, across bundles too.
 * @module
 */

/** The future was cancelled before it produced a result (or the executor was terminated). */
export class CancelledError extends Error {
  static {
    this.prototype.name = "CancelledError";
  }
}

/** A wait ran out of time: `result(timeout)`, a task's `timeout`, a `map` deadline, `asCompleted`. */
export class TimeoutError extends Error {
  static {
    this.prototype.name = "TimeoutError";
  }
}

/** Work was submitted to an executor after `shutdown()` or `terminate()` was called. */
export class ShutdownError extends Error {
  static {
    this.prototype.name = "ShutdownError";
  }
}

/**
 * The executor cannot run tasks any more (for example its initializer threw). Pending and later
 * futures fail with it; `cause` holds what broke it.
 */
export class BrokenExecutorError extends Error {
  static {
    this.prototype.name = "BrokenExecutorError";
  }
}

/**
 * The worker running this task died abruptly (it exited, crashed, or ran out of memory). Only the
 * tasks that worker had started fail; the executor replaces the worker and goes on, so this is not a
 * {@link BrokenExecutorError}.
 */
export class WorkerCrashedError extends Error {
  static {
    this.prototype.name = "WorkerCrashedError";
  }
  /** The worker's exit code, when it exited with one. */
  readonly exitCode: number | undefined;
  /** The signal that killed the worker (processes only), when there was one. */
  readonly signal: string | undefined;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number; signal?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode;
    this.signal = options?.signal;
  }
}

/** The platform cannot do what was asked (for example a process pool in a browser). */
export class UnsupportedError extends Error {
  static {
    this.prototype.name = "UnsupportedError";
  }
}

/** An operation was used in a state that does not allow it (for example releasing a lock that is not held). */
export class InvalidStateError extends Error {
  static {
    this.prototype.name = "InvalidStateError";
  }
}
