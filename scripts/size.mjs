// `npm run size`: what a browser app ships of isofutures, beside what it would ship of the peers,
// measured the same way: an app importing the names shown, bundled by esbuild (minified, browser
// conditions, ES modules with code splitting), each file gzipped at level 9. "main" is the app's
// entry file and the chunks it imports statically: what loads before the app runs, and in how many
// files (each gzipped on its own: code split over more files compresses worse). "on demand" is
// every other file of the build, which the app fetches only if it comes to need it (chunks imported
// with `import()`): the scheduler and the worker's bootstrap when the first executor is made; map's
// iteration on the first map; observable-fns when a stream is made; a Manager's broker core when a
// Manager is; the threads.js translator, the inline engine, or the copy of the shared-object
// classes when a result brings one the app never imported.
// Fails (exit code 1) when a budget below is exceeded; `npm test` runs it.
//
// Sizes are in KB of 1,000 bytes.
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const APP = "app.js";

/**
 * What is measured: an app's one line of imports, and the budget of its main bundle (gzipped bytes),
 * each set just above what it was when set, so that growth fails `npm test`. `ThreadPoolExecutor`
 * alone: 11.86 KB (goal 12). Everything exported: 31.56 KB (31.4 before the queues' copy without
 * views, which made a Queue between processes 2.4× as fast), above the goal of 25 set before Process,
 * Manager, events, timings and strict options existed: the README says what 25 KB would cost.
 */
export const CASES = [
  { name: "isofutures: ThreadPoolExecutor", code: 'export { ThreadPoolExecutor } from "isofutures";', budget: 11_950 },
  { name: "isofutures: everything", code: 'export * from "isofutures";', budget: 31_650 },
  { name: "isofutures: InlineExecutor", code: 'export { InlineExecutor } from "isofutures";' },
  { name: "isofutures: Lock", code: 'export { Lock } from "isofutures";' },
  { name: "isofutures: Queue", code: 'export { Queue } from "isofutures";' },
  { name: "isofutures: Manager", code: 'export { Manager } from "isofutures";' },
  { name: "isofutures: Process", code: 'export { Process } from "isofutures";' },
  { name: "isofutures: futures, wait, asCompleted", code: 'export { Future, wait, asCompleted } from "isofutures";' },
  { name: "isofutures: every shared-memory class", code: 'export { Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier, SharedArray, RingBuffer, Queue, JoinableQueue, Pipe } from "isofutures";' },
  { name: "isofutures/worker: serve", code: 'export { serve } from "isofutures/worker";' },
  { name: "workerpool 10: pool", code: 'export { pool } from "workerpool";' },
  { name: "threads.js 1.7: spawn, Pool, Worker", code: 'export { spawn, Pool, Worker } from "threads";' },
  { name: "comlink 4.4: wrap", code: 'export { wrap } from "comlink";' },
];

/** Bundles one case; gives the gzipped sizes of its main bundle and of what it may load later. */
export async function measure(code) {
  const dir = mkdtempSync(join(tmpdir(), "isofutures-size-"));
  try {
    const result = await build({
      // Packages resolve from the repository, where node_modules/isofutures links to the package itself.
      stdin: { contents: code, resolveDir: ROOT, sourcefile: APP, loader: "js" },
      absWorkingDir: ROOT,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      splitting: true,
      outdir: join(dir, "out"),
      write: false,
      metafile: true,
      // workerpool's browser build names Node built-ins in requires it makes only under Node.
      external: [...builtinModules, "node:*"],
      logLevel: "silent",
    });
    const gz = new Map(result.outputFiles.map((f) => [f.path, gzipSync(f.contents, { level: 9 }).length]));
    const raw = new Map(result.outputFiles.map((f) => [f.path, f.contents.length]));
    const outputs = result.metafile.outputs;
    const abs = (p) => join(ROOT, p);
    // The app's own entry (chunks loaded with import() are entry points too).
    const main = Object.keys(outputs).find((p) => outputs[p].entryPoint === APP);
    // The entry and, transitively, every chunk it imports statically.
    const eager = new Set();
    const visit = (p) => {
      if (eager.has(p)) return;
      eager.add(p);
      for (const i of outputs[p].imports) if (i.kind === "import-statement") visit(i.path);
    };
    visit(main);
    const sum = (paths, sizes) => paths.reduce((n, p) => n + (sizes.get(abs(p)) ?? 0), 0);
    const later = Object.keys(outputs).filter((p) => p.endsWith(".js") && !eager.has(p));
    return { main: sum([...eager], gz), mainRaw: sum([...eager], raw), files: eager.size, later: sum(later, gz) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

async function main() {
  const rows = [];
  let failed = false;
  for (const c of CASES) {
    const m = await measure(c.code);
    const over = c.budget !== undefined && m.main > c.budget;
    failed ||= over;
    rows.push([c.name, kb(m.mainRaw), kb(m.main), String(m.files), m.later ? kb(m.later) : "—", c.budget === undefined ? "" : `${over ? "OVER" : "≤"} ${(c.budget / 1000).toFixed(2)} KB`]);
  }
  const head = ["what the app imports", "main, minified", "main, gzip -9", "main, files", "on demand, gzip -9", "budget (main, gzip)"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  if (failed) {
    console.error("size: a budget is exceeded (see OVER above): find what the main bundle now pulls in (esbuild --analyze)");
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
