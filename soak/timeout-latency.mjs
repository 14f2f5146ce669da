// How soon after its deadline an endless task with a timeout really stops running (its worker
// terminated), sampled many times. Usage: node soak/timeout-latency.mjs [--kind thread|process] [--samples N]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TimeoutError } from "isofutures";
import { TASKS, alive, arg, eventually, finish, poolClass, threadCount } from "./lib.mjs";

const kind = arg("kind", "thread");
const samples = Number(arg("samples", 20));
const timeout = Number(arg("timeout", 100));
const failures = [];
const Pool = poolClass(kind);
const pool = new Pool({ tasks: TASKS, maxWorkers: 1 });
const dir = mkdtempSync(join(tmpdir(), "isofutures-latency-"));
const failedLate = [];
const stoppedLate = [];

for (let n = 0; n < samples; n++) {
  const { pid } = await pool.submit((x) => ({ pid: process.pid, x }), n);
  const threads = threadCount();
  const beats = join(dir, `beats-${n}`);
  const deadline = Date.now() + timeout;
  const error = await pool.submitWith({ timeout }, "heartbeatForever", beats).then(() => undefined, (e) => e);
  failedLate.push(Date.now() - deadline);
  if (!(error instanceof TimeoutError)) failures.push(`sample ${n}: expected a TimeoutError, got ${String(error)}`);
  const gone = kind === "process" ? () => !alive(pid) : () => threadCount() < threads;
  if (!(await eventually(gone))) failures.push(`sample ${n}: the worker was not stopped`);
  stoppedLate.push(Number(readFileSync(beats, "utf8")) - deadline);
}
await pool.shutdown();
rmSync(dir, { recursive: true, force: true });

const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const stopped = summary(stoppedLate);
if (stopped.median > 100) failures.push(`the median stop came ${stopped.median} ms after the deadline (limit 100)`);
finish(`timeout stop latency (${kind} pool)`, {
  kind,
  samples,
  timeoutMs: timeout,
  cancelGraceMs: 50,
  futureFailedMsAfterDeadline: summary(failedLate),
  taskStoppedMsAfterDeadline: stopped,
}, failures);
