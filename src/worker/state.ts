/**
 * The worker runtime's state: what it was told at start, its function table, the tasks waiting
 * for their code, the outbox of results, and the streams and signals of running tasks. The parts
 * of the runtime are layers of one object over this state (see runtime.ts for the map).
 *
 * Invariants kept here:
 * - Tasks start strictly in the order they were sent (their `seq`), each after claiming its number
 *   in the control word (or, where there is none, counting it in `claimed`).
 * - `active` counts tasks started and not finished (async ones included): the runtime waits for
 *   work on the control word only when it is 0 and no task waits for its code.
 * - Every started task gets exactly one final record in the outbox (ST_OK, ST_ERROR or a chunk);
 *   a stream's ST_ITEM records come before it.
 * @internal
 * @module
 */
import { OP_RESULTS, type WorkerInit } from "../wire/protocol.js";
import type { RunningTask } from "./current-task.js";
import type { Fn, Namespace, Unavailable } from "./functions.js";
import type { StreamState } from "./streams.js";

/** How the runtime talks to its executor. */
export interface WorkerPort {
  post(message: unknown[], transfer: readonly object[]): void;
  onMessage(handler: (message: unknown[]) => void): void;
  /** Leave: end the thread / process / Web Worker. */
  exit(): void;
  /**
   * Optional: block briefly (with `Atomics.wait` on `ctl[CTL_SLEEP]`) for the next message, and
   * return it, or `undefined` when none came in time. Called only when no task is in progress, so
   * nothing of ours waits on the event loop meanwhile.
   */
  waitForWork?(ctl: Int32Array): unknown[] | undefined;
  /** The runtime runs on the caller's own thread (inline): the thread is not a worker. */
  callerThread?: boolean;
}

/** A function-table entry: ready, loading, or failed for good. */
export type FnEntry = Fn | Promise<unknown> | Unavailable;

export abstract class RuntimeState {
  init: WorkerInit | undefined = undefined;
  /** The control word (null where memory is not shared: processes). */
  ctl: Int32Array | null = null;
  tasksModule: Promise<Namespace> | undefined;
  tasksNs: Namespace | undefined;
  tasksError: unknown = undefined;
  /** `taskRef` modules, by URL. */
  readonly modules = new Map<string, Promise<Namespace>>();
  /** Functions by handle. */
  readonly fns: FnEntry[] = [];
  /** Which handles are function sources (their ReferenceErrors get a hint about closures). */
  readonly fromSource: boolean[] = [];
  /** Compiled sources, by text: one compilation per distinct source. */
  readonly sourceCache = new Map<string, FnEntry>();

  /** Tasks waiting for their function to load: [seq, code, args, …] (args always as one array). */
  waiting: unknown[] = [];
  waitingHead = 0;
  /** The seq of the waiting task claimed while its code loads (see receive.ts). */
  headClaimed = -1;

  /** Results of this turn: [OP_RESULTS, seq, status, value, …], sent once per turn. */
  outbox: unknown[] = [OP_RESULTS];
  outTransfer: object[] = [];
  /** Transfer lists per record (by index in the outbox), for re-sending records one by one. */
  recordTransfers: Map<number, readonly object[]> | undefined = undefined;
  flushQueued = false;

  /** currentTask(): the signals asked for so far, by seq. */
  readonly controllers = new Map<number, AbortController>();
  /** This runtime as `currentTask()` sees it while one of its tasks executes. */
  readonly self: RunningTask = { seq: -1, controllers: this.controllers };

  /** Tasks started and not finished (async ones included). */
  active = 0;
  /** Stream tasks in progress, by seq. */
  readonly streams = new Map<number, StreamState>();
  idling = false;
  closed = false;
  /** Set by halt(): no task starts any more. */
  halted = false;
  /** Tasks claimed so far (where there is no control word to count them). */
  claimed = 0;
  /** A `Process`'s worker: calls' return values are dropped, not sent (see WorkerInit.dropResults). */
  dropResults = false;

  protected constructor(
    readonly port: WorkerPort,
    /** Functions given to `serve()`, used in place of a tasks module. */
    readonly served: Namespace | undefined,
  ) {
    this.tasksNs = served;
    this.tasksModule = served ? Promise.resolve(served) : undefined;
  }

  /** Handles one message from the executor (receive.ts). */
  abstract handle(msg: unknown[]): void;
}
