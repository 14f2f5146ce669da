// The Node demo (`npm start`): renders the Mandelbrot set serially, then in parallel on a
// ThreadPoolExecutor with a live progress bar, checks the two images are identical, and prints
// the speedup and a small preview.
import { createHash } from "node:crypto";
import { ThreadPoolExecutor, cpuCount, platformInfo } from "isofutures";
import { bandCounts } from "./fractal.mjs";

const width = 1600;
const height = 1000;
const maxIter = 2000;
const bandRows = 10;
const bands = [];
for (let y = 0; y < height; y += bandRows) bands.push([y, Math.min(y + bandRows, height), width, height, maxIter]);

const info = platformInfo();
console.log(`isofutures demo — Node ${process.versions.node}, ${info.cpuCount} CPU(s) usable (cpuCount()), shared memory: ${info.sharedMemory}`);
console.log(`Rendering a ${width}×${height} Mandelbrot view, ${maxIter} iterations max: serially in ${bands.length} bands, then in streamed parts on a pool.\n`);

function progress(label, done, total, started) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const ms = performance.now() - started;
  const line = `  ${label.padEnd(22)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(done).padStart(3)}/${total}  ${(ms / 1000).toFixed(2)} s`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else if (done === total || done % Math.ceil(total / 4) === 0) console.log(line);
}

function assemble(image, y0, counts) {
  image.set(counts, y0 * width);
}

// 1. Serial, on this thread.
const serial = new Uint32Array(width * height);
let started = performance.now();
for (let i = 0; i < bands.length; i++) {
  const [y0] = bands[i];
  assemble(serial, y0, bandCounts(...bands[i]));
  if (i % 5 === 4 || i === bands.length - 1) progress("serial (1 thread)", i + 1, bands.length, started);
}
const serialMs = performance.now() - started;
if (process.stdout.isTTY) process.stdout.write("\n");

// 2. Parallel: the image is split in parts, one stream task each; every part yields its rows as
// they are done, so the progress bar moves row by row and each row is painted as it arrives.
const pool = new ThreadPoolExecutor({ tasks: new URL("./fractal.mjs", import.meta.url) });
await Promise.all(Array.from({ length: pool.maxWorkers }, () => pool.submit("renderBand", 0, 1, 64, 64, 10))); // start the workers
const parallel = new Uint32Array(width * height);
const parts = pool.maxWorkers * 8;
started = performance.now();
let rowsDone = 0;
await Promise.all(
  Array.from({ length: parts }, async (_, p) => {
    const y0 = Math.floor((p * height) / parts);
    const y1 = Math.floor(((p + 1) * height) / parts);
    for await (const { y, counts } of pool.stream("renderRows", y0, y1, width, height, maxIter)) {
      assemble(parallel, y, counts);
      if (++rowsDone % 10 === 0 || rowsDone === height) progress(`parallel (${pool.maxWorkers} workers)`, rowsDone / 10, height / 10, started);
    }
  }),
);
const parallelMs = performance.now() - started;
if (process.stdout.isTTY) process.stdout.write("\n");
await pool.shutdown();

const hash = (a) => createHash("sha256").update(a).digest("hex").slice(0, 16);
const same = hash(serial) === hash(parallel);
console.log(`\n  serial   ${(serialMs / 1000).toFixed(2)} s`);
console.log(`  parallel ${(parallelMs / 1000).toFixed(2)} s on ${pool.maxWorkers} workers (cpuCount() = ${cpuCount()})`);
console.log(`  speedup  ${(serialMs / parallelMs).toFixed(2)}×   images identical: ${same ? "yes" : "NO"} (sha256 ${hash(parallel)})\n`);

// A small preview of the parallel image.
const chars = " .:-=+*#%@";
for (let row = 0; row < 24; row++) {
  let line = "  ";
  for (let col = 0; col < 72; col++) {
    const n = parallel[Math.floor((row / 24) * height) * width + Math.floor((col / 72) * width)];
    // Points inside the set are solid; outside, shade by escape time on a log scale.
    line += n >= maxIter ? "@" : chars[Math.min(chars.length - 2, Math.floor((Math.log(n + 1) / Math.log(maxIter)) * (chars.length - 1)))];
  }
  console.log(line);
}
if (!same) process.exitCode = 1;
