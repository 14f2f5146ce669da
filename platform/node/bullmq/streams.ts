/**
 * Stream tasks on a queue, the executor's side. A worker sends a stream's values to this
 * executor's values stream in Redis, at most as many as the consumer's credit allows (the local
 * pools' rule: a window of {@link STREAM_WINDOW}, more granted as values are taken). The event
 * reader hands them here; each read batch is trimmed from Redis at once. A stream's state key
 * (its credit) exists from its submission to its end: deleting it is what tells a worker that
 * nobody listens any more, even one that missed the stop request.
 * @internal
 * @module
 */
import type { Redis } from "ioredis";
import { STREAM_WINDOW } from "../../../src/wire/protocol.js";
import { streamKeys, unpack } from "./codec.js";
import type { PendingWrites } from "./connections.js";
import type { QueueJob } from "./job-table.js";

// KEYS: state; ARGV: credit total, channel, message. Only while the stream lives (no resurrection).
const GRANT = `if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'c', ARGV[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return 0`;

export class StreamRelay {
  readonly #redis: Redis;
  readonly #writes: PendingWrites;
  readonly #prefix: string;
  readonly #queue: string;
  readonly #executorId: string;
  readonly #channel: string;
  /** Streams in flight: the values stream exists only while there are some. */
  #open = 0;
  readonly valuesKey: string;

  constructor(redis: Redis, writes: PendingWrites, prefix: string, queue: string, executorId: string, channel: string) {
    this.#redis = redis;
    this.#writes = writes;
    this.#prefix = prefix;
    this.#queue = queue;
    this.#executorId = executorId;
    this.#channel = channel;
    this.valuesKey = streamKeys(prefix, queue, executorId, "")[0];
  }

  /**
   * A stream task is about to be queued: its state goes to Redis first (same connection, so
   * before its job), with the first window of credit. Returns the keys its job carries.
   */
  open(job: QueueJob): [string, string] {
    const keys = streamKeys(this.#prefix, this.#queue, this.#executorId, job.id);
    job.granted = STREAM_WINDOW;
    this.#open++;
    this.#writes.track(this.#redis.hset(keys[1], "c", STREAM_WINDOW));
    return keys;
  }

  /** The consumer took `n` values: its worker may send `n` more. */
  credit(job: QueueJob, n: number): void {
    if (job.granted === undefined) return;
    job.granted += n;
    const state = streamKeys(this.#prefix, this.#queue, this.#executorId, job.id)[1];
    const message = JSON.stringify({ id: job.id, credit: job.granted });
    this.#writes.track(this.#redis.eval(GRANT, 1, state, job.granted, this.#channel, message));
  }

  /** The stream ended or was let go: its state leaves Redis, and the values stream with the last one. */
  close(job: QueueJob): void {
    if (job.granted === undefined) return;
    delete job.granted;
    const state = streamKeys(this.#prefix, this.#queue, this.#executorId, job.id)[1];
    this.#writes.track(this.#redis.del(state));
    if (--this.#open === 0) this.#writes.track(this.#redis.del(this.valuesKey));
  }

  /** Values read from Redis, up to `lastId`: each to its stream, then trimmed from Redis. */
  deliver(entries: [string, string[]][], lastId: string, jobOf: (id: string) => QueueJob | undefined): void {
    for (const [, fields] of entries) {
      // Fields: j, <job id>, v, <packed value> (written by the worker in that order).
      const job = fields[0] === "j" ? jobOf(fields[1]!) : undefined;
      if (job?.granted === undefined || job.task.future.done()) continue; // a stream let go
      job.task.sink?.item(unpack(fields[3]!));
    }
    const [ms, seq] = lastId.split("-");
    this.#writes.track(this.#redis.xtrim(this.valuesKey, "MINID", `${ms}-${Number(seq) + 1}`));
  }

  /** On close: whatever is left of this executor's streams. */
  async dispose(): Promise<void> {
    await this.#redis.del(this.valuesKey).catch(() => {});
  }
}
