// The runtime matrix, after `vitest run` has run everything under the Node that runs npm:
// - each other Node major listed below runs the Node test suite (test-node/, not the browser tests)
//   again. The binaries come from the npm registry (the packages node-<platform>-<arch>@<major>,
//   which ship a runnable bin/node) and are kept in .cache/node-<major>, so later runs start at once.
// - Bun and Deno (vitest does not run on Deno) run the shared scenarios, the primitives and their
//   own checks through scripts/runtime-scenarios.ts, Deno with both of the package's entries, then a
//   program that must end by itself (scripts/runtime-exit.ts). Their binaries come from the
//   devDependencies `bun` and `deno` (which brings @deno/<platform>), installed by npm.
// Uses only Node built-ins and npm. Any failure on any runtime fails this script.
//   node scripts/test-matrix.mjs            every runtime below
//   node scripts/test-matrix.mjs 22 deno    only Node 22 and Deno
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MAJORS = ["22", "24"];
const OTHERS = ["bun", "deno"];
/** How long a program may take to end after its last line: idle workers must not hold it open. */
const EXIT_LIMIT_MS = 3_000;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const platform = process.platform === "win32" ? "win" : process.platform;
const pkg = `node-${platform}-${process.arch}`;
const exe = process.platform === "win32" ? "node.exe" : "node";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// Without arguments: every runtime above except the Node running this script (vitest just ran under it).
const running = process.versions.node.split(".")[0];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...MAJORS.filter((m) => m !== running), ...OTHERS];
const unknown = wanted.filter((w) => !/^\d+$/.test(w) && !OTHERS.includes(w));
if (unknown.length > 0) {
  console.error(`test-matrix: unknown runtime ${unknown.join(", ")}: give Node majors (22, 24) or ${OTHERS.join(", ")}`);
  process.exit(2);
}

const results = [];
for (const which of wanted) {
  if (which === "bun") results.push(...(await runBun()));
  else if (which === "deno") results.push(...(await runDeno()));
  else results.push(await runNode(which));
}

console.log("\ntest-matrix:");
for (const r of results) {
  const counts = r.passed === undefined ? "" : ` (${r.passed} passed, ${r.failed} failed)`;
  console.log(`  ${r.what}: ${r.ok ? "passed" : `FAILED (${r.how})`}${counts} in ${r.seconds} s`);
}
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0) + results.filter((r) => !r.ok && !r.failed).length;
console.log(`test-matrix: ${passed} passed, ${failed} failed`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

/** The Node test suite under another Node major. */
async function runNode(major) {
  const started = Date.now();
  const node = fetchNode(major);
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  console.log(`\ntest-matrix: Node ${version} (${node})`);
  const run = await tee(node, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "test-node"], { ISOFUTURES_MATRIX_NODE: version });
  // vitest's summary: "Tests  680 passed (680)", or "Tests  2 failed | 678 passed (680)".
  const line = /^\s*Tests\s+(.*)$/m.exec(run.output)?.[1] ?? "";
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return finish(`Node ${version}`, started, run, line ? { passed: count("passed"), failed: count("failed") } : {});
}

async function runBun() {
  // The bun package ships its binary as bin/bun.exe on every platform.
  const bun = binary("Bun", join(root, "node_modules", "bun", "bin", "bun.exe"), "bun");
  const version = `Bun ${execFileSync(bun, ["--version"], { encoding: "utf8" }).trim()}`;
  return [await scenarios(version, bun, [], "bun", "node"), await exits(version, bun, [])];
}

async function runDeno() {
  let deno;
  try {
    // The deno package names its binary package by platform; this is how its own launcher finds it.
    const require = createRequire(join(root, "node_modules", "deno", "package.json"));
    const sub = `@deno/${process.platform}-${process.arch}${process.platform === "linux" ? "-glibc" : ""}`;
    deno = join(dirname(require.resolve(`${sub}/package.json`)), process.platform === "win32" ? "deno.exe" : "deno");
  } catch {
    deno = "";
  }
  deno = binary("Deno", deno, "deno");
  const version = `Deno ${execFileSync(deno, ["--version"], { encoding: "utf8" }).split("\n")[0].split(" ")[1]}`;
  // --sloppy-imports: the TypeScript sources import each other as ".js", as tsc wants.
  const args = ["run", "--allow-all", "--sloppy-imports", "--quiet"];
  return [
    await scenarios(`${version}, Node build`, deno, args, "deno", "node"),
    await scenarios(`${version}, browser build`, deno, args, "deno", "browser"),
    await exits(version, deno, args),
  ];
}

/** scripts/runtime-scenarios.ts under a runtime: its last line counts the scenarios. */
async function scenarios(what, bin, args, runtime, entry) {
  const started = Date.now();
  console.log(`\ntest-matrix: ${what}: shared scenarios (${bin})`);
  const run = await tee(bin, [...args, join(root, "scripts", "runtime-scenarios.ts"), runtime, entry]);
  const m = /^(\d+) passed, (\d+) failed$/m.exec(run.output);
  return finish(what, started, run, m ? { passed: Number(m[1]), failed: Number(m[2]) } : {});
}

/** scripts/runtime-exit.ts: prints one line, then must end by itself within EXIT_LIMIT_MS. */
async function exits(what, bin, args) {
  const started = Date.now();
  console.log(`\ntest-matrix: ${what}: a program that uses pools ends by itself`);
  let printed = 0;
  const run = await tee(bin, [...args, join(root, "scripts", "runtime-exit.ts")], {}, () => (printed ||= Date.now()), 60_000);
  const lag = printed ? run.ended - printed : Infinity;
  const expected = '[3,5,"TimeoutError","TimeoutError"]';
  let how = run.status === 0 ? "" : `exit ${run.status ?? run.signal}`;
  if (!how && !run.output.includes(expected)) how = `printed ${JSON.stringify(run.output.trim())}, expected ${expected}`;
  if (!how && lag > EXIT_LIMIT_MS) how = `ended ${lag} ms after its last line (limit ${EXIT_LIMIT_MS} ms)`;
  if (!how) console.log(`  ended ${lag} ms after its last line`);
  else console.log(`  FAILED: ${how}`);
  return { what: `${what}, exit`, ok: !how, how, seconds: Math.round((Date.now() - started) / 1000), passed: how ? 0 : 1, failed: how ? 1 : 0 };
}

function finish(what, started, run, counts) {
  const ok = run.status === 0 && counts.failed === 0;
  const how = run.status !== 0 ? `exit ${run.status ?? run.signal}` : counts.failed === undefined ? "no count printed" : `${counts.failed} failed`;
  return { what, ok, how, seconds: Math.round((Date.now() - started) / 1000), ...counts };
}

/** Runs a command, its output both shown and kept; a command still running after `limitMs` is killed. */
function tee(bin, args, env = {}, onOutput = () => {}, limitMs = 20 * 60_000) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let output = "";
    const take = (sink) => (d) => {
      output += d;
      sink.write(d);
      onOutput();
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    const timer = setTimeout(() => {
      console.error(`test-matrix: ${bin} still running after ${limitMs / 1000} s: killed`);
      child.kill("SIGKILL");
    }, limitMs);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output: output.replace(/\x1b\[[0-9;]*m/g, ""), ended: Date.now() });
    });
  });
}

/** The path of a runtime's binary from node_modules, or a clear exit. */
function binary(name, path, dep) {
  if (path && existsSync(path) && spawnSync(path, ["--version"]).status === 0) return path;
  console.error(`test-matrix: no runnable ${name} binary (expected ${path || `one from the package ${dep}`}): run npm install, which installs the devDependency ${dep}`);
  process.exit(1);
}

/** The path of a runnable `node` of this major, installed into .cache/node-<major> when missing. */
function fetchNode(major) {
  const dir = join(root, ".cache", `node-${major}`);
  const bin = join(dir, "node_modules", pkg, "bin", exe);
  if (runs(bin, major)) return bin;
  console.log(`test-matrix: fetching Node ${major} (npm install ${pkg}@${major} into .cache/node-${major})…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const install = spawnSync(
    npm,
    ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, `${pkg}@${major}`],
    { cwd: dir, stdio: "inherit" },
  );
  if (install.status !== 0 || !runs(bin, major)) {
    console.error(`test-matrix: could not get a runnable Node ${major} from the npm package ${pkg}@${major} (expected ${bin})`);
    process.exit(1);
  }
  return bin;
}

function runs(bin, major) {
  if (!existsSync(bin)) return false;
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.startsWith(`v${major}.`);
}
