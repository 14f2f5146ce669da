// The queue benchmark (part of `npm run bench`): a real redis-server on a free port, real worker
// processes. Measures
//   1. tiny-task throughput: isofutures QueueExecutor + `isofutures worker` vs a plain BullMQ
//      producer (Queue.add) + Worker (jobs run inline) + QueueEvents, same Redis, same run,
//      interleaved rep by rep, at each one's default concurrency and at 32;
//   2. CPU-bound scaling: the same CPU-heavy tasks on 1, then 2 `isofutures worker` processes.
// Prints each measurement as it is taken. Every child (redis-server, workers) is stopped on the
// way out: at the end, on an error, on SIGINT / SIGTERM; a measurement that stalls fails after
// STEP_MS instead of hanging.
//
//   node bench/queue/run.mjs [--quick]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { QueueExecutor } from "isofutures/bullmq";

const quick = process.argv.includes("--quick");
const TINY = quick ? 2000 : 5000;
const HEAVY = quick ? 8 : 24;
const REPS = quick ? 5 : 7;
// Fresh worker processes run slower until V8 optimises: both sides warm up first, long enough for
// the steady state of a running worker (measured, CPU per tiny job at concurrency 32: a fresh
// isofutures worker 110 µs after 500 jobs, 80 µs after 3,000; plain BullMQ's 100 → 85 µs).
const WARM = 3000;
const STEP_MS = 120_000;
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const CLI = here("../../dist/node/cli.js");
const TASKS = here("tasks.mjs");

const bin = [process.env.REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => p && existsSync(p));
if (!bin) {
  console.log("queue benchmark: skipped — no redis-server (apt-get install -y redis-server, or set REDIS_SERVER)");
  process.exit(0);
}

const children = new Set();
let dir;

/** Stops every child still running (SIGTERM, then SIGKILL after 3 s): the workers, then Redis. */
async function stopAll() {
  const [redis, ...workers] = children;
  await Promise.all(workers.map(stop));
  if (redis) await stop(redis);
  if (dir) rmSync(dir, { recursive: true, force: true });
}

async function stop(child) {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((ok) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(kill);
      ok();
    });
    child.kill("SIGTERM");
  });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    console.log(`\nqueue benchmark: ${signal}, stopping redis-server and the workers`);
    stopAll().finally(() => process.exit(130));
  });
}

function start(args, ready) {
  const child = spawn(args[0], args.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let seen = "";
    const on = (c) => {
      seen += c;
      if (ready.test(seen)) resolve(child);
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("exit", (code) => reject(new Error(`${args.slice(0, 2).join(" ")} exited (${code}): ${seen}`)));
  });
}

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** `promise`, or an error naming `what` after STEP_MS. */
function bounded(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${STEP_MS / 1000} s`)), STEP_MS)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

let url;
let port;
let queueNo = 0;

const isofuturesWorker = (queue, threads, extra = []) =>
  start([process.execPath, CLI, "worker", "--redis", url, "--queue", queue, "--tasks", TASKS, "--threads", String(threads), ...extra], /^isofutures worker \d+: queue/m);

// 1. Tiny tasks
async function tinyIsofutures(concurrency) {
  const queue = `tiny${++queueNo}`;
  const w = await isofuturesWorker(queue, 2, concurrency ? ["--concurrency", String(concurrency)] : []);
  const ex = new QueueExecutor({ connection: url, queue });
  try {
    await Promise.all(Array.from({ length: WARM }, (_, i) => ex.submit("add", i, 1))); // warm up: JIT, pool threads, the fast path
    const t0 = performance.now();
    await Promise.all(Array.from({ length: TINY }, (_, i) => ex.submit("add", i, 1)));
    return TINY / ((performance.now() - t0) / 1000);
  } finally {
    await ex.shutdown();
    await stop(w);
  }
}

async function tinyBullmq(concurrency) {
  const queue = `plain${++queueNo}`;
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const w = await start([process.execPath, here("bullmq-worker.mjs"), String(port), queue, String(concurrency)], /ready/);
  // The event stream is capped (10,000 by default): a full run's burst would push completions out
  // before QueueEvents reads them, and the count below would never be reached.
  const q = new Queue(queue, { connection, streams: { events: { maxLen: 100_000 } } });
  // From the queue's first event on (a fresh queue): QueueEvents' default, "$", drops the events
  // written before its first read, and the count below would then never be reached.
  const events = new QueueEvents(queue, { connection, lastEventId: "0-0" });
  for (const client of [q, events]) client.on("error", () => {}); // Redis going away on SIGINT: said once, above
  // Completions may be read before `add` returns the job's id: both sides are noted.
  const completed = new Set();
  let missing = new Set();
  let done;
  events.on("completed", ({ jobId }) => {
    completed.add(jobId);
    if (missing.delete(jobId) && missing.size === 0) done();
  });
  const run = async (n) => {
    const finished = new Promise((resolve) => (done = resolve));
    const jobs = await Promise.all(Array.from({ length: n }, (_, i) => q.add("add", { a: i, b: 1 }, { removeOnComplete: true })));
    missing = new Set(jobs.map((job) => job.id).filter((id) => !completed.has(id)));
    if (missing.size === 0) done();
    await finished;
  };
  try {
    await events.waitUntilReady();
    await run(WARM); // warm up
    const t0 = performance.now();
    await run(TINY);
    return TINY / ((performance.now() - t0) / 1000);
  } finally {
    await events.close();
    await q.close();
    await stop(w);
  }
}

// 2. CPU-bound scaling
async function heavy(workers) {
  const queue = `heavy${++queueNo}`;
  const ws = [];
  for (let i = 0; i < workers; i++) ws.push(await isofuturesWorker(queue, 1));
  const ex = new QueueExecutor({ connection: url, queue });
  try {
    await Promise.all(Array.from({ length: workers * 2 }, () => ex.submit("burn", 5))); // warm up
    const t0 = performance.now();
    await Promise.all(Array.from({ length: HEAVY }, () => ex.submit("burn", 40)));
    return performance.now() - t0;
  } finally {
    await ex.shutdown();
    for (const w of ws) await stop(w);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (x) => `${Math.round(x).toLocaleString("en")} tasks/s`;

const CASES = [
  ["iso", "QueueExecutor + isofutures worker (2 threads, default: 4 jobs at once)", () => tinyIsofutures(), rate],
  ["plain", "plain BullMQ Queue.add + Worker (concurrency 2) + QueueEvents", () => tinyBullmq(2), rate],
  ["iso32", "isofutures worker --concurrency 32", () => tinyIsofutures(32), rate],
  ["plain32", "plain BullMQ Worker concurrency 32", () => tinyBullmq(32), rate],
  ["one", `CPU-bound: ${HEAVY} tasks on 1 worker process (1 thread)`, () => heavy(1), (ms) => `${Math.round(ms)} ms`],
  ["two", `CPU-bound: ${HEAVY} tasks on 2 worker processes (1 thread each)`, () => heavy(2), (ms) => `${Math.round(ms)} ms`],
];

async function main() {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "isofutures-bench-redis-"));
  await start([bin, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], /Ready to accept connections/);
  url = `redis://127.0.0.1:${port}`;
  console.log(`queue benchmark: redis-server on ${url}, ${REPS} reps of ${TINY} tiny tasks and ${HEAVY} CPU-bound ones`);
  const results = Object.fromEntries(CASES.map(([key]) => [key, []]));
  for (let r = 1; r <= REPS; r++) {
    // Each pair of cases (ours, plain) runs back to back, in the other order every other rep: the
    // load of a shared machine drifts, and a fixed order would always hand it to the same side.
    const order = r % 2 === 1 ? CASES : CASES.map((_, i) => CASES[i % 2 === 0 ? i + 1 : i - 1]);
    for (const [key, label, run, show] of order) {
      const value = await bounded(run(), `rep ${r}: ${label}`);
      results[key].push(value);
      console.log(`  rep ${r}/${REPS}  ${label.padEnd(72)} ${show(value)}`);
    }
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, median(xs)]));
  // Each rep's own ratio (its two cases ran back to back), then their median: steadier than the
  // ratio of medians when the machine's load changes from one rep to the next.
  const paired = (a, b) => median(results[a].map((x, i) => x / results[b][i]));
  const rows = [
    ["tiny tasks through Redis, QueueExecutor + isofutures worker (default: 4 jobs at once)", rate(m.iso)],
    ["tiny tasks through Redis, plain BullMQ Queue.add + Worker (concurrency 2) + QueueEvents", rate(m.plain)],
    ["ratio isofutures / plain BullMQ, each at its default", `${(m.iso / m.plain).toFixed(2)}× (median of each rep's ratio: ${paired("iso", "plain").toFixed(2)}×)`],
    ["tiny tasks, isofutures worker --concurrency 32", rate(m.iso32)],
    ["tiny tasks, plain BullMQ Worker concurrency 32", rate(m.plain32)],
    ["ratio isofutures / plain BullMQ at concurrency 32", `${(m.iso32 / m.plain32).toFixed(2)}× (median of each rep's ratio: ${paired("iso32", "plain32").toFixed(2)}×)`],
    [`CPU-bound: ${HEAVY} tasks on 1 worker process (1 thread)`, `${Math.round(m.one)} ms`],
    [`CPU-bound: ${HEAVY} tasks on 2 worker processes (1 thread each)`, `${Math.round(m.two)} ms`],
    ["scaling 1 → 2 workers", `${(m.one / m.two).toFixed(2)}×`],
  ];
  console.log(`\nQueue benchmark (redis-server on 127.0.0.1, medians of ${REPS}, interleaved)`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(90)} ${v}`);
}

try {
  await main();
} catch (error) {
  console.error(`queue benchmark failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
// An open handle (a connection that did not close) must not keep a finished benchmark alive.
process.exit();
