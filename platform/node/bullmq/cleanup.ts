/**
 * Finished jobs leave Redis once the executor has read their outcome. BullMQ's own
 * `removeOnComplete: true` deletes a job as it ends, leaving its return value only in the queue's
 * event stream, which BullMQ caps (`streams.events.maxLen`, 10,000 events by default): a burst
 * can push a `completed` event out before the executor reads it, and the outcome would be gone.
 * So, by default, jobs are kept when they end (BullMQ's `{ age }` as a backstop for an executor
 * that died) and the executor removes each once it has its outcome — from the event, or from the
 * job itself when the event was lost (catch-up.ts) — in batches, one script call each.
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

/** Ids per script call, at most (Lua's stack and the reply stay small). */
const CHUNK = 2000;
/**
 * A batch goes once it has this many ids, or {@link FLUSH_MS} after its first: one script call
 * per read would cost a command per job or two at the rate of tiny tasks.
 */
const BATCH = 256;
const FLUSH_MS = 10;

// KEYS: completed, failed; ARGV: the queue's key prefix, the number c of completed jobs, their
// ids, then the failed jobs' ids. A job is deleted only if it is still in its finished set: a
// job that runs again (someone retried it) is left alone. Its keys are those BullMQ's
// removeOnComplete deletes (removeJobKeys) but the four of job flows, which these jobs are not.
const REMOVE = `local c = tonumber(ARGV[2]) + 2
local n = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', i <= c and KEYS[1] or KEYS[2], id) == 1 then
    local k = ARGV[1] .. id
    redis.call('DEL', k, k .. ':logs')
    n = n + 1
  end
end
return n`;

type Remover = Redis & { isofuturesRemoveFinished(completed: string, failed: string, prefix: string, c: number, ...ids: string[]): Promise<number> };

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

/** Removes finished jobs, in batches. */
export class FinishedJobs {
  readonly #redis: Remover;
  readonly #writes: PendingWrites;
  readonly #keys: [completed: string, failed: string, prefix: string];
  #completed: string[] = [];
  #failed: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `queueKey`: `<prefix>:<queue>`. */
  constructor(redis: Redis, writes: PendingWrites, queueKey: string) {
    if (typeof (redis as unknown as Partial<Remover>).isofuturesRemoveFinished !== "function") {
      redis.defineCommand("isofuturesRemoveFinished", { numberOfKeys: 2, lua: REMOVE });
    }
    this.#redis = redis as unknown as Remover;
    this.#writes = writes;
    this.#keys = [`${queueKey}:completed`, `${queueKey}:failed`, `${queueKey}:`];
  }

  /** Job `id` has ended (completed, or failed for BullMQ) and its outcome is read: it leaves Redis. */
  remove(id: string, failed = false): void {
    (failed ? this.#failed : this.#completed).push(id);
    if (this.#completed.length + this.#failed.length >= BATCH) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.#timer.unref?.();
    }
  }

  /** Sends what is gathered (also on close). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const [completedKey, failedKey, prefix] = this.#keys;
    for (const [ids, failed] of [[this.#completed, false], [this.#failed, true]] as const) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.length <= CHUNK ? ids : ids.slice(i, i + CHUNK);
        this.#writes.track(this.#redis.isofuturesRemoveFinished(completedKey, failedKey, prefix, failed ? 0 : chunk.length, ...chunk));
      }
    }
    this.#completed = [];
    this.#failed = [];
  }
}
