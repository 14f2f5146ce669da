/**
 * The wire protocol between an executor and its workers — the whole of it, in one place.
 *
 * Messages are flat arrays: structured clone copies a flat array of numbers and small arrays much
 * faster than an array of objects, and the receiver walks it with a fixed stride. One message
 * carries every task (or result) of one event-loop turn for one worker.
 *
 * Tasks are numbered per worker (`seq`: 0, 1, 2…) in the order they are sent; a worker starts them
 * in that order, each after claiming its number in the shared control word (see `CTL_*`), so the
 * executor always knows exactly which tasks a worker has started.
 * @module
 */

import type { WorkerIdentity } from "../util/process-identity.js";

// ── executor → worker ───────────────────────────────────────────────────────────────────────────
/** `[INIT, WorkerInit]` — the first message a worker gets. */
export const OP_INIT = 1;
/**
 * `[RUN, defs | 0, firstSeq, code, ...args, code, ...args, …]` — tasks numbered firstSeq, firstSeq+1…
 * Arguments travel inline after their task's code (no array per task to clone), their count in
 * the code; see {@link taskCode}.
 */
export const OP_RUN = 2;
/** `[CLOSE]` — finish what is running, then exit. */
export const OP_CLOSE = 3;
/** `[ABORT, seq, reason]` — ask a started task to stop: abort its `currentTask().signal`, end its stream. */
export const OP_ABORT = 4;
/** `[CREDIT, seq, n]` — the consumer of a stream took `n` more values: the worker may send `n` more. */
export const OP_CREDIT = 5;

// ── worker → executor ───────────────────────────────────────────────────────────────────────────
/** `[READY]` — init done (tasks module imported, initializer run): the worker takes tasks. */
export const OP_READY = 11;
/** `[INIT_FAILED, WireError]` — the initializer threw: the executor is broken. */
export const OP_INIT_FAILED = 12;
/** `[RESULTS, seq, status, value, seq, status, value, …]` */
export const OP_RESULTS = 13;
/**
 * `[FATAL, WireError, started]` — the worker is dying of an uncaught error (a process flushes this
 * and the results before it, then exits). `started`: how many of its tasks it had started; it starts
 * no more, so where there is no control word the executor still knows which tasks to run elsewhere.
 */
export const OP_FATAL = 14;

/** Result statuses. */
export const ST_OK = 0;
/** `value` is a {@link WireError}. */
export const ST_ERROR = 1;
/** A chunk: `value` is the array of results. */
export const ST_CHUNK = 2;
/** A chunk with failures: `value` is `[results, [index, WireError, index, WireError, …]]`. */
export const ST_CHUNK_ERRORS = 3;
/**
 * One value of a stream task; the task goes on. Its end comes as ST_OK (or ST_OK_SHARED) whose
 * value is what the task's generator returned (`undefined` for other iterables, Observables, and a
 * stream stopped by its consumer), or as ST_ERROR.
 */
export const ST_ITEM = 4;
/** A result holding shared-memory objects inside plain objects or arrays (their wire forms in place). */
export const ST_OK_SHARED = 5;
/** A chunk holding shared-memory objects (wire forms in place): `value` is `[results, errors or null]`. */
export const ST_CHUNK_SHARED = 6;

/** Bits of a task code below the function handle: `handle << 7 | shared << 6 | nargs << 2 | kind`. */
export const CODE_HANDLE_SHIFT = 7;
/** Set when some arguments are shared-memory objects in wire form, to rebuild before the call. */
export const CODE_SHARED = 1 << 6;
/** `nargs` value meaning "one element follows: the array of arguments" (15 or more arguments). */
export const ARGS_ARRAY = 15;

/** The code of a task: its function's handle, how many arguments follow it inline, and its kind. */
export function taskCode(handle: number, nargs: number, kind: number, shared = false): number {
  return (handle << CODE_HANDLE_SHIFT) | (shared ? CODE_SHARED : 0) | ((nargs < ARGS_ARRAY ? nargs : ARGS_ARRAY) << 2) | kind;
}

/** Kinds of task. A call: `fn(...args)`. */
export const KIND_CALL = 0;
/** One argument, an array of items: call `fn(item)` for each. */
export const KIND_MAP = 1;
/** One argument, an array of argument tuples: call `fn(...tuple)` for each. */
export const KIND_STARMAP = 2;
/** A call whose result (async iterable, iterable or observable) is sent value by value (ST_ITEM). */
export const KIND_STREAM = 3;

/** Values a stream task may send ahead of its consumer, unless told otherwise (`[CREDIT]` adds more). */
export const STREAM_WINDOW = 16;

/** Function definitions, sent once per worker before the first task that uses them. */
export const DEF_EXPORT = 0; // [handle, DEF_EXPORT, exportName]
export const DEF_REF = 1; //    [handle, DEF_REF, moduleUrl, exportName]
export const DEF_SOURCE = 2; // [handle, DEF_SOURCE, sourceText]
/** `[handle, kind, a, b?]` as above. */
export type FnDefWire = [number, number, string, string?];

/**
 * The control word (`Int32Array` of length 1, shared with the worker where memory can be shared):
 * the number of tasks the worker has started. The worker starts task `seq` only if it can move the
 * word from `seq` to `seq + 1` (`Atomics.compareExchange`); the executor stops a worker from
 * starting anything more by swapping in `CTL_CLOSED`, and the value it swapped out tells it which
 * tasks had started (they failed with the worker) and which had not (they go to another worker).
 */
export const CTL_CLOSED = -1;
/** Index in the control array of the word above: the seq of the next task the worker may start. */
export const CTL_NEXT = 0;
/**
 * Index of the sleep word: 1 while the worker waits (`Atomics.wait`) for work instead of returning
 * to its event loop. The executor, after sending it a message, resets it and notifies.
 */
export const CTL_SLEEP = 1;
/**
 * Index of the post counter: the executor adds 1 after each message it sends, so an idle worker can
 * watch for work with a plain load while it spins, before it sleeps on {@link CTL_SLEEP}.
 */
export const CTL_POSTED = 2;
/** Length of the control array. */
export const CTL_LENGTH = 3;

/** What a worker is told at start. */
export interface WorkerInit {
  /** The worker's name, e.g. `"isofutures-3"`. */
  name: string;
  /** The control word; `null` where memory is not shared (processes). */
  ctl: Int32Array | null;
  /** URL of the tasks module, or `null`. */
  tasks: string | null;
  /** The initializer, as a function definition (without handle), or `null`. */
  initializer: [number, string, string?] | null;
  initArgs: unknown[];
  /** Compile function sources? (`false` where the platform forbids eval) */
  allowSource: boolean;
  /** How deep in nested pools this worker is (1: a worker of the main program). */
  depth: number;
  /**
   * A Web Lock the worker holds for as long as it lives (browsers): Web Workers have no exit
   * event, so the executor learns of a worker's end when it gets the lock. Set by the adapter.
   */
  lock?: string;
  /** Who the worker is: what `currentProcess()` and `parentProcess()` say in it. */
  identity?: WorkerIdentity;
  /**
   * The worker runs one `Process` target, whose return value is dropped (as Python's `Process`
   * drops it): it is not sent back, so a value that cannot be cloned fails nothing.
   */
  dropResults?: boolean;
}

/** An error as plain data: structured clone keeps neither custom classes nor own properties. */
export type WireError =
  | {
      /** The error was an `Error`. */
      $: "E";
      /** Name of a built-in constructor to rebuild with (`TypeError`…), else `null` (plain `Error`). */
      ctor: string | null;
      name: string;
      message: string;
      stack: string;
      /** Own enumerable properties as `[key, value]` pairs: a key is data, never a path to a prototype. */
      props: [string, unknown][];
      /** `cause`, when the error had one. */
      cause?: WireError;
      /** `AggregateError.errors`. */
      errors?: WireError[];
    }
  | {
      /** Something that is not an `Error` was thrown (`throw 0`, `throw undefined`, `throw "x"`). */
      $: "V";
      value: unknown;
    };
