/**
 * How tasks and results travel through the queue. BullMQ stores a job's data as JSON; values go
 * inside it as Node's structured-clone serialization (`v8.serialize`, base64), so they round-trip
 * as they do between threads: Map, Set, BigInt, Date, RegExp, typed arrays, ArrayBuffers, nested
 * and cyclic objects. Errors travel as the executor's wire form (class, name, message, stack,
 * cause, own properties). The names of the Redis keys and channels both sides share live here too.
 * @internal
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { WireError } from "../../../src/wire/protocol.js";

/**
 * The version of the job format; a worker refuses jobs of another. 2: streams, the tasks check.
 * 3: `fn` and `k` left out when they are the usual (an export named as the job, a call), a plain
 * value returned as it is, `rm`: for tiny tasks, every byte is stored, sent and parsed a few times.
 */
export const JOB_FORMAT = 3;

/** A job's data. */
export interface JobData {
  /** {@link JOB_FORMAT} */
  v: number;
  /** The function: `[DEF_EXPORT, name]` or `[DEF_SOURCE, source]`; absent: the export named as the job. */
  fn?: [number, string];
  /** Task kind: call, map, starmap or stream (protocol.ts); absent: a call. */
  k?: number;
  /** The arguments (for map/starmap: one, the items), serialized… */
  a?: string;
  /** …or, when they are all {@link plainValues}, as they are (JSON: no serialization, no base64). */
  j?: unknown[];
  /** ms the task may run on its worker, if limited. */
  t?: number;
  /**
   * The executor's `tasks` module (a URL: `file:` means that path on the workers). A worker
   * started without `--tasks` imports it; one started with `--tasks` checks it is the same.
   */
  m?: string;
  /** A stream task: where its values go, `[values stream key, state key]` (see {@link streamKeys}). */
  s?: [string, string];
  /**
   * 1: the executor removes the finished job once it has read its outcome (see cleanup.ts), so a
   * job it let go (asked to stop, or a stream nobody reads) is removed by its worker when it ends.
   */
  rm?: 1;
}

/**
 * What a job returns (BullMQ's `returnvalue`): a successful call's value as it is when it is a
 * {@link plain} value (most tiny tasks return one; never an object), else the serialized
 * {@link Outcome} as `{ r }`.
 */
export type JobReturn = { r: string } | string | number | boolean | null;

/**
 * Values that JSON carries exactly: strings, booleans, null, and finite numbers other than -0
 * (NaN, -0, undefined, BigInt and objects need the structured-clone serialization). For tiny
 * tasks, skipping `v8.serialize` and base64 on both sides is a measurable part of a job's cost.
 */
export function plainValues(values: readonly unknown[]): boolean {
  for (const v of values) if (!plain(v)) return false;
  return true;
}

export function plain(v: unknown): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    default:
      return v === null;
  }
}

/** The arguments of a job. */
export function argsOf(data: JobData): unknown[] {
  return data.j ?? (unpack(data.a!) as unknown[]);
}

/** A task's outcome. */
export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; error: WireError }
  | { chunk: unknown[]; errors: [number, WireError][] };

export function pack(value: unknown): string {
  return serialize(value).toString("base64");
}

export function unpack(text: string): unknown {
  return deserialize(Buffer.from(text, "base64"));
}

/**
 * The channel from executors to workers: `{ id, reason }` asks the worker running job `id` to
 * stop it; `{ id, credit }` tells a stream job's worker how many values it may have sent in all.
 */
export function controlChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:isofutures:control`;
}

/**
 * The keys of a stream task. Values go to one Redis stream per executor (its event reader then
 * reads two fixed keys, never a changing set); each task has a state hash: `c` = the credit (how
 * many values its worker may have sent in all), `r` = the run that took it. The executor deletes
 * the state when the stream ends or is let go, and a worker writes a value only while the state
 * exists (one script), so nothing of a finished stream stays in Redis or is written there later.
 */
export function streamKeys(prefix: string, queue: string, executorId: string, jobId: string): [string, string] {
  const base = `${prefix}:${queue}:isofutures`;
  return [`${base}:values:${executorId}`, `${base}:stream:${jobId}`];
}
