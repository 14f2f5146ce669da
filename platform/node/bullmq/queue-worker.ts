/**
 * The worker side of a {@link QueueExecutor}: takes jobs from a BullMQ queue and runs each on a
 * local pool (threads, or processes), as many at once as the pool has workers.
 * @internal
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker as BullWorker, type ConnectionOptions, type Job } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { ProcessPoolExecutor, ThreadPoolExecutor, cpuCount, taskRef, type Executor } from "isofutures";
import { encodeError } from "../../../src/wire/error-codec.js";
import { DEF_EXPORT, DEF_SOURCE, KIND_MAP, KIND_STARMAP, type WireError } from "../../../src/wire/protocol.js";
import { JOB_FORMAT, cancelChannel, pack, unpack, type JobData, type JobReturn, type Outcome } from "./codec.js";

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
  const pool: Executor = options.processes
    ? new ProcessPoolExecutor({ maxWorkers: size, tasks: tasksUrl })
    : new ThreadPoolExecutor({ maxWorkers: size, tasks: tasksUrl });
  const concurrency = options.concurrency ?? 2 * pool.maxWorkers;
  const modules = new Map<string, string>();
  let active = 0;

  async function run(job: Job, _token: string | undefined, signal: AbortSignal | undefined): Promise<JobReturn> {
    active++;
    try {
      const data = job.data as JobData;
      if (data?.v !== JOB_FORMAT) {
        return result({ ok: false, error: encodeError(new TypeError(`this worker reads jobs of format ${JOB_FORMAT}; the job has format ${String(data?.v)}: run the same version of isofutures on both sides`)) });
      }
      const fn = target(data);
      if (fn instanceof Error) return result({ ok: false, error: encodeError(fn) });
      const args = unpack(data.a) as unknown[];
      const controls = { ...(data.t === undefined ? {} : { timeout: data.t }), ...(signal ? { signal } : {}) };
      if (data.k === KIND_MAP || data.k === KIND_STARMAP) {
        const items = args[0] as unknown[];
        const settled = await Promise.allSettled(
          items.map((item) => pool.submitWith(controls, fn as never, ...((data.k === KIND_STARMAP ? item : [item]) as never[]))),
        );
        const chunk: unknown[] = [];
        const errors: [number, WireError][] = [];
        settled.forEach((s, i) => {
          if (s.status === "fulfilled") chunk.push(s.value);
          else {
            chunk.push(undefined);
            errors.push([i, encodeError(s.reason)]);
          }
        });
        return result({ chunk, errors });
      }
      try {
        return result({ ok: true, value: await pool.submitWith(controls, fn as never, ...(args as never[])) });
      } catch (error) {
        // With attempts left, throw: BullMQ runs it again (after its backoff). Else it is the outcome.
        if (job.attemptsMade + 1 < (job.opts.attempts ?? 1) && !signal?.aborted) throw error;
        return result({ ok: false, error: encodeError(error) });
      }
    } finally {
      active--;
    }
  }

  // What to call: an export of the worker's tasks module, of the executor's (per job), or source.
  function target(data: JobData): unknown {
    const [kind, text] = data.fn;
    if (kind === DEF_SOURCE) {
      if (!options.allowFunctionSource) {
        return new TypeError("this worker does not run functions sent as source (start it with --allow-function-source to allow it); submit the task by its export name");
      }
      try {
        return (0, eval)(`(${text}\n)`) as unknown;
      } catch (error) {
        return new SyntaxError(`the function's source could not be compiled on the worker: ${(error as Error).message}`);
      }
    }
    if (kind !== DEF_EXPORT) return new TypeError(`this worker runs tasks by name; the job asked for a function of kind ${kind}`);
    if (tasksUrl !== undefined) return text;
    if (data.m === undefined) {
      return new TypeError(`task "${text}": this worker has no tasks module: start it with --tasks FILE, or give the QueueExecutor a tasks option`);
    }
    let url = modules.get(data.m);
    if (url === undefined) modules.set(data.m, (url = toUrl(data.m)));
    return taskRef(url, text);
  }

  const worker = new BullWorker(options.queue, run, {
    connection: options.connection,
    prefix,
    concurrency,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  });
  worker.on("error", () => {}); // connection errors: BullMQ reconnects

  // Executors publish "stop this job" requests; the worker running it aborts its signal.
  const c = options.connection as Record<string, unknown> & { duplicate?: () => Redis };
  const subscriber = typeof c.duplicate === "function" ? c.duplicate() : new Redis({ ...c, maxRetriesPerRequest: null } as RedisOptions & { replyMapping?: never });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, message: string) => {
    try {
      const { id, reason } = JSON.parse(message) as { id: string; reason: string };
      worker.cancelJob(id, reason);
    } catch {
      // not a message of ours
    }
  });
  await subscriber.subscribe(cancelChannel(prefix, options.queue));
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
        await pool.shutdown();
      })();
      return closing;
    },
  };
}

function result(outcome: Outcome): JobReturn {
  try {
    return { r: pack(outcome) };
  } catch (error) {
    const reason = new TypeError(`the task's result cannot be sent back through the queue: ${(error as Error).message}. Return structured-cloneable data`);
    return { r: pack({ ok: false, error: encodeError(reason) } satisfies Outcome) };
  }
}

function toUrl(spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) return spec; // a URL (not a Windows drive)
  if (spec.startsWith(".") || isAbsolute(spec) || spec.includes("/") || /\.[cm]?[jt]s$/.test(spec)) return pathToFileURL(resolve(spec)).href;
  return spec; // a package name
}
