// The command line of the service: flags → options, or a UsageError that says what is wrong.
import { parseArgs } from "node:util";
import { EXECUTORS } from "./service.mjs";

export const USAGE = `usage: node demo/node-service/main.mjs [flags]   (or: npm run demo:service -- [flags])

  --executor inline|thread|process  where the CPU-heavy work runs (default: thread)
                                    inline: on the event loop; thread: a ThreadPoolExecutor;
                                    process: a ProcessPoolExecutor
  --workers N        pool size (default: cpuCount(); inline always runs one task at a time)
  --max-queue N      heavy requests that may wait for a worker (default: 2 × workers); past
                     workers + N in progress, requests get 503 with Retry-After
  --timeout MS       time limit of one task, in ms (default: 10000); past it, 504
  --worker-nice N    run pool workers N nice levels below the event loop (0 to 19, default: 10;
                     0 keeps them equal), so that busy workers never delay it
  --port N           port on 127.0.0.1 (default: 3000; 0 picks a free one)
  --host ADDRESS     address to listen on (default: 127.0.0.1)
  --help             this text`;

/** A bad command line: the message names the flag. */
export class UsageError extends Error {
  name = "UsageError";
}

/**
 * Parses the service's flags.
 * @param {string[]} argv - the arguments after the script.
 * @returns {{ help: true } | { help: false, port: number, host: string,
 *   service: import("./service.mjs").ServiceOptions }}
 * @throws {UsageError}
 */
export function parseFlags(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        executor: { type: "string" },
        workers: { type: "string" },
        "max-queue": { type: "string" },
        timeout: { type: "string" },
        "worker-nice": { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) return { help: true };
  const executor = values.executor ?? "thread";
  if (!EXECUTORS.includes(executor)) throw new UsageError(`--executor must be one of ${EXECUTORS.join(", ")} (got "${executor}")`);
  const service = { executor };
  if (values.workers !== undefined) {
    service.workers = integer("--workers", values.workers, 1, 1024);
    if (executor === "inline" && service.workers !== 1) throw new UsageError("--workers does not apply to --executor inline, which runs one task at a time");
  }
  if (values["max-queue"] !== undefined) service.maxQueue = integer("--max-queue", values["max-queue"], 0, 1_000_000);
  if (values.timeout !== undefined) service.timeout = integer("--timeout", values.timeout, 1, 3_600_000);
  if (values["worker-nice"] !== undefined) service.workerNice = integer("--worker-nice", values["worker-nice"], 0, 19);
  const port = values.port === undefined ? 3000 : integer("--port", values.port, 0, 65535);
  const host = values.host ?? "127.0.0.1";
  if (host === "") throw new UsageError("--host must not be empty");
  return { help: false, port, host, service };
}

function integer(flag, text, min, max) {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be an integer from ${min} to ${max} (got "${text}")`);
  return n;
}
