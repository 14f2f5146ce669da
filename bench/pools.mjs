// One adapter per pool, all with the same shape, so that a scenario is written once:
//
//   const open = await loadPool(name);   // imports the library (not timed)
//   const pool = open();                 // constructs a pool of 2 workers (threads or processes)
//   await pool.submit(task, arg, transferList?)   // task: "echo" | "roundtrip" | "copy" | "burn"
//   await pool.close()
//
// `roundtrip` moves an ArrayBuffer to the worker (transferList) and back (each library's own way of
// marking a result as transferable); `copy` clones it both ways.
//
// The `-process` pools run their 2 workers as child processes: they are
// compared with each other, `isofutures-process` being their reference.
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const WORKERS = 2;
const here = (rel) => new URL(rel, import.meta.url);
const path = (rel) => fileURLToPath(here(rel));

/**
 * `ISOFUTURES_BASELINE=<folder of another build of the package>` adds the pools `baseline` and
 * `baseline-process`: this build against that one, in the same run (a change to a hot path).
 */
const BASELINE = process.env.ISOFUTURES_BASELINE;

export const POOLS = [
  "isofutures",
  ...(BASELINE ? ["baseline"] : []),
  "raw",
  "raw-batched",
  "piscina",
  "tinypool",
  "poolifier",
  "workerpool",
  "threads",
  "isofutures-process",
  ...(BASELINE ? ["baseline-process"] : []),
  "workerpool-process",
  "tinypool-process",
];

/** The pools whose workers are child processes. */
export const PROCESS_POOLS = POOLS.filter((p) => p.endsWith("-process"));

/** `"process"` or `"thread"`: what a pool's workers are. */
export const kindOf = (pool) => (PROCESS_POOLS.includes(pool) ? "process" : "thread");

/** What a pool cannot do like the others; printed under the table. */
export const POOL_NOTES = {
  poolifier: "poolifier has no way to transfer a task's result: `transfer` moves the buffer in and copies it back",
};

function importIsofutures(pool) {
  if (!pool.startsWith("baseline")) return import("isofutures");
  return import(pathToFileURL(join(resolve(BASELINE), "dist", "node", "index.js")).href);
}

export async function loadPool(name) {
  switch (name) {
    case "isofutures":
    case "baseline": {
      const { ThreadPoolExecutor, transfer } = await importIsofutures(name);
      return () => {
        const pool = new ThreadPoolExecutor({ maxWorkers: WORKERS, tasks: here("./tasks.mjs") });
        return {
          submit: (task, arg, transferList) =>
            pool.submit(task, transferList ? transfer(arg, transferList) : arg),
          map: (task, items) => pool.map(task, items),
          close: () => pool.shutdown(),
        };
      };
    }
    case "isofutures-process":
    case "baseline-process": {
      const { ProcessPoolExecutor, transfer } = await importIsofutures(name);
      if (typeof ProcessPoolExecutor !== "function") {
        throw new Error("this build of isofutures does not export ProcessPoolExecutor");
      }
      return () => {
        // `transfer()` is accepted by a process pool, which copies the buffer.
        const pool = new ProcessPoolExecutor({ maxWorkers: WORKERS, tasks: here("./tasks.mjs") });
        return {
          submit: (task, arg, transferList) =>
            pool.submit(task, transferList ? transfer(arg, transferList) : arg),
          map: (task, items) => pool.map(task, items),
          close: () => pool.shutdown(),
        };
      };
    }
    case "raw":
    case "raw-batched": {
      const { RawPool } = await import("./raw-pool.mjs");
      const batched = name === "raw-batched";
      return () => {
        const pool = new RawPool({ size: WORKERS, batched });
        return {
          submit: (task, arg, transferList) => pool.submit(task, arg, transferList),
          map: batched ? (task, items) => chunkedMap(pool, items) : undefined,
          close: () => pool.close(),
        };
      };
    }
    case "piscina": {
      const { Piscina } = await import("piscina");
      return () => {
        const pool = new Piscina({
          filename: here("./workers/piscina.mjs").href,
          minThreads: WORKERS,
          maxThreads: WORKERS,
        });
        return {
          submit: (task, arg, transferList) =>
            pool.run(arg, transferList ? { name: task, transferList } : { name: task }),
          close: () => pool.destroy(),
        };
      };
    }
    case "tinypool": {
      const { Tinypool } = await import("tinypool");
      return () => {
        const pool = new Tinypool({
          filename: here("./workers/tinypool.mjs").href,
          minThreads: WORKERS,
          maxThreads: WORKERS,
        });
        return {
          submit: (task, arg, transferList) =>
            pool.run(arg, transferList ? { name: task, transferList } : { name: task }),
          close: () => pool.destroy(),
        };
      };
    }
    case "poolifier": {
      const { FixedThreadPool } = await import("poolifier");
      return () => {
        const pool = new FixedThreadPool(WORKERS, path("./workers/poolifier.mjs"), {
          errorHandler: (e) => console.error(e),
        });
        return {
          submit: (task, arg, transferList) => pool.execute(arg, task, undefined, transferList),
          close: () => pool.destroy(),
        };
      };
    }
    case "workerpool": {
      const { default: workerpool } = await import("workerpool");
      return () => {
        const pool = workerpool.pool(path("./workers/workerpool.mjs"), {
          maxWorkers: WORKERS,
          workerType: "thread",
        });
        return {
          submit: (task, arg, transferList) =>
            pool.exec(task, [arg], transferList ? { transfer: transferList } : undefined),
          close: () => pool.terminate(),
        };
      };
    }
    case "workerpool-process": {
      const { default: workerpool } = await import("workerpool");
      return () => {
        const pool = workerpool.pool(path("./workers/workerpool.mjs"), {
          maxWorkers: WORKERS,
          workerType: "process",
        });
        return {
          submit: (task, arg) => pool.exec(task, [arg]),
          close: () => pool.terminate(),
        };
      };
    }
    case "tinypool-process": {
      const { Tinypool } = await import("tinypool");
      return () => {
        const pool = new Tinypool({
          filename: here("./workers/tinypool.mjs").href,
          minThreads: WORKERS,
          maxThreads: WORKERS,
          runtime: "child_process",
        });
        return {
          submit: (task, arg) => pool.run(arg, { name: task }),
          close: () => pool.destroy(),
        };
      };
    }
    case "threads": {
      const { spawn, Pool, Worker, Transfer } = await import("threads");
      return () => {
        const pool = Pool(() => spawn(new Worker("./workers/threads.mjs")), WORKERS);
        return {
          submit: (task, arg, transferList) =>
            pool.queue((w) => w[task](transferList ? Transfer(arg, transferList) : arg)),
          close: () => pool.terminate(true),
        };
      };
    }
    default:
      throw new Error(`unknown pool ${JSON.stringify(name)} (known: ${POOLS.join(", ")})`);
  }
}

/**
 * What one would write by hand for `map` on the batched baseline: the input cut into chunks of the
 * size isofutures picks by default (about 16 per worker), all submitted at once, results yielded in
 * order.
 */
async function* chunkedMap(pool, items) {
  const size = Math.min(65536, Math.max(1, Math.ceil(items.length / (16 * WORKERS))));
  const chunks = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(pool.submit("incChunk", items.slice(i, i + size)));
  }
  for (const c of chunks) {
    for (const v of await c) yield v;
  }
}
