/**
 * One unit of work as the scheduler sees it, and the function definitions tasks refer to.
 * @internal
 * @module
 */
import type { Future } from "../futures/future.js";
import type { FnDefWire } from "../wire/protocol.js";
import type { Timer } from "../util/timers.js";

/** A task function known to an executor: sent to each worker once, then referred to by `handle`. */
export interface FnDef {
  readonly handle: number;
  readonly wire: FnDefWire;
  /** For messages: `task "fib"`, `function fib`, `fib from file:///…/m.js`. */
  readonly label: string;
}

/** What a chunk task (map/starmap) settles its future with. */
export interface ChunkOutcome {
  values: unknown[];
  /** Item index → the error that item threw; `null` when none did. */
  errors: Map<number, unknown> | null;
}

/** The slot a task is running on (opaque to everything but the scheduler). */
export interface SlotRef {
  readonly name: string;
}

/** Per-task controls of `submitWith`; most tasks have none. */
export interface TaskControls {
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The hard-timeout timer, armed when the task starts running. */
  timer: Timer | undefined;
  /** Stops watching `signal` (see {@link watchAbort}). */
  unwatch: (() => void) | undefined;
}

/** Where the values of a stream task go, as they arrive. */
export interface StreamSink {
  item(value: unknown): void;
}

/**
 * A clock reading (ms) shared by the tasks it dates: one per turn of submits, one per message sent.
 * Tasks hold a reference to it rather than a number of their own, which V8 would box in a heap
 * number per task: a burst of tiny tasks would collect twice as many objects.
 */
export class Stamp {
  constructor(readonly ms: number) {}
}
const NO_STAMP = new Stamp(0);

export class Task {
  /** Where it runs, while it runs. */
  slot: SlotRef | undefined = undefined;
  /** Its number on that worker. */
  seq = -1;
  /** Timeout and signal, if any. */
  controls: TaskControls | undefined = undefined;
  /** The consumer of a stream task's values. */
  sink: StreamSink | undefined = undefined;
  /** Asked to stop (its worker was sent ABORT): its result, if it comes, is ignored. */
  stopping = false;
  /** …and its worker is terminated if it does not stop within the grace. */
  escalating = false;
  /** When it was submitted (the clock read once per turn; see timings.ts). */
  queued: Stamp = NO_STAMP;
  /** When it was last handed to a worker (the clock read once per message). */
  sent: Stamp = NO_STAMP;

  constructor(
    readonly future: Future<unknown>,
    readonly def: FnDef,
    /** See protocol.ts `taskCode`. */
    readonly code: number,
    /** The arguments (a chunk task has one: the array of items). */
    readonly payload: unknown[],
    /** Buffers to move; a task that moved some cannot be re-sent elsewhere. */
    readonly transfer: readonly object[] | undefined,
  ) {}
}
