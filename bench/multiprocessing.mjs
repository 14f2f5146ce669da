// The multiprocessing benchmark: isofutures' objects that cross process boundaries beside Python's
// multiprocessing, in the same run, interleaved rep by rep (each measurement in a fresh process).
//   node bench/multiprocessing.mjs [--reps N] [--quick]
// Python is measured with bench/python/mp_bench.py (fork context; `spawn` for Process start+join),
// when python3 is on the PATH.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const repsArg = process.argv.indexOf("--reps");
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : quick ? 1 : 3;

const SCENARIOS = [
  ["queueChildToParent", "Queue, child → main program", "items/s"],
  ["queueChildToChild", "Queue, child → child", "items/s"],
  ["managerDictSet", "Manager dict set, from the main program", "sets/s"],
  ["lockBetweenProcesses", "Lock acquire+release, main program and a child contending", "pairs/s"],
];

const python = (() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return "python3";
  } catch {
    return undefined;
  }
})();

function ours(name) {
  const r = spawnSync(process.execPath, [join(here, "mp-measure.mjs"), name, ...(quick ? ["--quick"] : [])], { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return Number(r.stdout.trim());
}

function theirs(name) {
  if (!python) return undefined;
  const r = spawnSync(python, [join(here, "python", "mp_bench.py"), `--only=${name}`, ...(quick ? ["--quick"] : [])], { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`python ${name}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(r.stdout)[name];
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x === undefined ? "—" : Math.round(x).toLocaleString("en"));

const results = Object.fromEntries(SCENARIOS.map(([name]) => [name, { ours: [], python: [] }]));
for (let rep = 1; rep <= reps; rep++) {
  for (const [name] of SCENARIOS) {
    process.stderr.write(`multiprocessing: rep ${rep}/${reps} ${name}…\n`);
    results[name].ours.push(ours(name));
    results[name].python.push(theirs(name));
  }
}

console.log(`\nisofutures' cross-process objects vs Python ${python ? execFileSync(python, ["--version"], { encoding: "utf8" }).trim() : "(not found)"} multiprocessing — median of ${reps} interleaved reps${quick ? ", QUICK sizes" : ""}`);
console.log("  measure                                                     isofutures      Python   ratio");
const table = {};
for (const [name, title, unit] of SCENARIOS) {
  const o = median(results[name].ours);
  const p = median(results[name].python);
  table[name] = { ours: o, python: p, ratio: o && p ? o / p : undefined, unit };
  console.log(`  ${`${title} (${unit})`.padEnd(58)} ${fmt(o).padStart(10)}  ${fmt(p).padStart(10)}  ${o && p ? (o / p >= 0.1 ? (o / p).toFixed(2) : (o / p).toPrecision(2)) + "×" : "—"}`);
}
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", quick ? "multiprocessing-quick.json" : "multiprocessing.json"), JSON.stringify({ reps, quick, results, table }, null, 2));
