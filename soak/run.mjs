// `npm run soak`: every soak program at full size, each in a process of its own, for thread and
// process pools; prints their figures and fails if any check failed. (The test suite runs the
// same programs at a smaller size: test-node/faults/soak.test.ts.)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { figuresOf } from "./lib.mjs";

const runs = [
  ["tiny-tasks.mjs", ["--tasks", "1000000"]],
  ["storms.mjs", ["--futures", "10000"]],
  ["lifecycle.mjs", ["--executors", "1000"]],
  ["timeout-latency.mjs", ["--samples", "20"]],
];

let failed = 0;
for (const [file, args] of runs) {
  for (const kind of ["thread", "process"]) {
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(new URL(file, import.meta.url)), "--kind", kind, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 15 * 60_000,
    });
    const figures = figuresOf(r.stdout);
    const ok = r.status === 0 && figures?.ok === true;
    if (!ok) failed++;
    console.log(`\n${ok ? "ok  " : "FAIL"} ${figures?.soak ?? `${file} --kind ${kind}`} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!figures) console.log(`  no figures: exit ${r.status ?? r.signal}\n${r.stdout}`);
    else for (const [key, value] of Object.entries(figures)) if (key !== "soak" && key !== "ok") console.log(`  ${key}: ${JSON.stringify(value)}`);
  }
}
console.log(`\nsoak: ${failed === 0 ? "every check passed" : `${failed} failed`}`);
process.exitCode = failed === 0 ? 0 : 1;
