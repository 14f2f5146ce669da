/**
 * One worker as the scheduler sees it (its state, credit window and the tasks it holds), and the
 * helpers that put tasks on the wire and word the errors of worker faults.
 * @internal
 * @module
 */
import { decodeError } from "../../wire/error-codec.js";
import type { Endpoint } from "../endpoint.js";
import { InflightRing } from "./inflight.js";
import { ARGS_ARRAY, CTL_POSTED, CTL_SLEEP, ST_CHUNK, ST_CHUNK_ERRORS, ST_CHUNK_SHARED, type WireError } from "../../wire/protocol.js";
import { reviveShared } from "../../shared/revive.js";
import type { ChunkOutcome, Task } from "../task.js";
import type { Timer } from "../../util/timers.js";

/** How a worker ended, as its endpoint reports it. */
export interface ExitInfo {
  code?: number | undefined;
  signal?: string | undefined;
  error?: unknown;
}

/** Worker states. */
export const STARTING = 0;
export const READY = 1;
export const CLOSING = 2;
export const DEAD = 3;


export class WorkerSlot {
  state = STARTING;
  endpoint!: Endpoint;
  /** Tasks sent and not finished, by seq (insertion order = seq order). */
  readonly inflight = new InflightRing<Task>();
  nextSeq = 0;
  window = 1;
  /** Handles of functions this worker has been sent. */
  readonly known: boolean[] = [];
  /** Tasks ever sent (for maxTasksPerWorker). */
  sent = 0;
  /** When the current measuring period began (first dispatch while idle, or the last results). */
  markTime = 0;
  idleSince = 0;
  busy = false;
  /** Tasks asked to stop that may still cost this worker its life: it takes no new task meanwhile. */
  stopping = 0;
  /** Tasks gathered for this slot during one flush. */
  batch: Task[] = [];
  closeTimer: Timer | undefined = undefined;
  /** The worker said it is dying of this error, having started the tasks numbered below `started`. */
  fatal: { error: unknown; started: number } | undefined = undefined;

  constructor(
    readonly name: string,
    readonly ctl: Int32Array | null,
  ) {}
}

/** An empty transfer list. */
export const EMPTY: readonly object[] = [];

// Tells an idle worker that a message is on its way: a spinning worker sees the counter move; a
// sleeping one is woken (one futex call, only when it sleeps).
export function wake(ctl: Int32Array | null): void {
  if (ctl === null) return;
  Atomics.add(ctl, CTL_POSTED, 1);
  if (Atomics.load(ctl, CTL_SLEEP) !== 0) {
    Atomics.store(ctl, CTL_SLEEP, 0);
    Atomics.notify(ctl, CTL_SLEEP);
  }
}

// A task on the wire: its code, then its arguments inline (or one array of 15 or more).
export function pushTask(msg: unknown[], t: Task): unknown[] {
  const args = t.payload;
  msg.push(t.code);
  if (((t.code >> 2) & 15) === ARGS_ARRAY) msg.push(args);
  else for (let i = 0; i < args.length; i++) msg.push(args[i]);
  return msg;
}

export function chunkOutcome(status: number, value: unknown, where: string): ChunkOutcome {
  if (status === ST_CHUNK) return { values: value as unknown[], errors: null };
  if (status !== ST_CHUNK_ERRORS && status !== ST_CHUNK_SHARED) throw new TypeError(`unknown result status ${status}`);
  const [values, flat] = value as [unknown[], unknown[] | null];
  if (status === ST_CHUNK_SHARED) {
    reviveShared(values);
    if (flat === null) return { values, errors: null };
  }
  const errors = new Map<number, unknown>();
  const list = flat as unknown[];
  for (let i = 0; i < list.length; i += 2) errors.set(list[i] as number, decodeError(list[i + 1] as WireError, `worker "${where}"`));
  return { values, errors };
}

export function cloneFailure(t: Task, error: unknown): Error {
  const what = t.code & 3 ? "an item of the map input" : describeCulprit(t.payload);
  return new TypeError(
    `${what} of ${t.def.label} could not be sent to a worker: ${messageOf(error)}. Task arguments must be ` +
      "structured-cloneable (primitives, plain objects, arrays, Map, Set, Date, RegExp, typed arrays, ArrayBuffers); " +
      "functions, symbols, class instances with methods and detached buffers are not.",
    { cause: error },
  );
}

function describeCulprit(args: unknown[]): string {
  for (let i = 0; i < args.length; i++) {
    try {
      structuredClone(args[i]);
    } catch {
      return `argument ${i + 1}`;
    }
  }
  return "the transfer list";
}

export function describeExit(info: ExitInfo): string {
  const parts: string[] = [];
  if (info.signal) parts.push(`was killed by ${info.signal}`);
  else if (info.code !== undefined) parts.push(`exited with code ${info.code}`);
  else parts.push("exited");
  if (info.error !== undefined) parts.push(`(${messageOf(info.error)})`);
  return parts.join(" ");
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

