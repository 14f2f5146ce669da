// Runs the benchmark suite: every measurement in a fresh `node bench/measure.mjs <pool> <scenario>`
// process, interleaved rep by rep (for rep: for scenario: for pool), then prints the medians with
// ratios and writes them to bench/results/latest.json.
//
//   node bench/run.mjs [--reps N] [--only burst,latency] [--pools isofutures,raw] [--quick]
//                      [--timeout SECONDS] [--out FILE]
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { POOLS, POOL_NOTES, kindOf } from "./pools.mjs";
import { SCENARIOS, sizesFor } from "./scenarios.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, "..");
const measureScript = resolve(benchDir, "measure.mjs");

// ---------------------------------------------------------------------------------------------
// Command line

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error(
    "usage: node bench/run.mjs [--reps N] [--only scenario,…] [--pools pool,…] [--quick] [--timeout s] [--out file]\n" +
      `  scenarios: ${Object.keys(SCENARIOS).join(", ")}\n` +
      `  pools:     ${POOLS.join(", ")}`,
  );
  process.exit(message ? 2 : 0);
}

function parseArgs(argv) {
  const opts = { reps: undefined, only: undefined, pools: undefined, quick: false, timeout: 60, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    const list = (known, what) => {
      const items = value().split(",").map((s) => s.trim()).filter(Boolean);
      for (const it of items) if (!known.includes(it)) usage(`unknown ${what} "${it}"`);
      return items;
    };
    switch (flag) {
      case "--reps":
        opts.reps = Number(value());
        if (!Number.isInteger(opts.reps) || opts.reps < 1) usage("--reps must be a positive integer");
        break;
      case "--only":
        opts.only = list(Object.keys(SCENARIOS), "scenario");
        break;
      case "--pools":
        opts.pools = list(POOLS, "pool");
        break;
      case "--quick":
        opts.quick = true;
        break;
      case "--timeout":
        opts.timeout = Number(value());
        if (!(opts.timeout > 0)) usage("--timeout must be a positive number of seconds");
        break;
      case "--out":
        opts.out = resolve(value());
        break;
      case "-h":
      case "--help":
        usage();
        break;
      default:
        usage(`unknown argument "${argv[i]}"`);
    }
  }
  opts.reps ??= opts.quick ? 1 : 5;
  opts.out ??= resolve(benchDir, "results", opts.quick ? "quick.json" : "latest.json");
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const scenarioNames = opts.only ?? Object.keys(SCENARIOS);
const poolNames = opts.pools ?? POOLS;
const plan = scenarioNames.map((s) => ({
  scenario: s,
  pools: POOLS.filter((p) => poolNames.includes(p) && SCENARIOS[s].pools.includes(p)),
}));

// ---------------------------------------------------------------------------------------------
// One measurement

const ownGroup = process.platform !== "win32";
let current;

/** Kills a measurement and whatever is left of its process group. */
function killGroup(child) {
  if (ownGroup && child.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
      return;
    } catch {}
  }
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

// A measurement in its own group does not get the terminal's Ctrl-C: pass it on.
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    if (current) killGroup(current);
    process.exit(128 + os.constants.signals[sig]);
  });
}

function measure(pool, scenario) {
  const args = [measureScript, pool, scenario];
  if (opts.quick) args.push("--quick");
  return new Promise((done) => {
    // process.execPath and explicit arguments: nothing of this process's execArgv leaks in.
    // NODE_OPTIONS is dropped for the same reason: every child runs with Node's defaults.
    const { NODE_OPTIONS, ...env } = process.env;
    // Its own process group (POSIX): the worker processes of a process pool it leaves behind, on a
    // timeout or a pool that does not close, are killed with it.
    const child = spawn(process.execPath, args, {
      cwd: rootDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: ownGroup,
    });
    current = child;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, opts.timeout * 1000);
    // Worker processes left behind would hold the output pipes open: end them with the measurement.
    child.on("exit", () => killGroup(child));
    child.on("error", (err) => {
      clearTimeout(timer);
      done({ ok: false, error: `could not start: ${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      killGroup(child);
      current = undefined;
      if (timedOut) return done({ ok: false, error: `timed out after ${opts.timeout} s` });
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      let result;
      try {
        result = line && JSON.parse(line);
      } catch {}
      const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
      if (result?.ok) return done(result);
      // A failure's stderr (a worker's own report, for one) is kept in the JSON.
      if (result?.error) return done(lines.length ? { ...result, stderr: lines.slice(-40).join("\n") } : result);
      // A native crash prints a banner and a stack: show its most telling line, keep the tail.
      const why = lines.find((l) => /fatal|check failed|error|abort|segmentation|out of memory/i.test(l)) ?? lines.at(-1) ?? "";
      done({
        ok: false,
        error: `exited with ${signal ?? `code ${code}`} without a result${why ? `: ${why}` : ""}`,
        stderr: lines.slice(-40).join("\n"),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Running

const results = {};
for (const { scenario, pools } of plan) {
  results[scenario] = {};
  for (const pool of pools) results[scenario][pool] = { values: [], errors: [], stderr: [], details: [] };
}

const totalRuns = opts.reps * plan.reduce((n, p) => n + p.pools.length, 0);
const started = Date.now();
const log = (s) => process.stderr.write(`${s}\n`);
log(
  `isofutures bench: ${totalRuns} measurements (${opts.reps} rep${opts.reps > 1 ? "s" : ""}` +
    `${opts.quick ? ", quick sizes" : ""}), one process each, timeout ${opts.timeout} s`,
);

let run = 0;
const poolWidth = Math.max(...plan.flatMap((p) => p.pools.map((q) => q.length)));
for (let rep = 1; rep <= opts.reps; rep++) {
  for (const { scenario, pools } of plan) {
    for (const pool of pools) {
      run++;
      const r = await measure(pool, scenario);
      const slot = results[scenario][pool];
      if (r.ok) {
        slot.values.push(r.value);
        slot.details.push(r.detail);
        if (r.detail?.closeTimedOut) slot.closeTimedOut = true;
      } else {
        slot.errors.push(r.error);
        if (r.stderr) slot.stderr.push(r.stderr);
      }
      const shown = r.ok ? `${fmt(scenario, r.value)} ${SCENARIOS[scenario].unit}` : `ERROR ${firstLine(r.error)}`;
      log(`[${run}/${totalRuns}] rep ${rep} ${scenario.padEnd(10)} ${pool.padEnd(poolWidth)} ${shown}`);
    }
  }
}
const elapsed = (Date.now() - started) / 1000;

// ---------------------------------------------------------------------------------------------
// Summary

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function firstLine(s) {
  const l = String(s).split("\n")[0];
  return l.length > 140 ? `${l.slice(0, 137)}…` : l;
}

function fmt(scenario, v) {
  if (v === undefined || !Number.isFinite(v)) return "—";
  switch (SCENARIOS[scenario].unit) {
    case "tasks/s":
    case "items/s":
    case "messages/s":
      return Math.round(v).toLocaleString("en");
    case "× speedup":
      return v.toFixed(2);
    case "µs/task":
      return v.toFixed(1);
    default:
      return v < 10 ? v.toFixed(2) : v.toFixed(1);
  }
}

for (const scenario of Object.keys(results)) {
  for (const [pool, slot] of Object.entries(results[scenario])) {
    slot.median = slot.values.length ? median(slot.values) : undefined;
    slot.min = slot.values.length ? Math.min(...slot.values) : undefined;
    slot.max = slot.values.length ? Math.max(...slot.values) : undefined;
    slot.size = sizesFor(scenario, pool, opts.quick);
  }
}

/** How much better `a` is than `b`, higher = better, whatever the unit's direction. */
function ratio(scenario, a, b) {
  if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) return undefined;
  return SCENARIOS[scenario].better === "higher" ? a / b : b / a;
}

/** The references of a pool's ratios: thread pools against isofutures and the raw baselines,
 * process pools against isofutures-process. */
const REFS = { thread: ["isofutures", "raw", "raw-batched"], process: ["isofutures-process"] };
const GROUPS = [
  { kind: "thread", base: "isofutures", suffix: "" },
  { kind: "process", base: "isofutures-process", suffix: " (processes)" },
];
const out = [];
const print = (s = "") => out.push(s);
const footnotes = [];

print(
  `isofutures benchmarks — Node ${process.version}, ${os.cpus()[0]?.model?.trim() ?? "unknown CPU"}, ` +
    `${os.availableParallelism?.() ?? os.cpus().length} CPUs, 2 workers per pool (threads; child processes for *-process)`,
);
print(
  `${opts.reps} rep${opts.reps > 1 ? "s" : ""} per cell (fresh process each, interleaved), median shown` +
    `${opts.quick ? "; QUICK sizes (smoke run, not representative)" : ""}; ran in ${elapsed.toFixed(0)} s`,
);
print("Ratios: this row's performance ÷ the reference's, higher = better for this row (for");
print("ms/µs figures the ratio is inverted so that > 1 still means faster).");

for (const scenario of Object.keys(results)) {
  for (const group of GROUPS) {
    const rows = Object.entries(results[scenario]).filter(([pool]) => kindOf(pool) === group.kind);
    if (rows.length > 0) printTable(scenario, group, rows);
  }
}

function printTable(scenario, group, rows) {
  const sc = SCENARIOS[scenario];
  const baseSize = sizesFor(scenario, group.base, opts.quick);
  print();
  print(`${scenario}${group.suffix}: ${sc.describe(baseSize)} — ${sc.unit}, ${sc.better} is better`);
  const refs = REFS[group.kind].filter((r) => results[scenario][r]?.median !== undefined);
  const header = ["pool", "median", "min … max", "n", ...refs.map((r) => `vs ${r}`), ""];
  const table = [header];
  for (const [pool, slot] of rows) {
    const notes = [];
    if (JSON.stringify(slot.size) !== JSON.stringify(baseSize)) {
      notes.push(`smaller run: ${sc.describe(slot.size)}`);
    }
    if (scenario === "transfer" && POOL_NOTES[pool]) notes.push("result copied back (†)");
    if (slot.closeTimedOut) notes.push("pool did not close within 10 s");
    let cell;
    if (slot.median !== undefined) cell = fmt(scenario, slot.median);
    else cell = "ERROR";
    for (const e of new Set(slot.errors)) footnotes.push(`${scenario}/${pool}: ${firstLine(e)}`);
    if (slot.errors.length && slot.values.length) notes.push(`${slot.errors.length} failed`);
    table.push([
      pool,
      cell,
      slot.values.length > 1 ? `${fmt(scenario, slot.min)} … ${fmt(scenario, slot.max)}` : "",
      `${slot.values.length}/${slot.values.length + slot.errors.length}`,
      ...refs.map((r) => {
        const q = ratio(scenario, slot.median, results[scenario][r].median);
        return q === undefined ? "" : `${q >= 0.1 ? q.toFixed(2) : q.toPrecision(2)}×`;
      }),
      notes.join("; "),
    ]);
  }
  const right = new Set([1, 2, 3, ...refs.map((_, i) => 4 + i)]);
  const widths = header.map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
  for (const [i, row] of table.entries()) {
    print(
      "  " +
        row
          .map((cell, c) => (right.has(c) && i > 0 ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c])))
          .join("  ")
          .trimEnd(),
    );
  }
  if (scenario === "cpu") {
    const cpus = os.availableParallelism?.() ?? os.cpus().length;
    print(`  ceiling: ${Math.min(2, cpus)}× (2 workers on ${cpus} CPUs); about 1.97× for 2 separate processes in practice`);
  }
  // Figures a scenario measured beside its pools (Python's, for `process`).
  if (sc.notes && group.kind === "process") for (const line of sc.notes(results[scenario])) print(line);
  if (scenario === "transfer") {
    for (const [pool] of rows) {
      if (POOL_NOTES[pool]) print(`  † ${POOL_NOTES[pool]}`);
    }
  }
}

if (footnotes.length) {
  print();
  print("Errors:");
  for (const f of footnotes) print(`  ${f}`);
}

console.log(out.join("\n"));

mkdirSync(dirname(opts.out), { recursive: true });
writeFileSync(
  opts.out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: os.cpus()[0]?.model?.trim(),
      cpus: os.availableParallelism?.() ?? os.cpus().length,
      quick: opts.quick,
      reps: opts.reps,
      seconds: elapsed,
      results: Object.fromEntries(
        Object.entries(results).map(([scenario, pools]) => [
          scenario,
          {
            unit: SCENARIOS[scenario].unit,
            better: SCENARIOS[scenario].better,
            pools: Object.fromEntries(
              Object.entries(pools).map(([pool, s]) => [
                pool,
                {
                  median: s.median ?? null,
                  min: s.min ?? null,
                  max: s.max ?? null,
                  values: s.values,
                  errors: s.errors,
                  stderr: s.stderr,
                  size: s.size,
                  vs: Object.fromEntries(
                    REFS[kindOf(pool)]
                      .filter((r) => pools[r])
                      .map((r) => [r, ratio(scenario, s.median, pools[r].median) ?? null]),
                  ),
                  details: s.details,
                },
              ]),
            ),
          },
        ]),
      ),
    },
    null,
    2,
  )}\n`,
);
const shownOut = relative(process.cwd(), opts.out);
log(`results written to ${shownOut && !shownOut.startsWith("..") ? shownOut : opts.out}`);
