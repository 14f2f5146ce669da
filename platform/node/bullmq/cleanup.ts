/**
 * Finished jobs leave Redis once the executor has read their outcome. BullMQ's own
 * `removeOnComplete: true` deletes a job as it ends, leaving its return value only in the queue's
 * event stream, which BullMQ caps (`streams.events.maxLen`, 10,000 events by default): a burst
 * can push a `completed` event out before the executor reads it, and the outcome would be gone.
 * So, by default, jobs are kept when they end (BullMQ's `{ age }` as a backstop for an executor
 * that died) and the executor removes each once it has its outcome — from the event, or from the
 * job itself when the event was lost (catch-up.ts) — all of one turn in one script call.
 * @internal
 * @module
 */
import type { JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { PendingWrites } from "./connections.js";

/**
 * Seconds a finished job is kept if no executor removes it (its executor died first). Also the
 * longest an executor's reader may fall behind the event stream and still recover an outcome.
 */
export const KEEP_UNREAD_S = 3600;

/** Ids per script call (Lua's stack and the reply stay small). */
const CHUNK = 2000;

// KEYS: completed, failed; ARGV: the queue's key prefix, then job ids. A job is deleted only if it
// is in one of the finished sets: a job that runs again (someone retried it) is left alone. The
// keys deleted are those BullMQ's removeOnComplete deletes (removeJobKeys).
const REMOVE = `local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[1], id) + redis.call('ZREM', KEYS[2], id) > 0 then
    local k = ARGV[1] .. id
    redis.call('DEL', k, k .. ':logs', k .. ':dependencies', k .. ':processed', k .. ':failed', k .. ':unsuccessful')
    n = n + 1
  end
end
return n`;

type Remover = Redis & { isofuturesRemoveFinished(completed: string, failed: string, prefix: string, ...ids: string[]): Promise<number> };

/** Which finished jobs the executor removes itself, and the options its jobs are added with. */
export interface RemovalPolicy {
  completed: boolean;
  failed: boolean;
  /** The job options with BullMQ's removal replaced where the executor removes. */
  jobOptions: JobsOptions;
}

/**
 * `removeOnComplete` / `removeOnFail` unset or `true` ("results do not pile up"): the executor
 * removes the job once it has its outcome. Any other value is the user's: BullMQ applies it.
 */
export function removalPolicy(options: JobsOptions): RemovalPolicy {
  const completed = options.removeOnComplete === undefined || options.removeOnComplete === true;
  const failed = options.removeOnFail === undefined || options.removeOnFail === true;
  const jobOptions = { ...options };
  if (completed) jobOptions.removeOnComplete = { age: KEEP_UNREAD_S };
  if (failed) jobOptions.removeOnFail = { age: KEEP_UNREAD_S };
  return { completed, failed, jobOptions };
}

/** Removes finished jobs, batched per turn. */
export class FinishedJobs {
  readonly #redis: Remover;
  readonly #writes: PendingWrites;
  readonly #keys: [string, string, string];
  #ids: string[] = [];
  #scheduled = false;

  /** `queueKey`: `<prefix>:<queue>`. */
  constructor(redis: Redis, writes: PendingWrites, queueKey: string) {
    if (typeof (redis as unknown as Partial<Remover>).isofuturesRemoveFinished !== "function") {
      redis.defineCommand("isofuturesRemoveFinished", { numberOfKeys: 2, lua: REMOVE });
    }
    this.#redis = redis as unknown as Remover;
    this.#writes = writes;
    this.#keys = [`${queueKey}:completed`, `${queueKey}:failed`, `${queueKey}:`];
  }

  /** Job `id` has ended and its outcome is read: it goes with this turn's batch. */
  remove(id: string): void {
    this.#ids.push(id);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends what is gathered now (the reader calls it after each read, before futures' callbacks run). */
  flush(): void {
    this.#scheduled = false;
    const ids = this.#ids;
    if (ids.length === 0) return;
    this.#ids = [];
    const [completed, failed, prefix] = this.#keys;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = i === 0 && ids.length <= CHUNK ? ids : ids.slice(i, i + CHUNK);
      this.#writes.track(this.#redis.isofuturesRemoveFinished(completed, failed, prefix, ...chunk));
    }
  }
}
