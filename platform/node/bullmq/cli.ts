/**
 * `isofutures worker`: runs the jobs of a QueueExecutor's queue on this machine.
 *
 *   npx isofutures worker --redis redis://127.0.0.1:6379 --queue jobs --tasks ./tasks.js
 * @internal
 * @module
 */
import { parseArgs } from "node:util";

const USAGE = `usage: isofutures worker --redis URL --queue NAME [options]

Runs the jobs of a QueueExecutor's queue on this machine, on a local pool.

  --redis URL               Redis, e.g. redis://127.0.0.1:6379 (required)
  --queue NAME              the queue's name, as given to the QueueExecutor (required)
  --tasks FILE              the tasks module (else each job names the executor's tasks option)
  --threads N               pool size (default: cpuCount())
  --concurrency N           jobs taken at once (default: twice the pool size, so that each
                            pool worker has its next job at hand; more helps tiny tasks)
  --process                 run tasks in child processes instead of worker threads
  --pool-only               never run a task on this process's own thread (by default, tasks
                            measured at well under 1 ms run there: the hop to the pool costs more)
  --cancel-grace MS         how long a task asked to stop (its timeout, its signal, a stream let go)
                            may take to end before its pool worker is terminated (default 1000)
  --allow-function-source   also run functions sent as source (anyone who can write to the queue could run code)
  --prefix P                BullMQ's key prefix (default "bull")
  --lock-duration MS        a job's lock: a dead worker's jobs run again after it (default 30000)
  --stalled-interval MS     how often stalled jobs are looked for (default 30000)
  --max-stalled-count N     times a job may lose its worker before it fails (default 1)

SIGTERM or Ctrl-C: take no new jobs, finish the running ones, exit. A second one exits at once.`;

function fail(problem: string): never {
  process.stderr.write(`isofutures worker: ${problem}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] !== "worker") {
    if (argv.includes("--help") || argv.length === 0) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(argv.length === 0 ? 2 : 0);
    }
    fail(`unknown command ${JSON.stringify(argv[0])}; the command is "worker"`);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.slice(1),
      options: {
        redis: { type: "string" },
        queue: { type: "string" },
        tasks: { type: "string" },
        threads: { type: "string" },
        concurrency: { type: "string" },
        process: { type: "boolean" },
        "pool-only": { type: "boolean" },
        "cancel-grace": { type: "string" },
        "allow-function-source": { type: "boolean" },
        prefix: { type: "string" },
        "lock-duration": { type: "string" },
        "stalled-interval": { type: "string" },
        "max-stalled-count": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const redis = values.redis as string | undefined;
  const queue = values.queue as string | undefined;
  if (!redis) fail("--redis URL is required");
  if (!queue) fail("--queue NAME is required");
  let url: URL;
  try {
    url = new URL(redis);
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error();
  } catch {
    fail(`--redis must be a redis:// URL, got ${JSON.stringify(redis)}`);
  }
  // bullmq and ioredis are optional peer dependencies: loaded only now, with a clear error if absent.
  let loaded: [typeof import("./queue-executor.js"), typeof import("./queue-worker.js")];
  try {
    loaded = await Promise.all([import("./queue-executor.js"), import("./queue-worker.js")]);
  } catch (error) {
    const missing = /Cannot find (package|module) '(bullmq|ioredis)'/.exec(String((error as Error)?.message))?.[2];
    if (!missing) throw error;
    process.stderr.write(`isofutures worker: needs the packages bullmq and ioredis, and ${missing} is not installed here: npm install bullmq ioredis\n`);
    process.exit(1);
  }
  const [{ redisOptions }, { startQueueWorker }] = loaded;
  const worker = await startQueueWorker({
    connection: redisOptions(url),
    queue,
    tasks: values.tasks as string | undefined,
    threads: integer(values.threads as string | undefined, "threads", 1),
    concurrency: integer(values.concurrency as string | undefined, "concurrency", 1),
    processes: values.process === true,
    poolOnly: values["pool-only"] === true,
    cancelGrace: integer(values["cancel-grace"] as string | undefined, "cancel-grace", 0),
    allowFunctionSource: values["allow-function-source"] === true,
    prefix: values.prefix as string | undefined,
    lockDuration: integer(values["lock-duration"] as string | undefined, "lock-duration", 1),
    stalledInterval: integer(values["stalled-interval"] as string | undefined, "stalled-interval", 1),
    maxStalledCount: integer(values["max-stalled-count"] as string | undefined, "max-stalled-count", 0),
  });
  const where = `${url.protocol}//${url.host}`;
  process.stdout.write(
    `isofutures worker ${process.pid}: queue "${queue}" on ${where}, ${worker.pool.maxWorkers} ${values.process ? "processes" : "threads"}, ${worker.concurrency} jobs at once${values.tasks ? `, tasks ${values.tasks as string}` : ""}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stdout.write(`isofutures worker ${process.pid}: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`isofutures worker ${process.pid}: ${signal}: taking no new jobs, finishing ${worker.active} running\n`);
    worker.close().then(
      () => {
        process.stdout.write(`isofutures worker ${process.pid}: stopped\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`isofutures worker ${process.pid}: could not stop cleanly: ${(error as Error)?.message ?? error}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`isofutures worker: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
