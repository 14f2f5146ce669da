/**
 * Events the reader never saw. BullMQ caps a queue's event stream (`streams.events.maxLen`,
 * about 10,000 entries by default, trimmed as events are added), so a burst of jobs can push a
 * `completed` or `active` event out before the executor reads it; its future would wait for
 * ever. The reader looks at the stream's head after each read ({@link trimmedPast}); when the
 * stream was trimmed past the last event it had read, the jobs in flight are looked at in Redis
 * (their state and return value: the executor keeps finished jobs until it has read their outcome,
 * cleanup.ts) and settled from there. A job Redis no longer has, and whose outcome no later event
 * brings, fails with an error that says why.
 * @internal
 * @module
 */
import type { Redis } from "ioredis";
import type { QueueJob } from "./job-table.js";

/** `a` vs `b`, two stream ids (`ms-seq`): negative, zero or positive. */
export function compareIds(a: string, b: string): number {
  const i = a.indexOf("-");
  const j = b.indexOf("-");
  const ms = Number(a.slice(0, i)) - Number(b.slice(0, j));
  return ms !== 0 ? ms : Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}

/**
 * Whether entries after `before` may have left the stream unread, from `XINFO STREAM` taken right
 * after a read from `before` (`null`: the stream does not exist). Trimming removes the oldest
 * entries, so nothing was lost if the stream still starts at or before `before`, or if it never
 * lost an entry (Redis 7's `entries-added` = `length`: a new queue). Otherwise entries between
 * `before` and the first one read may have gone: conservative, and true only when the reader
 * fell about a stream's length behind.
 */
export function trimmedPast(info: unknown[] | null, before: string, existed: boolean): boolean {
  if (info === null) return existed; // deleted since the last look (obliterated, flushed)
  const field = (name: string): unknown => {
    for (let k = 0; k + 1 < info.length; k += 2) if (info[k] === name) return info[k + 1];
    return undefined;
  };
  const length = Number(field("length"));
  const added = field("entries-added");
  if (added !== undefined && Number(added) <= length) return false;
  const first = field("first-entry") as [string, unknown] | null | undefined;
  if (first) return compareIds(first[0], before) > 0;
  const last = field("last-generated-id");
  return typeof last === "string" && compareIds(last, before) > 0; // emptied
}

export interface CatchUpHost {
  /** The jobs in flight (a snapshot). */
  jobs(): QueueJob[];
  /** Whether the job is still in flight. */
  has(job: QueueJob): boolean;
  /** What the events would have said: a worker took it… */
  active(id: string): void;
  /** …it ended (its return value as BullMQ stores it, JSON)… */
  completed(id: string, returnvalue: string): void;
  /** …or BullMQ failed it. */
  failed(id: string, reason: string): void;
  /** Neither its events nor Redis have its outcome. */
  lost(job: QueueJob): void;
}

/** Job hashes read per round trip. */
const CHUNK = 1000;
/** After a catch-up that took d ms, the next waits at least this × d: lookups stay a small share of the time. */
const SPACING = 3;

export class CatchUp {
  readonly #redis: Redis;
  /** `<prefix>:<queue>:`, the start of a job's key. */
  readonly #jobKey: string;
  readonly #host: CatchUpHost;
  #running = false;
  #again = false;
  #disposed = false;
  #notBefore = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Reads finished so far, and jobs missing from Redis with the read count that decides them. */
  #reads = 0;
  readonly #suspects = new Map<QueueJob, number>();

  constructor(redis: Redis, jobKey: string, host: CatchUpHost) {
    this.#redis = redis;
    this.#jobKey = jobKey;
    this.#host = host;
  }

  /** The reader found the stream trimmed past what it had read. */
  trimmed(): void {
    if (this.#disposed || this.#timer !== undefined) return; // the catch-up to come starts after this
    if (this.#running) {
      this.#again = true; // it may have looked at these jobs before their events were trimmed
      return;
    }
    const wait = this.#notBefore - performance.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#run();
      }, wait);
      return;
    }
    void this.#run();
  }

  /**
   * A read finished. A job missing from Redis may have ended, its outcome in an event written
   * after the reader's last read: it is lost only if a read that started after the lookup did
   * not bring that event either.
   */
  afterRead(): void {
    this.#reads++;
    if (this.#suspects.size === 0) return;
    for (const [job, decided] of this.#suspects) {
      if (decided > this.#reads) continue;
      this.#suspects.delete(job);
      if (this.#host.has(job) && !job.task.future.done()) this.#host.lost(job);
    }
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#suspects.clear();
  }

  async #run(): Promise<void> {
    this.#running = true;
    const t0 = performance.now();
    try {
      const all = this.#host.jobs();
      // A job whose batch is still on its way to Redis may have run and lost its events already:
      // it is looked at once its batch is in (batches reach Redis in order: the newest is last).
      const adding = all.findLast((j) => !j.inRedis);
      if (adding !== undefined) void adding.added.then(() => this.trimmed());
      const jobs = all.filter((j) => j.inRedis && !j.task.future.done());
      for (let i = 0; i < jobs.length; i += CHUNK) await this.#look(jobs.slice(i, i + CHUNK));
    } catch {
      this.#again = true; // Redis went away meanwhile: look again (after the outage, if it ends)
    } finally {
      this.#running = false;
      this.#notBefore = performance.now() + SPACING * (performance.now() - t0);
      if (this.#again) {
        this.#again = false;
        this.trimmed();
      }
    }
  }

  async #look(jobs: QueueJob[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (const job of jobs) pipeline.hmget(this.#jobKey + job.id, "timestamp", "finishedOn", "returnvalue", "failedReason", "processedOn");
    const replies = (await pipeline.exec()) ?? [];
    // The read in progress may have started before this lookup; the one after it did not.
    const decided = this.#reads + 2;
    jobs.forEach((job, i) => {
      const [error, fields] = replies[i] ?? [new Error("no reply")];
      if (error || !this.#host.has(job) || job.task.future.done()) return;
      const [timestamp, finishedOn, returnvalue, failedReason, processedOn] = fields as (string | null)[];
      if (timestamp === null) {
        if (!this.#suspects.has(job)) this.#suspects.set(job, decided);
      } else if (finishedOn !== null && returnvalue !== null) this.#host.completed(job.id, returnvalue!);
      else if (finishedOn !== null) this.#host.failed(job.id, failedReason ?? "no reason given");
      else if (processedOn !== null) this.#host.active(job.id);
    });
  }
}
