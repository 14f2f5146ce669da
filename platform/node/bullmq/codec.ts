/**
 * How tasks and results travel through the queue. BullMQ stores a job's data as JSON; values go
 * inside it as Node's structured-clone serialization (`v8.serialize`, base64), so they round-trip
 * as they do between threads: Map, Set, BigInt, Date, RegExp, typed arrays, ArrayBuffers, nested
 * and cyclic objects. Errors travel as the executor's wire form (class, name, message, stack,
 * cause, own properties).
 * @internal
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { WireError } from "../../../src/wire/protocol.js";

/** The version of the job format; a worker refuses jobs of another. */
export const JOB_FORMAT = 1;

/** A job's data. */
export interface JobData {
  /** {@link JOB_FORMAT} */
  v: number;
  /** The function: `[DEF_EXPORT, name]` or `[DEF_SOURCE, source]`. */
  fn: [number, string];
  /** Task kind: call, map or starmap (protocol.ts). */
  k: number;
  /** The arguments (for map/starmap: one, the items), serialized. */
  a: string;
  /** ms the task may run on its worker, if limited. */
  t?: number;
  /** The executor's `tasks` module, for workers started without `--tasks`. */
  m?: string;
}

/** What a job returns (BullMQ's `returnvalue`). */
export interface JobReturn {
  /** The serialized {@link Outcome}. */
  r: string;
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

/** The channel on which executors ask workers to stop a running job: messages `{ id, reason }`. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:isofutures:cancel`;
}
