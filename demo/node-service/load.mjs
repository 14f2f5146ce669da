// A load run against the real service: it is started as a child process, one heavy endpoint is
// driven at saturation by autocannon while a second client polls /health, every response is
// checked, and the service is stopped with SIGTERM. Used by the bench and by the test suite.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { sampleOrders } from "./orders.mjs";

const MAIN = fileURLToPath(new URL("./main.mjs", import.meta.url));

/**
 * The heavy endpoints as a load generator sees them: one request, and a check of each answer.
 * `check(status, body, headers)` returns what is wrong with a 200 answer, or "" when it is right.
 */
export const SCENARIOS = {
  hash: {
    describe: "POST /hash (scrypt, N = 16384, r = 8)",
    request: () => ({
      method: "POST",
      path: "/hash",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: "correct horse battery staple", salt: "5eed5eed5eed5eed" }),
    }),
    check: (body) => (/"hash":"[0-9a-f]{64}"/.test(body) ? "" : "no 64-digit hex hash in the answer"),
  },
  tile: {
    describe: "GET /tile/2/1/1.png?iter=1000 (a 256 × 256 Mandelbrot tile as PNG)",
    request: () => ({ method: "GET", path: "/tile/2/1/1.png?iter=1000" }),
    check: (body, headers) =>
      headers["content-type"] !== "image/png" ? "not image/png" : body.slice(1, 4) !== "PNG" || !body.includes("IEND") ? "not a whole PNG file" : "",
  },
  validate: {
    describe: "POST /validate (2.5 MB of JSON: 10,000 orders parsed and checked)",
    request: () => ({
      method: "POST",
      path: "/validate",
      headers: { "content-type": "application/json" },
      body: (validateBody ??= JSON.stringify(sampleOrders(10_000))),
    }),
    check: (body) => (body.startsWith('{"valid":true,"orders":10000,') ? "" : `not the expected result: ${body.slice(0, 80)}`),
  },
};
let validateBody;

/**
 * Starts the service (`main.mjs --port 0 ...args`) as a child process.
 * @param {string[]} args - more flags.
 * @param {{ timeout?: number, detached?: boolean }} [options] - `timeout`: ms to wait for it to
 *   listen (default 20 000); `detached`: in a process group of its own, as in a terminal.
 * @returns {Promise<{ url: string, pid: number, output: () => string,
 *   exited: Promise<{ code: number | null, signal: string | null }> }>}
 */
export function startService(args = [], { timeout = 20_000, detached = false } = {}) {
  const child = spawn(process.execPath, [MAIN, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], detached });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the service did not start within ${timeout} ms:\n${output}`));
    }, timeout);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], pid: child.pid, output: () => output, exited });
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
}

/**
 * The fields of /proc/`pid`/stat after the command name (state, ppid, …), or null when it cannot be
 * read (no such process, or no /proc). The name may hold spaces and parentheses: split after the last ")".
 * @param {number | string} pid
 * @returns {string[] | null}
 */
function statFields(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * Process ids of the live children of `pid` (Linux: read from /proc; elsewhere an empty list).
 * @param {number} pid
 * @returns {number[]}
 */
export function childPids(pid) {
  if (!existsSync("/proc/self/stat")) return [];
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry); // null: gone meanwhile
    if (fields && Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(entry));
  }
  return out;
}

/**
 * CPU seconds used so far by the whole machine (busy time over all CPUs) and by the processes
 * `pids` (all their threads, and their children already reaped). Linux only: null elsewhere.
 * @param {number[]} pids
 */
function cpuSeconds(pids) {
  if (!existsSync("/proc/stat")) return null;
  const n = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = n[0] + n[1] + n[2] + n[5] + n[6] + n[7]; // user nice system irq softirq steal
  let own = 0;
  for (const pid of pids) {
    const f = statFields(pid); // null: gone meanwhile
    if (f) own += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  }
  const HZ = 100; // USER_HZ, the unit of /proc times
  return { busy: busy / HZ, own: own / HZ };
}

/** Is a process with this id alive (and not a zombie)? */
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const fields = statFields(pid);
  return fields ? fields[0] !== "Z" : true; // no /proc: trust kill(0)
}

/**
 * Sends SIGTERM to a service started by `startService` and waits for it to exit.
 * @param {{ pid: number, output: () => string, exited: Promise<{ code: number | null, signal: string | null }> }} service
 * @param {number} ms - how long to wait for the exit.
 * @returns {Promise<{ code: number | null, signal: string | null }>} its exit; rejects (with its
 *   output) when it has not exited within `ms`.
 */
export function stopService(service, ms) {
  process.kill(service.pid, "SIGTERM"); // throws at once if there is no such process
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the service did not exit within ${ms} ms:\n${service.output()}`)), ms);
  });
  return Promise.race([service.exited, limit]).finally(() => clearTimeout(timer));
}

/**
 * One HTTP request with a time limit.
 * @returns {Promise<{ status: number, headers: import("node:http").IncomingHttpHeaders, body: Buffer, ms: number }>}
 */
export function fetchRaw(url, { method = "GET", body, agent, timeout = 30_000, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method, agent, headers, timeout }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within ${timeout} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** GET /stats of a service. */
export async function getStats(url) {
  const { status, body } = await fetchRaw(`${url}/stats`);
  if (status !== 200) throw new Error(`GET /stats: ${status} ${body}`);
  return JSON.parse(body.toString());
}

/**
 * Polls /stats until `check(stats)` holds, or throws after `timeout` ms.
 * @returns {Promise<object>} the stats that passed.
 */
export async function statsUntil(url, check, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const stats = await getStats(url);
    if (check(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HEALTH_INTERVAL_MS = 20;
const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

/** Polls GET /health every `intervalMs` on one keep-alive connection until `stop()`; checks each answer. */
function pollHealth(url, intervalMs) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  const problems = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const tick = performance.now();
      try {
        const r = await fetchRaw(`${url}/health`, { agent, timeout: 10_000 });
        latencies.push(r.ms);
        if (r.status !== 200 || r.body.toString() !== '{"status":"ok"}') problems.push(`/health: ${r.status} ${r.body}`);
      } catch (error) {
        problems.push(`/health: ${error.message}`);
      }
      const wait = intervalMs - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    agent.destroy();
  })();
  return {
    async stop() {
      running = false;
      await done;
      const sorted = latencies.slice().sort((a, b) => a - b);
      return { count: latencies.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, problems };
    },
  };
}

/**
 * Drives `endpoint` of a running service with autocannon at `connections` concurrent requests for
 * `duration` s (at most `rate` requests/s in all, when given) while /health is polled, and checks
 * every answer: 200 with a right body, or 503 with a Retry-After and a JSON error. Anything else
 * is a problem.
 */
async function drive(url, endpoint, { connections, duration, rate, pids = () => [process.pid] }) {
  const scenario = SCENARIOS[endpoint];
  if (!scenario) throw new Error(`no scenario ${endpoint}`);
  const problems = [];
  const note = (p) => problems.length < 20 && problems.push(p);
  let ok = 0;
  let rejected = 0;
  const overallRate = rate ? Math.max(1, Math.round(rate)) : undefined;
  const health = pollHealth(url, HEALTH_INTERVAL_MS);
  const cpuBefore = cpuSeconds(pids());
  const wallBefore = performance.now();
  const result = await autocannon({
    url,
    connections,
    duration,
    ...(overallRate ? { overallRate } : {}),
    timeout: 30,
    excludeErrorStats: true, // latency of the 200s only
    requests: [
      {
        ...scenario.request(),
        onResponse(status, body, _context, headers) {
          if (status === 200) {
            const wrong = scenario.check(body, headers);
            if (wrong) note(`${endpoint} 200: ${wrong}`);
            else ok++;
          } else if (status === 503) {
            if (!/^[1-9]\d*$/.test(headers["retry-after"] ?? "")) note(`503 without a valid Retry-After: ${headers["retry-after"]}`);
            else if (!/^\{"error":"/.test(body)) note(`503 without a JSON error: ${body.slice(0, 80)}`);
            else rejected++;
          } else note(`${endpoint}: unexpected status ${status}: ${body.slice(0, 120)}`);
        },
      },
    ],
  });
  const cpuAfter = cpuSeconds(pids());
  const wall = (performance.now() - wallBefore) / 1000;
  const healthResult = await health.stop();
  if (result.errors > 0) note(`${result.errors} connection errors`);
  if (result.timeouts > 0) note(`${result.timeouts} requests timed out`);
  return {
    endpoint,
    connections,
    duration,
    rate: overallRate,
    ok,
    rejected,
    perSecond: ok / duration,
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
    errors: result.errors + result.timeouts,
    health: healthResult,
    // CPUs kept busy by other programs meanwhile (not the service, its workers or this process).
    otherCpus: cpuBefore && cpuAfter ? Math.max(0, cpuAfter.busy - cpuBefore.busy - (cpuAfter.own - cpuBefore.own)) / wall : NaN,
    problems: [...problems, ...healthResult.problems],
  };
}

/**
 * A whole load run: start the service with `executor`, warm it up, then for each phase drive
 * `endpoint` (its own event-loop figures: stats are reset before and read after, once the service
 * is idle again), and finally SIGTERM it and check that it exited cleanly with no child left.
 * @param {{ executor: string, endpoint: string, args?: string[],
 *   phases: { name: string, connections: number, duration: number,
 *             rate?: number | ((earlier: object[]) => number) }[] }} run - a phase's `rate` may
 *   be computed from the results of the phases before it.
 */
export async function loadRun({ executor, endpoint, phases, args = [] }) {
  const service = await startService(["--executor", executor, ...args]);
  try {
    const warm = SCENARIOS[endpoint].request();
    for (let i = 0; i < 4; i++) await fetchRaw(`${service.url}${warm.path}`, { method: warm.method, body: warm.body, headers: warm.headers });
    const results = [];
    let stats;
    for (const { name, connections, duration, rate } of phases) {
      await fetchRaw(`${service.url}/stats/reset`, { method: "POST" });
      const load = await drive(service.url, endpoint, {
        connections,
        duration,
        rate: typeof rate === "function" ? rate(results) : rate,
        pids: () => [process.pid, service.pid, ...childPids(service.pid)],
      });
      // Requests cut off when the run ends count as disconnected clients: their tasks are stopped.
      stats = await statsUntil(service.url, (s) => s.inFlight === 0 && s.pool.tasks.running === 0 && s.pool.tasks.queued === 0, "the service to be idle");
      results.push({ phase: name, ...load, loopDelay: stats.eventLoopDelayMs, aborted: stats.aborted });
    }
    const children = childPids(service.pid);
    const exit = await stopService(service, 10_000).catch(() => ({ code: null, signal: "did not exit within 10 s" }));
    const leftovers = children.filter(alive);
    return { executor, endpoint, workers: stats?.workers, capacity: stats?.capacity, phases: results, pool: stats?.pool, exit, leftovers, output: service.output() };
  } finally {
    try {
      process.kill(service.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
