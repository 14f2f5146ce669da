import type { Shareable, WireShared } from "../shared/shareable.js";

/**
 * The adapter seam. The executor core drives workers only through these two types; a Node thread,
 * a Node child process, a Web Worker and the calling thread (inline) each implement them in one
 * small file.
 * @module
 */

/** What a platform reports about one worker. */
export interface EndpointEvents {
  /** A message from the worker (always a protocol array). */
  message(message: unknown[]): void;
  /**
   * The worker is gone. `code` is its exit code (if any), `signal` the signal that killed it
   * (processes), `error` an uncaught error or load failure reported before the exit.
   */
  exit(info: { code?: number | undefined; signal?: string | undefined; error?: unknown }): void;
}

/** One worker, as the core sees it. */
export interface Endpoint {
  /** Sends a message; throws (a DataCloneError) if the message cannot be cloned, sending nothing. */
  post(message: unknown[], transfer: readonly object[]): void;
  /** Stops the worker at once. `exit` is reported afterwards. */
  terminate(): void;
  /**
   * Optional: stops the worker at once with no chance to clean up (SIGKILL for a process, whose
   * `terminate` sends SIGTERM first). Where absent, `terminate` is as hard as it gets.
   */
  kill?(): void;
  /** Busy workers keep the program alive; idle ones do not (Node's ref/unref; no-op elsewhere). */
  setBusy(busy: boolean): void;
  /** A child process's pid, where there is one. */
  readonly pid?: number | undefined;
  /** A worker thread's `threadId`, where there is one (a Web Worker's number, in the order its page started them). */
  readonly threadId?: number | undefined;
}

/** What the core asks of a platform to start a worker. */
export interface SpawnRequest {
  /** `"isofutures-3"` */
  name: string;
  /** 1-based number of the worker in this executor's life. */
  index: number;
}

/** Starts one worker: the platform half of an executor. */
export interface WorkerFactory {
  /** Starts a worker. May throw (bad options): the executor then breaks with that error as cause. */
  spawn(request: SpawnRequest, events: EndpointEvents): Endpoint;
  /** Can the control word live in memory shared with the worker? (`false` for processes) */
  readonly sharedMemory: boolean;
  /** Turns a `tasks` option or a `taskRef` module into the URL the worker imports. */
  resolveModule(spec: string | URL): string;
  /** May functions be sent as source? */
  readonly allowSource: boolean;
  /** What kind of worker, for messages: `"thread"`, `"process"`, `"inline"`. */
  readonly kind: string;
  /**
   * Optional check of a task's arguments before it is queued: an error to fail its future with
   * (a process pool refuses shared memory), or `undefined`.
   */
  checkArgs?(args: readonly unknown[]): Error | undefined;
  /**
   * Optional: how a shared-memory object crosses to this factory's workers. By default it goes as
   * its own wire form (its memory and ports), which threads rebuild around the same memory; a
   * process pool instead registers it with the broker of cross-process objects and sends a handle.
   */
  shareObject?: ShareObject;
  /**
   * Optional: the executor has shut down and its workers have exited; release what they needed.
   * A promise: the executor's shutdown ends once it settles.
   */
  close?(): void | Promise<void>;
}

/** Turns a shared object into what a worker receives; its ports go to `transfer`. */
export type ShareObject = (value: Shareable, transfer: object[]) => WireShared;
