// The HTTP service: routes, admission control (a bounded queue that answers 503 + Retry-After),
// per-request time limits, client disconnect → the task is stopped, and graceful shutdown.
// The heavy work runs on one executor whose kind is a flag: "inline" (the event loop), "thread"
// (worker_threads) or "process" (child processes); the code is the same for all three.
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ShutdownError, TimeoutError, cpuCount, createExecutor } from "isofutures";
import { HttpError, TILE_PATH, hashArgs, readBody, tileArgs, validateArgs, validationResponse } from "./requests.mjs";

const TASKS = new URL("./tasks.mjs", import.meta.url);
export const EXECUTORS = ["inline", "thread", "process"];
const HASH_BODY_LIMIT = 16 * 1024;
const VALIDATE_BODY_LIMIT = 32 * 1024 * 1024;
const LOOP_SAMPLE_MS = 10; // monitorEventLoopDelay's timer period: it records intervals, delay + this

/**
 * @typedef {object} ServiceOptions
 * @property {"inline" | "thread" | "process"} [executor] - where the heavy work runs (default "thread").
 * @property {number} [workers] - pool size (default `cpuCount()`; always 1 inline).
 * @property {number} [maxQueue] - requests that may wait for a worker (default 2 × workers);
 *   beyond workers + maxQueue heavy requests in progress, the service answers 503.
 * @property {number} [timeout] - ms a task may run (default 10 000); past it, 504.
 * @property {number} [workerNice] - how much lower the pools' workers run than the event loop
 *   (a nice increment, 0 to 19; default 10; 0: same priority).
 */

/**
 * The resolved options of a service: defaults filled in.
 * @param {ServiceOptions} options
 */
function resolveOptions(options = {}) {
  const executor = options.executor ?? "thread";
  if (!EXECUTORS.includes(executor)) throw new TypeError(`executor must be one of ${EXECUTORS.join(", ")}, got ${executor}`);
  const workers = executor === "inline" ? 1 : (options.workers ?? cpuCount());
  const maxQueue = options.maxQueue ?? 2 * workers;
  const timeout = options.timeout ?? 10_000;
  const workerNice = options.workerNice ?? 10;
  return { executor, workers, maxQueue, timeout, workerNice };
}

/**
 * Makes the service (not listening yet).
 * @param {ServiceOptions} [options]
 * @returns the server, its executor, `listen(port, host)` (→ the URL), `close()` (graceful:
 *   resolves once in-flight requests are answered, the executor is shut down and the server is
 *   closed) and `stats()`.
 */
export function createService(options) {
  const config = resolveOptions(options);
  const { workers, maxQueue, timeout } = config;
  const capacity = workers + maxQueue;
  const executor = createExecutor({
    kind: config.executor,
    tasks: TASKS,
    maxWorkers: workers,
    minWorkers: workers,
    name: "service",
    ...(config.executor !== "inline" ? { initializer: "prepareWorker", initArgs: [config.workerNice] } : {}),
  });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  const delayMs = (ns) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
  loopDelay.enable();

  let inFlight = 0; // heavy requests admitted and not answered (reading their body, queued or running)
  let preparing = 0; // of which still reading their body (their task not submitted yet)
  let draining = false;
  let closing;
  let waiters = [];
  const changed = () => {
    const ready = waiters.filter((w) => w.check());
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  const until = (check) => (check() ? Promise.resolve() : new Promise((resolve) => waiters.push({ check, resolve })));
  const counts = { statuses: {}, aborted: 0 };
  const completions = []; // times of the last task completions, for Retry-After
  const retryAfter = () => {
    if (completions.length < 2) return 1;
    const perSecond = ((completions.length - 1) * 1000) / (completions.at(-1) - completions[0]);
    return Math.min(60, Math.max(1, Math.ceil(inFlight / perSecond)));
  };

  const send = (res, status, body, headers = {}) => {
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    const isBytes = body instanceof Uint8Array;
    const payload = isBytes ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      "content-type": isBytes ? "image/png" : "application/json; charset=utf-8",
      "content-length": payload.byteLength,
      ...(draining ? { connection: "close" } : {}),
      ...headers,
    });
    res.end(payload);
  };
  const unavailable = (res, message) => send(res, 503, { error: message }, { "retry-after": String(retryAfter()) });

  const stats = () => ({
    executor: config.executor,
    workers,
    maxQueue,
    capacity,
    timeout,
    inFlight,
    draining,
    pool: executor.stats(),
    responses: { ...counts.statuses },
    aborted: counts.aborted,
    // How late the event loop ran a timer due every 10 ms (perf_hooks.monitorEventLoopDelay).
    eventLoopDelayMs: {
      mean: delayMs(loopDelay.mean),
      p50: delayMs(loopDelay.percentile(50)),
      p99: delayMs(loopDelay.percentile(99)),
      max: delayMs(loopDelay.max),
    },
  });

  /** Runs one heavy request: admission, input, the task, the answer. */
  async function heavy(req, res, prepare, task, respond) {
    if (draining) return unavailable(res, "the service is shutting down");
    if (inFlight >= capacity) {
      return unavailable(res, `the service is at capacity: ${inFlight} requests in progress or queued (limit ${capacity})`);
    }
    inFlight++;
    preparing++;
    // The client going away stops its task: a queued one is cancelled, a running one stopped.
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) gone.abort(new Error("the client disconnected"));
    };
    res.on("close", onClose);
    try {
      let future;
      try {
        const args = await prepare();
        future = executor.submitWith({ timeout, signal: gone.signal }, task, ...args);
      } finally {
        preparing--; // submitted, or given up: either way no longer reading its body
        changed();
      }
      const result = await future;
      completions.push(performance.now());
      if (completions.length > 32) completions.shift();
      const { status, body } = respond(result);
      send(res, status, body);
    } catch (error) {
      if (gone.signal.aborted || !res.socket || res.socket.destroyed) counts.aborted++; // nobody to answer
      else if (error instanceof HttpError) send(res, error.status, { error: error.message, ...error.details }, error.headers);
      else if (error instanceof TimeoutError) send(res, 504, { error: `the work took longer than the limit of ${timeout} ms` });
      else if (error instanceof ShutdownError) unavailable(res, "the service is shutting down");
      else {
        console.error(`${req.method} ${req.url}:`, error);
        send(res, 500, { error: `the task failed: ${error?.message ?? String(error)}` });
      }
    } finally {
      res.off("close", onClose);
      inFlight--;
      changed();
    }
  }

  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const only = (method) => {
      if (req.method === method) return true;
      send(res, 405, { error: `${path} takes ${method}, not ${req.method}` }, { allow: method });
      return false;
    };
    let tile;
    if (path === "/health") {
      if (!only("GET")) return;
      if (draining) return unavailable(res, "the service is shutting down");
      return send(res, 200, { status: "ok" });
    }
    if (path === "/stats") return only("GET") && send(res, 200, stats());
    if (path === "/stats/reset") {
      if (!only("POST")) return;
      loopDelay.reset();
      counts.statuses = {};
      counts.aborted = 0;
      return send(res, 200, stats());
    }
    if (path === "/hash") {
      if (!only("POST")) return;
      return heavy(req, res, async () => hashArgs(await readBody(req, HASH_BODY_LIMIT)), "hashPassword", (r) => ({ status: 200, body: r }));
    }
    if (path === "/validate") {
      if (!only("POST")) return;
      return heavy(req, res, async () => validateArgs(await readBody(req, VALIDATE_BODY_LIMIT)), "validateDocument", validationResponse);
    }
    if ((tile = TILE_PATH.exec(path))) {
      if (!only("GET")) return;
      return heavy(req, res, async () => tileArgs(tile, url.searchParams), "renderTile", (png) => ({ status: 200, body: png }));
    }
    send(res, 404, { error: `no route ${req.method} ${path}; the routes are GET /health, POST /hash, GET /tile/{z}/{x}/{y}.png, POST /validate, GET /stats` });
  });

  return {
    server,
    executor,
    config: { ...config, capacity },
    stats,

    /**
     * Starts listening.
     * @param {number} [port] - 0 for any free port.
     * @param {string} [host]
     * @returns {Promise<string>} the service's URL.
     */
    listen(port = 3000, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address();
          resolve(`http://${host.includes(":") ? `[${host}]` : host}:${address.port}`);
        });
      });
    },

    /**
     * Graceful shutdown: from now on every new request gets 503 (and its connection is closed);
     * requests admitted before finish normally: those still sending their body submit their task,
     * then the executor is shut down with `shutdown({ wait: true })` (queued and running tasks run
     * to the end), their answers are sent, and the server closes.
     * @returns {Promise<void>}
     */
    close() {
      closing ??= (async () => {
        draining = true;
        await until(() => preparing === 0);
        await executor.shutdown({ wait: true });
        await until(() => inFlight === 0);
        await new Promise((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // A connection still busy (a client slow to read its answer) gets a few seconds.
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        });
        loopDelay.disable();
      })();
      return closing;
    },

    /** Stops at once: running tasks are killed, their requests get no answer. */
    async terminate() {
      draining = true;
      await executor.terminate();
      server.closeAllConnections();
      server.close();
      loopDelay.disable();
    },
  };
}
