/**
 * `QueueExecutor`: the Executor interface, and the same Futures, on a BullMQ queue in Redis.
 * @module
 */
import type { ConnectionOptions, JobsOptions } from "bullmq";
import { Executor, UnsupportedError, type AnyTasks } from "isofutures";
import { describe } from "../../../src/util/describe.js";
import type { WorkerFactory } from "../../../src/pool/endpoint.js";
import { findUnshareable } from "../../../src/shared/check.js";
import { checkOptions } from "../../../src/util/options.js";
import { resolveModule } from "../resolve.js";
import { QueueEngine } from "./engine.js";

/** Options of {@link QueueExecutor}. */
export interface QueueExecutorOptions {
  /**
   * Redis: a URL (`"redis://127.0.0.1:6379"`), or connection options as BullMQ takes them
   * (ioredis options). The executor opens its own connections and closes them on shutdown.
   */
  connection: string | ConnectionOptions;
  /** The queue's name; the workers are started with the same (`--queue`). */
  queue: string;
  /**
   * The tasks module, in the forms the local pools take: a path (resolved against the current
   * directory), a `file:` URL (`new URL("./tasks.js", import.meta.url)`) or a URL string. A `file:`
   * URL means that path on the workers: a worker started without `--tasks` imports it; one
   * started with `--tasks` checks that it serves the same module, and fails the job with an error
   * naming both if not. Tasks are always submitted by export name.
   */
  tasks?: string | URL | undefined;
  /**
   * BullMQ job options for every job (`attempts`, `backoff`, `priority`…). `attempts` > 1 re-runs
   * a task that throws (after `backoff`); its future gets the last attempt's outcome.
   * `removeOnComplete` / `removeOnFail` `true` (the default): a job leaves Redis once the executor
   * has its outcome, so that an outcome whose event the capped event stream dropped can still be
   * read from the job (a finished job nobody reads, its executor gone, is removed an hour later
   * by the next executor that removes jobs on the queue). Any other value is BullMQ's own rule;
   * an outcome lost with both its event and its job then fails its future with an error that
   * says so.
   * @defaultValue `{ removeOnComplete: true, removeOnFail: true }` (results do not pile up in Redis)
   */
  defaultJobOptions?: JobsOptions | undefined;
  /**
   * Allow submitting functions as source text. Off: anyone who can write to the queue could run
   * code on the workers. The workers must also be started with `--allow-function-source`.
   * @defaultValue `false`
   */
  allowFunctionSource?: boolean | undefined;
  /** The parallelism `map` plans its chunks for (the workers' total). @defaultValue `16` */
  maxWorkers?: number | undefined;
  /**
   * ms the connection to Redis may be lost before pending and running futures fail with
   * `BrokenExecutorError`. Within it, everything resumes where it was. `Infinity`: wait forever.
   * @defaultValue `30000`
   */
  reconnectWindow?: number | undefined;
  /** BullMQ's key prefix. @defaultValue `"bull"` */
  prefix?: string | undefined;
  /** Aborting it shuts the executor down, cancelling pending jobs. */
  signal?: AbortSignal | undefined;
}

const DEFAULT_MAX_WORKERS = 16;
const OPTIONS = ["connection", "queue", "tasks", "defaultJobOptions", "allowFunctionSource", "maxWorkers", "reconnectWindow", "prefix", "signal"];

/**
 * An executor whose tasks run on other machines: each task is a BullMQ job in Redis, run by a
 * worker started with `npx isofutures worker --redis URL --queue NAME --tasks FILE` on any
 * machine. `submit`, `map`, `stream`, `wait`, `asCompleted`, `cancel`, timeouts and signals work
 * as with a thread pool (a stream's values travel through Redis, bounded by the consumer's
 * credit); a future is `pending` while its job waits in Redis and `running` once a worker has
 * taken it. Delivery is at least once: a job whose worker dies is run again by another (a
 * stream is not: it fails with `WorkerCrashedError`).
 * @example
 * ```ts
 * const pool = new QueueExecutor({ connection: "redis://127.0.0.1:6379", queue: "render", tasks: new URL("./tasks.js", import.meta.url) });
 * console.log(await pool.submit("fib", 30));
 * await pool.shutdown();
 * ```
 */
export class QueueExecutor<M extends object = AnyTasks> extends Executor<M> {
  constructor(options: QueueExecutorOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`QueueExecutor(options): options must be an object such as { connection: "redis://127.0.0.1:6379", queue: "jobs" }, got ${describe(options)}`);
    }
    checkOptions(options, OPTIONS, "QueueExecutor");
    const { queue, tasks, allowFunctionSource = false, reconnectWindow = 30_000, prefix = "bull" } = options;
    if (typeof queue !== "string" || queue === "" || queue.includes(":")) {
      throw new TypeError(`QueueExecutor: queue must be a non-empty name without ":", got ${describe(queue)}`);
    }
    let tasksUrl: string | undefined;
    if (tasks !== undefined) {
      if ((typeof tasks !== "string" || tasks === "") && !(tasks instanceof URL)) {
        throw new TypeError(`QueueExecutor: tasks must be a URL or a path string (as for the local pools), got ${describe(tasks)}`);
      }
      tasksUrl = resolveModule(tasks);
    }
    if (typeof allowFunctionSource !== "boolean") throw new TypeError(`QueueExecutor: allowFunctionSource must be a boolean, got ${describe(allowFunctionSource)}`);
    if (typeof reconnectWindow !== "number" || !(reconnectWindow >= 0)) {
      throw new RangeError(`QueueExecutor: reconnectWindow must be a number of ms ≥ 0 (or Infinity), got ${describe(reconnectWindow)}`);
    }
    if (typeof prefix !== "string" || prefix === "") throw new TypeError(`QueueExecutor: prefix must be a non-empty string, got ${describe(prefix)}`);
    const defaultJobOptions = options.defaultJobOptions ?? {};
    if (typeof defaultJobOptions !== "object" || defaultJobOptions === null) {
      throw new TypeError(`QueueExecutor: defaultJobOptions must be an object of BullMQ job options, got ${describe(defaultJobOptions)}`);
    }
    if ((defaultJobOptions as { jobId?: unknown }).jobId !== undefined) {
      throw new TypeError("QueueExecutor: defaultJobOptions.jobId cannot be set: each task's job gets its own id");
    }
    const connection = toConnection(options.connection);
    super({ maxWorkers: options.maxWorkers, name: queue, signal: options.signal }, factory, {
      defaultMaxWorkers: () => DEFAULT_MAX_WORKERS,
      served: true,
      engine: (kit, settings) =>
        new QueueEngine(kit, settings, {
          connection,
          queue,
          prefix,
          tasks: tasksUrl,
          defaultJobOptions: { removeOnComplete: true, removeOnFail: true, ...defaultJobOptions },
          allowFunctionSource,
          reconnectWindow,
        }),
    });
  }
}

/** What the Executor core asks of a platform; a queue starts no workers of its own. */
const factory: WorkerFactory = {
  kind: "queue",
  sharedMemory: false,
  allowSource: true,
  resolveModule: (spec) => String(spec),
  checkArgs(args) {
    const found = findUnshareable(args);
    return found === undefined
      ? undefined
      : new UnsupportedError(`${found} cannot be passed to a QueueExecutor: its workers are other processes, on other machines. Pass the data itself.`);
  },
  spawn() {
    throw new Error("a QueueExecutor starts no workers: run `npx isofutures worker` where the work should happen");
  },
};

function toConnection(connection: unknown): ConnectionOptions {
  if (typeof connection === "string") {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw new TypeError(`QueueExecutor: connection must be a Redis URL such as "redis://127.0.0.1:6379", got ${describe(connection)}`);
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      throw new TypeError(`QueueExecutor: connection must be a redis:// or rediss:// URL, got ${describe(connection)}`);
    }
    return redisOptions(url);
  }
  if (typeof connection !== "object" || connection === null) {
    throw new TypeError(`QueueExecutor: connection must be a Redis URL or connection options, got ${describe(connection)}`);
  }
  return connection as ConnectionOptions;
}

/** ioredis options from a redis:// URL. */
export function redisOptions(url: URL): ConnectionOptions {
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname || "127.0.0.1",
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    // Come back quickly after an outage (BullMQ's default waits up to 20 s between tries).
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}
