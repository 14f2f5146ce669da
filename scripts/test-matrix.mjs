// The runtime matrix: runs the Node test suite (test-node/, not the browser tests) again under each
// other Node major listed below, after `vitest run` has run everything under the Node that runs
// npm. The binaries come from the npm registry (the packages node-<platform>-<arch>@<major>, which
// ship a runnable bin/node) and are kept in .cache/node-<major>, so later runs start at once.
// Uses only Node built-ins and npm. Any failure on any runtime fails this script.
//   node scripts/test-matrix.mjs            every runtime below
//   node scripts/test-matrix.mjs 22         only Node 22
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MAJORS = ["22", "24"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const platform = process.platform === "win32" ? "win" : process.platform;
const pkg = `node-${platform}-${process.arch}`;
const exe = process.platform === "win32" ? "node.exe" : "node";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// Without arguments: every major above except the one running this script (vitest just ran under it).
const running = process.versions.node.split(".")[0];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : MAJORS.filter((m) => m !== running);
const results = [];
for (const major of wanted) {
  const started = Date.now();
  const node = fetchNode(major);
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  console.log(`\ntest-matrix: Node ${version} (${node})`);
  const run = spawnSync(node, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "test-node"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ISOFUTURES_MATRIX_NODE: version },
  });
  const ok = run.status === 0;
  results.push({ version, ok, seconds: Math.round((Date.now() - started) / 1000), how: run.status ?? run.signal });
}

console.log("\ntest-matrix:");
for (const r of results) console.log(`  Node ${r.version}: ${r.ok ? "passed" : `FAILED (exit ${r.how})`} in ${r.seconds} s`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

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
