/**
 * The executor's Redis connections and what reads from them. The engine owns its connections
 * (BullMQ's own close waits for a Redis that may be gone) and reads the queue's event stream
 * itself, on a connection of its own, so that after an outage it goes on from the last event seen.
 * @internal
 * @module
 */
import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { trimmedPast } from "./catch-up.js";

/** A connection of our own, from BullMQ-style connection options (or a copy of a given client). */
export function connect(connection: ConnectionOptions): Redis {
  const c = connection as Record<string, unknown> & { duplicate?: () => Redis };
  const client =
    typeof c.duplicate === "function"
      ? c.duplicate()
      : new Redis({
          // Come back quickly after an outage (BullMQ's default waits up to 20 s between tries).
          retryStrategy: (times: number) => Math.min(100 * times, 1000),
          ...c,
          maxRetriesPerRequest: null,
        } as RedisOptions & { replyMapping?: never });
  client.on("error", () => {}); // outages are handled by the reconnect window
  return client;
}

type Entries = [string, string[]][];

/** What the reader hands over, in the order it matters. */
export interface ReaderSink {
  /** Values of stream tasks (fields `j` job id, `v` packed value), read up to `lastId`. */
  values(entries: Entries, lastId: string): void;
  /**
   * An event of the queue, as BullMQ writes it: field, value, … with `event` first (its name),
   * then `jobId` and the rest (`returnvalue`, `failedReason`…). See {@link fieldsOf}.
   */
  event(fields: string[]): void;
  /** The event stream was trimmed past the last event read: events may have been missed. */
  trimmed(): void;
  /** A read is over (with or without data) and what it brought is handed over. */
  afterRead(): void;
  /** Whether to read on (the executor is open, or jobs are still out). */
  wanted(): boolean;
}

/**
 * Reads the queue's event stream and the executor's stream of values with one blocking `XREAD`
 * on two fixed keys. Values are handed over before events of the same read: a worker writes a
 * stream's values before it ends the job, so a stream's end never overtakes its last values.
 *
 * Each read also tells whether the stream was trimmed past the last event read (BullMQ caps it):
 * while events keep coming, the read starts at that event itself, and the stream still holding
 * it proves that nothing after it was trimmed (trimming removes the oldest entries) — no extra
 * command. When a read brings nothing new, the next one blocks for new events only, with an
 * `XINFO STREAM` behind it on this connection, which shows the stream's head right after it.
 */
export async function readEvents(reader: Redis, eventsKey: string, valuesKey: string, since: string, sink: ReaderSink): Promise<void> {
  let eventsId = since;
  let valuesId = "0-0";
  /** `eventsId` is an entry read from the stream, not seen gone since: reads may start at it. */
  let held = false;
  let idle = true;
  let existed = false;
  while (sink.wanted()) {
    const before = eventsId;
    const inclusive = held && !idle;
    let data: [string, Entries][] | null;
    let info: unknown[] | null | undefined;
    try {
      const read = reader.xread("BLOCK", 2000, "STREAMS", eventsKey, valuesKey, inclusive ? previousId(before) : before, valuesId) as Promise<typeof data>;
      const head = inclusive
        ? undefined
        : reader.xinfo("STREAM", eventsKey).then(
            (reply) => reply as unknown[],
            (error: unknown) => (/no such key/i.test(String((error as Error)?.message)) ? null : undefined),
          );
      data = await read;
      info = await head;
    } catch {
      if (reader.status === "end") return;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const values = data?.find(([key]) => key === valuesKey)?.[1];
    if (values !== undefined && values.length > 0) {
      valuesId = values[values.length - 1]![0];
      sink.values(values, valuesId);
    }
    const events = data?.find(([key]) => key === eventsKey)?.[1] ?? [];
    let first = 0;
    let trimmed = false;
    if (inclusive) {
      if (events[0]?.[0] === before) first = 1;
      else {
        trimmed = true; // the last event read is gone: what came after it may be too
        held = false;
      }
    }
    idle = first === events.length;
    for (let i = first; i < events.length; i++) {
      const [entryId, fields] = events[i]!;
      eventsId = entryId;
      held = true;
      sink.event(fields);
    }
    if (info !== undefined) {
      if (trimmedPast(info, before, existed)) trimmed = true;
      existed = info !== null;
    }
    if (trimmed) sink.trimmed();
    sink.afterRead();
  }
}

/** The stream id just before `id` (`ms-seq`), so that a read "after" it returns `id` itself. */
function previousId(id: string): string {
  const dash = id.indexOf("-");
  const seq = Number(id.slice(dash + 1));
  return seq > 0 ? `${id.slice(0, dash)}-${seq - 1}` : `${Number(id.slice(0, dash)) - 1}-18446744073709551615`;
}

export function fieldsOf(fields: string[]): Record<string, string> {
  const e: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) e[fields[i]!] = fields[i + 1]!;
  return e;
}

/** Writes on their way to Redis (removals, stop requests, credit), awaited briefly on close. */
export class PendingWrites {
  readonly #writes = new Set<Promise<unknown>>();

  track(write: Promise<unknown>): void {
    const p = write.catch(() => {}).finally(() => this.#writes.delete(p));
    this.#writes.add(p);
  }

  /** Resolves when all are done, or after `ms`. */
  settled(ms: number): Promise<unknown> {
    return Promise.race([Promise.allSettled([...this.#writes]), new Promise((r) => setTimeout(r, ms))]);
  }
}
