// Many tiny tasks in a row on one pool: every result checked; memory, handles, timers and listeners
// must not grow. Usage: node --expose-gc soak/tiny-tasks.mjs [--kind thread|process] [--tasks N]
import { getEventListeners, setMaxListeners } from "node:events";
import { TASKS, arg, childPids, childrenRss, finish, poolClass, resources, settledRss, threadCount } from "./lib.mjs";

const kind = arg("kind", "thread");
const total = Number(arg("tasks", 1_000_000));
const BATCH = 1000;
const failures = [];

const Pool = poolClass(kind);
const pool = new Pool({ tasks: TASKS, maxWorkers: 2 });
const controller = new AbortController();
const signal = controller.signal;
setMaxListeners(BATCH, signal); // up to a batch of tasks listen to it at once
let wrong = 0;

// The limit is on this process (which holds a thread pool's workers). A process pool's children
// are reported, not limited: their RSS grows by some 30 MiB each over the first million or so tasks
// and then stays level while their heap stays the same.

// One batch: BATCH tasks submitted in one turn; every 10th with a timeout and a signal (a timer
// and a listener each, which must be gone once it settles). Every 100th batch goes one at a time.
async function batch(start) {
  if ((start / BATCH) % 100 === 99) {
    for (let i = start; i < start + BATCH; i++) if ((await pool.submit("add", i, 1)) !== i + 1) wrong++;
    return;
  }
  const futures = new Array(BATCH);
  for (let j = 0; j < BATCH; j++) {
    const i = start + j;
    futures[j] = i % 10 === 0 ? pool.submitWith({ timeout: 60_000, signal }, "add", i, 1) : pool.submit("add", i, 1);
  }
  const results = await Promise.all(futures);
  for (let j = 0; j < BATCH; j++) if (results[j] !== start + j + 1) wrong++;
}

// Warm-up (workers started, code optimised), then the baseline.
const warm = Math.min(50 * BATCH, Math.floor(total / 10 / BATCH) * BATCH);
let done = 0;
for (; done < warm; done += BATCH) await batch(done);
const before = { rss: settledRss(), childrenRss: childrenRss(), heap: process.memoryUsage().heapUsed, resources: resources(), threads: threadCount() };
let peakRss = before.rss;
const started = performance.now();
for (; done < total; done += BATCH) {
  await batch(done);
  if ((done / BATCH) % 50 === 0) peakRss = Math.max(peakRss, settledRss());
}
const seconds = (performance.now() - started) / 1000;
const after = { rss: settledRss(), childrenRss: childrenRss(), heap: process.memoryUsage().heapUsed, resources: resources(), threads: threadCount() };
peakRss = Math.max(peakRss, after.rss);
const stats = pool.stats();
const listeners = getEventListeners(signal, "abort").length;

if (wrong > 0) failures.push(`${wrong} results were wrong`);
if (stats.tasks.completed !== total || stats.tasks.failed !== 0 || stats.tasks.queued !== 0 || stats.tasks.running !== 0) {
  failures.push(`stats do not add up: ${JSON.stringify(stats.tasks)} for ${total} tasks`);
}
if (after.rss - before.rss > 50) failures.push(`RSS grew by ${Math.round(after.rss - before.rss)} MiB (limit 50)`);
if (peakRss - before.rss > 50) failures.push(`RSS peaked ${Math.round(peakRss - before.rss)} MiB above the start (limit 50)`);
if (listeners !== 0) failures.push(`${listeners} abort listeners left on the shared signal`);
for (const type of new Set([...Object.keys(before.resources), ...Object.keys(after.resources)])) {
  if ((after.resources[type] ?? 0) > (before.resources[type] ?? 0)) {
    failures.push(`more ${type} handles at the end (${after.resources[type]}) than at the start (${before.resources[type] ?? 0})`);
  }
}
await pool.shutdown();
if (childPids().length > 0) failures.push(`children left after shutdown: ${childPids().join(", ")}`);

finish(`tiny tasks (${kind} pool)`, {
  kind,
  tasks: total,
  measuredTasks: total - warm,
  seconds: Math.round(seconds * 100) / 100,
  tasksPerSecond: Math.round((total - warm) / seconds),
  rssStartMiB: before.rss,
  rssEndMiB: after.rss,
  rssPeakMiB: peakRss,
  ...(kind === "process" ? { childrenRssStartMiB: before.childrenRss, childrenRssEndMiB: after.childrenRss } : {}),
  heapStartMiB: Math.round(before.heap / 2 ** 20),
  heapEndMiB: Math.round(after.heap / 2 ** 20),
  resourcesStart: before.resources,
  resourcesEnd: after.resources,
  abortListenersEnd: listeners,
  threads: [before.threads, after.threads],
}, failures);
