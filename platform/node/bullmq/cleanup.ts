/**
 * Finished jobs leave Redis once the executor has read their outcome. BullMQ's own
 * `removeOnComplete: true` deletes a job as it ends, leaving its return value only in the queue's
 * event stream, which BullMQ caps (`streams.events.maxLen`, 10,000 events by default): a burst
 * can push a `completed` event out before the executor reads it, and the outcome would be gone.
 * So, by default, jobs are kept when they end and the executor removes each once it has its
 * outcome — from the event, or from the job itself when the event was lost (catch-up.ts) — in
 * batches, one script call each. The same call removes jobs of this kind that ended over an hour
 * ago (their executor died): a backstop that costs nothing per job, where BullMQ's `{ age }`
 * would look at the finished set each time a job ends.
 * @internal
 * @module
 */
import type { JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { PendingWrites } from "./connections.js";

/**
 * ms after which a finished job nobody removed (its executor died) is removed by the next
 * executor that removes jobs on its queue. Also the longest an executor's reader may fall behind
 * the event stream and still recover an outcome.
 */
export const KEEP_UNREAD_MS = 3_600_000;
/** Such old jobs looked at per batch, at most. */
const SWEEP = 32;

/** Ids per script call, at most (Lua's `unpack` takes a few thousand values). */
const CHUNK = 1000;
/**
 * A batch goes once it has this many ids, or {@link FLUSH_MS} after its first: one script call
 * per read would cost a command per job or two at the rate of tiny tasks.
 */
const BATCH = 256;
const FLUSH_MS = 10;

// KEYS: completed, failed; ARGV: the queue's key prefix, the time (ms) before which a finished job
// is an orphan, the number c of completed jobs, their ids, then the failed jobs' ids. A job is deleted only while it is still in its finished set
// (a job someone retried meanwhile is left alone), and each set is handled with a few commands
// for the whole batch (ZMSCORE, ZREM, DEL), not two per job: inside a script, each call costs
// about as much as the work it does. Its keys are those BullMQ's removeOnComplete deletes
// (removeJobKeys) but the four of job flows, which these jobs are not.
const REMOVE = `local function scores(set, first, last)
  local ok, s = pcall(redis.call, 'ZMSCORE', set, unpack(ARGV, first, last))
  if ok then return s end
  s = {} -- Redis before 6.2
  for i = first, last do s[#s + 1] = redis.call('ZSCORE', set, ARGV[i]) end
  return s
end
local function remove(set, first, last)
  if last < first then return 0 end
  local s = scores(set, first, last)
  local ids, keys = {}, {}
  for i = 1, last - first + 1 do
    if s[i] then
      local id = ARGV[first + i - 1]
      ids[#ids + 1] = id
      keys[#keys + 1] = ARGV[1] .. id
      keys[#keys + 1] = ARGV[1] .. id .. ':logs'
    end
  end
  if #ids == 0 then return 0 end
  redis.call('ZREM', set, unpack(ids))
  redis.call('DEL', unpack(keys))
  return #ids
end
-- Orphans: jobs of executors that remove their jobs ("rm":1 in their data) that ended long ago.
local function sweep(set)
  local old = redis.call('ZRANGEBYSCORE', set, '-inf', ARGV[2], 'LIMIT', 0, ${SWEEP})
  for _, id in ipairs(old) do
    local data = redis.call('HGET', ARGV[1] .. id, 'data')
    if data and string.find(data, '"rm":1', 1, true) then
      redis.call('ZREM', set, id)
      redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ':logs')
    end
  end
end
local c = tonumber(ARGV[3]) + 3
local n = remove(KEYS[1], 4, c) + remove(KEYS[2], c + 1, #ARGV)
sweep(KEYS[1])
sweep(KEYS[2])
return n`;

type Remover = Redis & { isofuturesRemoveFinished(completed: string, failed: string, prefix: string, before: number, c: number, ...ids: string[]): Promise<number> };

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
  if (completed) jobOptions.removeOnComplete = false;
  if (failed) jobOptions.removeOnFail = false;
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
        this.#writes.track(this.#redis.isofuturesRemoveFinished(completedKey, failedKey, prefix, Date.now() - KEEP_UNREAD_MS, failed ? 0 : chunk.length, ...chunk));
      }
    }
    this.#completed = [];
    this.#failed = [];
  }
}
