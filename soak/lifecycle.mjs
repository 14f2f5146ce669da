// Executors created and disposed over and over, in every way one can end: nothing may be left (no
// thread, no child, no handle), and the program must end by itself, without process.exit().
// Usage: node soak/lifecycle.mjs [--kind thread|process] [--executors N]
import { setTimeout as delay } from "node:timers/promises";
import { TASKS, arg, childPids, eventually, finish, poolClass, resources, strayFailure, threadCount } from "./lib.mjs";

const kind = arg("kind", "thread");
const total = Number(arg("executors", 1000));
const AT_ONCE = 4;
const failures = [];
const Pool = poolClass(kind);

// The ways an executor's life goes, taken in turn.
const lives = [
  async function submitThenShutdown(i) {
    const pool = new Pool({ tasks: TASKS, maxWorkers: 2 });
    const [a, b] = await Promise.all([pool.submit("add", i, 1), pool.submit((x) => x * 2, i)]);
    if (a !== i + 1 || b !== i * 2) failures.push(`executor ${i}: wrong results ${a}, ${b}`);
    await pool.shutdown();
  },
  async function neverUsed() {
    const pool = new Pool({ tasks: TASKS });
    await pool.shutdown();
  },
  async function terminateWhileBusy(i) {
    const pool = new Pool({ tasks: TASKS, maxWorkers: 1 });
    const running = pool.submit("sleep", 10_000, i);
    const queued = pool.submit("add", i, 1);
    await delay(5);
    await pool.terminate();
    if (!running.cancelled() && running.state !== "finished") failures.push(`executor ${i}: a running task was left ${running.state}`);
    if (!queued.done()) failures.push(`executor ${i}: a queued task was left ${queued.state}`);
  },
  async function disposeWithMinWorkers(i) {
    const pool = new Pool({ tasks: TASKS, minWorkers: 1, maxWorkers: 2 });
    if ((await pool.submit("echo", i)) !== i) failures.push(`executor ${i}: wrong echo`);
    await pool[Symbol.asyncDispose]();
  },
  async function shutdownWithoutWaiting(i) {
    const pool = new Pool({ tasks: TASKS, maxWorkers: 2 });
    const f = pool.submit("nap", 5, i);
    await pool.shutdown({ wait: false });
    if ((await f) !== i) failures.push(`executor ${i}: a task after shutdown({ wait: false }) gave a wrong result`);
    await pool.shutdown();
  },
  async function abortedBySignal(i) {
    const controller = new AbortController();
    const pool = new Pool({ tasks: TASKS, maxWorkers: 1, signal: controller.signal });
    const f = pool.submit("echo", i);
    const pending = pool.submit("echo", i + 1);
    controller.abort();
    await Promise.allSettled([f, pending]);
    await pool.shutdown();
  },
];

const threadsBefore = threadCount();
const started = performance.now();
let next = 0;
async function lane() {
  for (let i = next++; i < total; i = next++) await lives[i % lives.length](i);
}
await Promise.all(Array.from({ length: AT_ONCE }, lane));
const seconds = (performance.now() - started) / 1000;

const strays = await strayFailure(threadsBefore);
if (strays) failures.push(strays);
// Handles that would keep the program alive (the standard streams aside) must all be gone.
const keepsAlive = () => process.getActiveResourcesInfo().filter((type) => !/^(TTYWrap|PipeWrap|FSReqCallback|CloseReq)$/.test(type));
if (!(await eventually(() => keepsAlive().length === 0))) failures.push(`handles left: ${keepsAlive().join(", ")}`);

finish(`create and dispose (${kind} pool)`, {
  kind,
  executors: total,
  seconds: Math.round(seconds * 100) / 100,
  perSecond: Math.round(total / seconds),
  threads: [threadsBefore, threadCount()],
  children: childPids().length,
  resourcesEnd: resources(),
}, failures);
// No process.exit(): the test that runs this program checks that it ends by itself.
