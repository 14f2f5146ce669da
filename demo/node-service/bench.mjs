// `npm run bench:service`: the service under load, inline vs thread pool vs process pool.
// For each heavy endpoint and executor, a fresh service (child process) is driven by autocannon on
// loopback while a second client polls /health, in two phases:
//   saturation — 3 × cpuCount() connections (the pools' workers + queue bound: all busy, queue full);
//   overload   — twice the rate served at saturation, on twice the connections.
// Every answer is checked; the run fails (exit code 1) on any wrong answer, any 5xx but the
// documented 503, or a service that does not exit cleanly with no child left.
import { parseArgs } from "node:util";
import { cpuCount } from "isofutures";
import { SCENARIOS, loadRun } from "./load.mjs";
import { EXECUTORS } from "./service.mjs";

const USAGE = `usage: npm run bench:service -- [--duration S] [--executors inline,thread,process] [--endpoints hash,tile,validate]

  --duration S   seconds of the saturation phase of each run (default: 5; overload: 3/5 of it)
  --executors    which executors, comma-separated (default: all three)
  --endpoints    which heavy endpoints, comma-separated (default: all three)`;

function usage(message) {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({ options: { duration: { type: "string" }, executors: { type: "string" }, endpoints: { type: "string" }, help: { type: "boolean", short: "h" } } }));
} catch (error) {
  usage(error.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const duration = Number(values.duration ?? 5);
if (!(duration >= 1 && duration <= 600)) usage(`--duration must be a number of seconds from 1 to 600 (got "${values.duration}")`);
const list = (flag, text, allowed) => {
  const items = text.split(",").filter(Boolean);
  const bad = items.find((x) => !allowed.includes(x));
  if (bad !== undefined || items.length === 0) usage(`--${flag} takes a comma-separated list of ${allowed.join(", ")} (got "${text}")`);
  return items;
};
const executors = list("executors", values.executors ?? EXECUTORS.join(","), EXECUTORS);
const endpoints = list("endpoints", values.endpoints ?? "hash,tile,validate", Object.keys(SCENARIOS));

const cpus = cpuCount();
const connections = 3 * cpus;
const fmt = (ms) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en-US")) : "—");
console.log(`isofutures service under load — Node ${process.versions.node}, cpuCount() = ${cpus}, loopback, autocannon`);
console.log(`saturation: ${connections} connections for ${duration} s; overload: ${2 * connections} connections at twice the rate served at saturation for ${fmt(duration * 0.6)} s; /health polled every 20 ms`);
console.log("(figures depend on what else runs on the machine: \"other load\" is the CPU time other programs used during the saturation phase)\n");

let failed = false;
for (const endpoint of endpoints) {
  const rows = [];
  console.log(`${SCENARIOS[endpoint].describe}`);
  for (const executor of executors) {
    const run = await loadRun({
      executor,
      endpoint,
      phases: [
        { name: "saturation", connections, duration },
        { name: "overload", connections: 2 * connections, duration: duration * 0.6, rate: ([sat]) => 2 * sat.perSecond },
      ],
    });
    const [sat, over] = run.phases;
    const problems = [...sat.problems, ...over.problems];
    if (run.exit.code !== 0) problems.push(`the service exited with ${JSON.stringify(run.exit)}:\n${run.output}`);
    if (run.leftovers.length > 0) problems.push(`child processes left after shutdown: ${run.leftovers.join(", ")}`);
    const errors = sat.errors + over.errors + problems.length;
    if (problems.length > 0) {
      failed = true;
      console.error(`  ${executor}: ${problems.join("\n  ")}`);
    }
    const name = { inline: "inline (event loop)", thread: `ThreadPoolExecutor (${run.workers})`, process: `ProcessPoolExecutor (${run.workers})` }[executor];
    rows.push([
      name,
      fmt(sat.perSecond),
      fmt(sat.latency.p99),
      fmt(sat.health.p50),
      fmt(sat.health.p99),
      `${fmt(sat.loopDelay.p99)} / ${fmt(sat.loopDelay.max)}`,
      `${over.rejected} of ${over.ok + over.rejected}`,
      fmt(over.latency.p99),
      fmt(over.health.p99),
      // The pool's own view (stats().timings, its last 1,024 tasks): how long tasks waited for a
      // worker and ran. Inline runs each task as it is submitted: no wait to speak of.
      run.pool?.timings ? `${fmt(run.pool.timings.wait.p99)} / ${fmt(run.pool.timings.run.p50)}` : "—",
      String(errors),
      Number.isFinite(sat.otherCpus) ? sat.otherCpus.toFixed(1) : "—",
    ]);
    console.log(`  ${name}: done`);
  }
  console.log();
  const header = ["executor", "req/s", "p99 ms", "/health p50 ms", "/health p99 ms", "loop delay p99 / max ms", "overload: 503s", "overload: p99 ms of 200s", "overload: /health p99 ms", "task wait p99 / run p50 ms", "errors", "other load (CPUs)"];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? "---" : "--:")).join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log();
}
if (failed) {
  console.error("the service answered wrongly or did not stop cleanly: see above");
  process.exitCode = 1;
}
