// Submit/cancel and abort storms with random timings on one pool: every future settles exactly
// once and as what was done to it allows, stats() adds up, no rejection goes unhandled; the pool
// works afterwards and leaves no thread or child behind. A second pool takes a storm of maps that
// are aborted or left at random points.
// Usage: node soak/storms.mjs [--kind thread|process] [--futures N] [--maps N] [--seed S]
import { CancelledError, TimeoutError, WorkerCrashedError } from "isofutures";
import { TASKS, arg, eventually, finish, poolClass, random, strayFailure, threadCount } from "./lib.mjs";

const kind = arg("kind", "thread");
const total = Number(arg("futures", 10_000));
const maps = Number(arg("maps", Math.ceil(total / 30)));
const seed = Number(arg("seed", Math.floor(Math.random() * 2 ** 31)));
const rand = random(seed);
const pick = (n) => Math.floor(rand() * n);
const failures = [];
const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

const Pool = poolClass(kind);
const threadsBefore = threadCount();
const pool = new Pool({ tasks: TASKS, maxWorkers: 2 });

/** What was done to each future, and how often it reported settling. */
const records = [];
const later = []; // promises of the cancels and aborts scheduled for later

// Runs `fn` now, in a microtask, after the current macrotask, or after 0–4 ms.
function at(when, fn) {
  if (when === 0) return fn();
  later.push(
    new Promise((resolve) => {
      const run = () => resolve(fn());
      if (when === 1) queueMicrotask(run);
      else if (when === 2) setImmediate(run);
      else setTimeout(run, pick(5));
    }),
  );
}

// Futures not settled yet, and a way to wait until one settles: the storm keeps a random number
// open at once, so that aborts and cancels find tasks queued, running, and finished.
let open = 0;
let onSettle;
function settled() {
  return new Promise((resolve) => (onSettle = resolve));
}

function track(action, future, i, extra = {}) {
  const r = { action, future, i, callbacks: 0, settles: 0, ...extra };
  open++;
  future.addDoneCallback(() => {
    r.callbacks++;
    open--;
    onSettle?.();
  });
  future.then(
    () => r.settles++,
    () => r.settles++,
  );
  records.push(r);
  return r;
}

const started = performance.now();
let maxOpen = 8;
for (let i = 0; i < total; ) {
  if (rand() < 0.01) maxOpen = 1 + pick(60);
  while (open > maxOpen) await settled();
  const roll = rand();
  if (roll < 0.3) {
    track("echo", pool.submit("echo", i), i);
    i++;
  } else if (roll < 0.42) {
    const r = track("cancel now", pool.submit("nap", pick(4), i), i);
    r.cancelled = r.future.cancel(); // pending until the next microtask: always cancellable
    i++;
  } else if (roll < 0.54) {
    const r = track("cancel later", pool.submit("nap", pick(5), i), i);
    at(1 + pick(3), () => (r.cancelled = r.future.cancel()));
    i++;
  } else if (roll < 0.7) {
    const controller = new AbortController();
    const reason = new Error(`aborted ${i}`);
    const r = track("abort", pool.submitWith({ signal: controller.signal }, "nap", pick(5), i), i, { reason });
    at(pick(4), () => controller.abort(reason));
    i++;
  } else if (roll < 0.8) {
    track("timeout", pool.submitWith({ timeout: pick(5) }, "nap", pick(7), i), i);
    i++;
  } else if (roll < 0.88) {
    track("fail", pool.submit("fail", i), i);
    i++;
  } else if (roll < 0.89) {
    // deaf to the request to stop: its worker is terminated after cancelGrace
    track("deaf timeout", pool.submitWith({ timeout: pick(3) }, "spin", 100, i), i);
    i++;
  } else if (roll < 0.9) {
    track("crash", pool.submit("exitWith", 1), i);
    i++;
  } else {
    // a burst in one turn, every other one cancelled at once
    const n = Math.min(20, total - i);
    for (let k = 0; k < n; k++, i++) {
      const r = track("burst", pool.submit("echo", i), i);
      if (k % 2 === 1) r.cancelled = r.future.cancel();
    }
  }
  if (rand() < 0.2) {
    const pause = pick(3);
    await (pause === 0 ? null : new Promise((r) => (pause === 1 ? setImmediate(r) : setTimeout(r, pick(3)))));
  }
}
await Promise.allSettled(records.map((r) => r.future));
await Promise.all(later);
// A task stopped at its deadline may run on for cancelGrace before its worker is terminated: stats()
// counts it as running until then. Once that has passed, anything that would settle a future twice
// (a late result, a crash) has come too.
const drained = await eventually(() => pool.stats().tasks.running === 0 && pool.stats().tasks.queued === 0);
await new Promise((r) => setTimeout(r, 20));

// Every future: settled once, in a way its action allows.
const outcomes = { fulfilled: 0, failed: 0, cancelled: 0 };
const errors = { TimeoutError: 0, WorkerCrashedError: 0, aborted: 0, RangeError: 0 };
const wrong = [];
for (const r of records) {
  const f = r.future;
  if (r.callbacks !== 1 || r.settles !== 1) wrong.push(`${r.action} #${r.i}: settled ${r.settles}×, callbacks ran ${r.callbacks}×`);
  if (!f.done()) {
    wrong.push(`${r.action} #${r.i}: not done (${f.state})`);
    continue;
  }
  let value;
  let error;
  if (f.cancelled()) {
    outcomes.cancelled++;
    error = new CancelledError();
  } else {
    error = await f.exception();
    if (error === undefined) {
      outcomes.fulfilled++;
      value = await f.result();
    } else outcomes.failed++;
  }
  const crashed = error instanceof WorkerCrashedError; // a crash or a stopped worker takes the tasks beside it along
  if (crashed) errors.WorkerCrashedError++;
  if (error instanceof TimeoutError) errors.TimeoutError++;
  if (error instanceof RangeError) errors.RangeError++;
  if (error !== undefined && error === r.reason) errors.aborted++;
  const ok = (() => {
    if (r.cancelled === true) return f.cancelled();
    switch (r.action) {
      case "echo":
      case "burst":
        return value === r.i || crashed;
      case "cancel now":
        return false; // cancel() of a pending future must succeed
      case "cancel later":
        return value === r.i || value === "stopped" || crashed;
      case "abort":
        return value === r.i || f.cancelled() || error === r.reason || crashed;
      case "timeout":
        return value === r.i || error instanceof TimeoutError || crashed;
      case "fail":
        return (error instanceof RangeError && error.message === `failed ${r.i}`) || crashed;
      case "deaf timeout":
        return error instanceof TimeoutError || crashed;
      case "crash":
        return crashed;
    }
    return false;
  })();
  if (!ok) wrong.push(`${r.action} #${r.i}: ${f.state}, value ${String(value)}, error ${String(error)}`);
}
const seconds = (performance.now() - started) / 1000;
const stats = pool.stats();
if (wrong.length > 0) failures.push(`${wrong.length} futures went wrong, e.g. ${wrong.slice(0, 5).join("; ")}`);
if (!drained) failures.push(`stats still show work 5 s after every future settled: ${JSON.stringify(stats.tasks)}`);
if (stats.tasks.completed !== outcomes.fulfilled || stats.tasks.failed !== outcomes.failed || stats.tasks.cancelled !== outcomes.cancelled) {
  failures.push(`stats ${JSON.stringify(stats.tasks)} do not match the futures ${JSON.stringify(outcomes)}`);
}
if ((await pool.submit("add", 20, 22)) !== 42) failures.push("the pool gave a wrong result after the storm");

// A storm of maps on a second pool, each aborted or left at a random point.
const mapPool = new Pool({ tasks: TASKS, maxWorkers: 2 });
const mapEnds = { completed: 0, aborted: 0, left: 0, other: 0 };
await Promise.all(
  Array.from({ length: maps }, async (_, m) => {
    const controller = new AbortController();
    const reason = new Error(`map ${m} aborted`);
    const inputs = Array.from({ length: 1 + pick(40) }, (_, k) => k);
    const stopAt = pick(inputs.length + 10); // beyond the end: not stopped
    const how = pick(2) === 0 ? "abort" : "break";
    const it = mapPool.map("nap", inputs, { chunksize: 1 + pick(4), buffersize: 1 + pick(8), signal: controller.signal });
    if (how === "abort" && stopAt >= inputs.length) setTimeout(() => controller.abort(reason), pick(20));
    let k = 0;
    try {
      for await (const x of it) {
        if (x !== undefined && x !== "stopped") mapEnds.other++; // nap(k) with no value resolves undefined
        if (++k === stopAt) {
          if (how === "abort") controller.abort(reason);
          else {
            mapEnds.left++;
            return;
          }
        }
      }
      mapEnds.completed++;
    } catch (error) {
      if (error === reason) mapEnds.aborted++;
      else {
        mapEnds.other++;
        failures.push(`map ${m} ended with ${String(error)}`);
      }
    }
  }),
);
if (!(await eventually(() => mapPool.stats().tasks.running === 0 && mapPool.stats().tasks.queued === 0))) {
  failures.push(`the map pool still has work after every map ended: ${JSON.stringify(mapPool.stats().tasks)}`);
}
const mapStats = mapPool.stats().tasks;

await Promise.all([pool.shutdown(), mapPool.shutdown()]);
const strays = await strayFailure(threadsBefore);
if (strays) failures.push(strays);
if (unhandled.length > 0) failures.push(`${unhandled.length} unhandled rejections, e.g. ${String(unhandled[0])}`);

finish(`storms (${kind} pool)`, {
  kind,
  seed,
  futures: records.length,
  seconds: Math.round(seconds * 100) / 100,
  outcomes,
  errors,
  stats: stats.tasks,
  maps,
  mapEnds,
  mapStats,
  unhandledRejections: unhandled.length,
}, failures);
