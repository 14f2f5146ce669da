// The queue benchmark (part of `npm run bench`): a real redis-server on a free port, real worker
// processes. Measures
//   1. tiny-task throughput: isofutures QueueExecutor + `isofutures worker` vs a plain BullMQ
//      producer (Queue.add) + Worker (jobs run inline) + QueueEvents, same Redis, same run;
//   2. CPU-bound scaling: the same CPU-heavy tasks on 1, then 2 `isofutures worker` processes.
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
const TINY = quick ? 500 : 5000;
const HEAVY = quick ? 8 : 24;
const REPS = quick ? 1 : 3;
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const CLI = here("../../dist/node/cli.js");
const TASKS = here("tasks.mjs");

const bin = [process.env.REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => p && existsSync(p));
if (!bin) {
  console.log("queue benchmark: skipped — no redis-server (apt-get install -y redis-server, or set REDIS_SERVER)");
  process.exit(0);
}

function lineFrom(child, pattern) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const on = (c) => {
      seen += c;
      if (pattern.test(seen)) resolve();
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("exit", (code) => reject(new Error(`exited (${code}): ${seen}`)));
  });
}

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "isofutures-bench-redis-"));
const redis = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
await lineFrom(redis, /Ready to accept connections/);
const url = `redis://127.0.0.1:${port}`;
const children = [redis];
let queueNo = 0;

async function isofuturesWorker(queue, threads, extra = []) {
  const w = spawn(process.execPath, [CLI, "worker", "--redis", url, "--queue", queue, "--tasks", TASKS, "--threads", String(threads), ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(w);
  await lineFrom(w, /^isofutures worker \d+: queue/m);
  return w;
}

async function stop(w) {
  if (w.exitCode !== null) return;
  await new Promise((ok) => {
    w.once("exit", ok);
    w.kill("SIGTERM");
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Tiny tasks
async function tinyIsofutures(concurrency) {
  const queue = `tiny${++queueNo}`;
  const w = await isofuturesWorker(queue, 2, concurrency ? ["--concurrency", String(concurrency)] : []);
  const ex = new QueueExecutor({ connection: url, queue });
  await Promise.all(Array.from({ length: 100 }, (_, i) => ex.submit("add", i, 1))); // warm up
  const t0 = performance.now();
  await Promise.all(Array.from({ length: TINY }, (_, i) => ex.submit("add", i, 1)));
  const rate = TINY / ((performance.now() - t0) / 1000);
  await ex.shutdown();
  await stop(w);
  return rate;
}

async function tinyBullmq(concurrency) {
  const queue = `plain${++queueNo}`;
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const w = spawn(process.execPath, [here("bullmq-worker.mjs"), String(port), queue, String(concurrency)], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(w);
  await lineFrom(w, /ready/);
  const q = new Queue(queue, { connection });
  const events = new QueueEvents(queue, { connection });
  await events.waitUntilReady();
  const run = async (n) => {
    let left = n;
    const done = new Promise((resolve) => {
      const on = () => {
        if (--left === 0) {
          events.off("completed", on);
          resolve();
        }
      };
      events.on("completed", on);
    });
    await Promise.all(Array.from({ length: n }, (_, i) => q.add("add", { a: i, b: 1 }, { removeOnComplete: true })));
    await done;
  };
  await run(100);
  const t0 = performance.now();
  await run(TINY);
  const rate = TINY / ((performance.now() - t0) / 1000);
  await events.close();
  await q.close();
  await stop(w);
  return rate;
}

// 2. CPU-bound scaling
async function heavy(workers) {
  const queue = `heavy${++queueNo}`;
  const ws = [];
  for (let i = 0; i < workers; i++) ws.push(await isofuturesWorker(queue, 1));
  const ex = new QueueExecutor({ connection: url, queue });
  await Promise.all(Array.from({ length: workers * 2 }, () => ex.submit("burn", 5))); // warm up
  const t0 = performance.now();
  await Promise.all(Array.from({ length: HEAVY }, () => ex.submit("burn", 40)));
  const ms = performance.now() - t0;
  await ex.shutdown();
  for (const w of ws) await stop(w);
  return ms;
}

try {
  const iso = [];
  const plain = [];
  const iso32 = [];
  const plain32 = [];
  const one = [];
  const two = [];
  for (let r = 0; r < REPS; r++) {
    iso.push(await tinyIsofutures());
    plain.push(await tinyBullmq(2));
    iso32.push(await tinyIsofutures(32));
    plain32.push(await tinyBullmq(32));
    one.push(await heavy(1));
    two.push(await heavy(2));
  }
  const rows = [
    ["tiny tasks through Redis, QueueExecutor + isofutures worker (2 threads, default: 4 jobs at once)", `${Math.round(median(iso)).toLocaleString("en")} tasks/s`],
    ["tiny tasks through Redis, plain BullMQ Queue.add + Worker (concurrency 2) + QueueEvents", `${Math.round(median(plain)).toLocaleString("en")} tasks/s`],
    ["ratio isofutures / plain BullMQ, each at its default", `${(median(iso) / median(plain)).toFixed(2)}×`],
    ["tiny tasks, isofutures worker --concurrency 32", `${Math.round(median(iso32)).toLocaleString("en")} tasks/s`],
    ["tiny tasks, plain BullMQ Worker concurrency 32", `${Math.round(median(plain32)).toLocaleString("en")} tasks/s`],
    ["ratio isofutures / plain BullMQ at concurrency 32", `${(median(iso32) / median(plain32)).toFixed(2)}×`],
    [`CPU-bound: ${HEAVY} tasks on 1 worker process (1 thread)`, `${Math.round(median(one))} ms`],
    [`CPU-bound: ${HEAVY} tasks on 2 worker processes (1 thread each)`, `${Math.round(median(two))} ms`],
    ["scaling 1 → 2 workers", `${(median(one) / median(two)).toFixed(2)}×`],
  ];
  console.log(`\nQueue benchmark (redis-server on 127.0.0.1, medians of ${REPS})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(100)} ${v}`);
} finally {
  for (const c of children.reverse()) await stop(c);
  rmSync(dir, { recursive: true, force: true });
}
