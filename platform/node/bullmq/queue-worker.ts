/**
 * The worker side of a {@link QueueExecutor}: takes jobs from a BullMQ queue and runs each on a
 * local pool (threads, or processes), as many at once as the pool has workers; tasks observed to
 * be tiny run on this thread instead (fast-path.ts). What one job does is in run-job.ts.
 * @internal
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker as BullWorker, type ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { ProcessPoolExecutor, ThreadPoolExecutor, cpuCount, type Executor } from "isofutures";
import { controlChannel, type JobReturn } from "./codec.js";
import { TaskRouter } from "./fast-path.js";
import { jobProcessor } from "./run-job.js";
import { JobStops } from "./job-stops.js";
import { StreamCredits } from "./stream-job.js";

const DEFAULT_CANCEL_GRACE = 1000;

export interface QueueWorkerOptions {
  connection: ConnectionOptions;
  queue: string;
  /** The tasks module (a path, relative to the current directory, or a URL). */
  tasks?: string | undefined;
  /**
   * Jobs taken at once. @defaultValue twice the pool's size: each pool worker has its next job
   * at hand when it finishes one, instead of waiting a Redis round trip for it.
   */
  concurrency?: number | undefined;
  /** Pool size. @defaultValue `cpuCount()` */
  threads?: number | undefined;
  /** Run tasks in child processes instead of worker threads. */
  processes?: boolean | undefined;
  /**
   * ms a task asked to stop (its timeout passed, its signal fired, its stream was let go) may take
   * to end — its generator's `finally` to run — before its pool worker is terminated. Longer than
   * the local pools' 50 ms: on a busy worker machine the stop request itself can take that long to
   * reach the pool's thread, and a thread terminated first never runs the generator's `finally`.
   * @defaultValue `1000`
   */
  cancelGrace?: number | undefined;
  /** Never run tasks on the worker's own thread, however short. @defaultValue `false` */
  poolOnly?: boolean | undefined;
  allowFunctionSource?: boolean | undefined;
  prefix?: string | undefined;
  /** BullMQ: ms a job's lock lasts without renewal (a dead worker's jobs are re-run after it). */
  lockDuration?: number | undefined;
  /** BullMQ: ms between checks for stalled jobs. */
  stalledInterval?: number | undefined;
  /** BullMQ: how often a job may stall (its worker die) before it fails. @defaultValue `1` */
  maxStalledCount?: number | undefined;
}

export interface QueueWorker {
  readonly pool: Executor;
  readonly concurrency: number;
  /** Jobs running now. */
  readonly active: number;
  /** Stops taking jobs, lets the running ones finish, then closes everything. */
  close(): Promise<void>;
}

/** Starts a worker; resolves once it is connected and taking jobs. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const prefix = options.prefix ?? "bull";
  const tasksUrl = options.tasks === undefined ? undefined : toUrl(options.tasks);
  const size = options.threads ?? cpuCount();
  const poolOptions = { maxWorkers: size, tasks: tasksUrl, cancelGrace: options.cancelGrace ?? DEFAULT_CANCEL_GRACE };
  const pool: Executor = options.processes ? new ProcessPoolExecutor(poolOptions) : new ThreadPoolExecutor(poolOptions);
  const concurrency = options.concurrency ?? 2 * pool.maxWorkers;
  const router = new TaskRouter(options.poolOnly !== true);
  const redis = duplicate(options.connection);
  const credits = new StreamCredits();
  const stops = new JobStops();
  const runJob = jobProcessor({ pool, router, redis, credits, stops, tasksUrl, allowFunctionSource: options.allowFunctionSource === true });
  let active = 0;

  const worker = new BullWorker(
    options.queue,
    // Two parameters: BullMQ then makes no AbortController per job (JobStops makes signals on demand).
    (job) => {
      active++;
      let r: ReturnType<typeof runJob>;
      try {
        r = runJob(job);
      } catch (error) {
        active--;
        throw error;
      }
      if (!(r instanceof Promise)) {
        active--;
        // BullMQ awaits what the processor returns: a value as it is spares a promise per job.
        return r as unknown as Promise<JobReturn>;
      }
      return r.finally(() => active--);
    },
    {
      connection: options.connection,
      prefix,
      concurrency,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    },
  );
  worker.on("error", () => {}); // connection errors: BullMQ reconnects

  // Executors publish "stop this job" requests and stream credit; the worker running it acts.
  const subscriber = duplicate(options.connection);
  subscriber.on("message", (_channel: string, message: string) => {
    let m: { id?: unknown; reason?: unknown; credit?: unknown };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return; // not a message of ours
    }
    if (typeof m.id !== "string") return;
    if (typeof m.credit === "number") credits.grant(m.id, m.credit);
    else stops.abort(m.id, String(m.reason));
  });
  await subscriber.subscribe(controlChannel(prefix, options.queue));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    pool,
    concurrency,
    get active() {
      return active;
    },
    close() {
      closing ??= (async () => {
        await worker.close();
        await subscriber.quit().catch(() => subscriber.disconnect());
        await redis.quit().catch(() => redis.disconnect());
        await pool.shutdown();
      })();
      return closing;
    },
  };
}

/** A connection of our own (BullMQ's options, or a copy of a given client). */
function duplicate(connection: ConnectionOptions): Redis {
  const c = connection as Record<string, unknown> & { duplicate?: () => Redis };
  const client = typeof c.duplicate === "function" ? c.duplicate() : new Redis({ ...c, maxRetriesPerRequest: null } as RedisOptions & { replyMapping?: never });
  client.on("error", () => {});
  return client;
}

/** `--tasks`: a URL stays a URL; a path resolves against the current directory (as the pools do). */
function toUrl(spec: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(spec) && !isAbsolute(spec)) return new URL(spec).href;
  return pathToFileURL(resolve(spec)).href;
}
