// Prepares a checkout for `npm test`, `npm start` and `npm run bench`, using only Node built-ins
// (it runs before node_modules exists): installs dependencies when they are missing or older than
// package-lock.json, and links the package to itself (node_modules/isofutures) so that tests,
// demos and benchmarks import "isofutures" exactly as a user does, through package.json "exports".
// With --browser it also makes sure a Chromium is there for the browser tests: one found on the
// machine (CHROMIUM_PATH, /usr/bin/chromium…), else Debian's package, installed with apt-get.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const marker = join(modules, ".package-lock.json");
const lock = join(root, "package-lock.json");

const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.log("setup: installing dependencies (npm install)…");
  // `npm ci` rejects lock files written here for packages with optional platform builds; `npm install`
  // honours the committed package-lock.json.
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}

const self = join(modules, "isofutures");
let linked = false;
try {
  linked = lstatSync(self).isSymbolicLink() && readlinkSync(self) === "..";
} catch {
  // not there yet
}
if (!linked) {
  rmSync(self, { recursive: true, force: true });
  mkdirSync(modules, { recursive: true });
  symlinkSync("..", self, "dir");
}

if (process.argv.includes("--browser")) ensureChromium();

function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome", "/snap/bin/chromium"];
  if (candidates.some((p) => p && existsSync(p))) return;
  const apt = ["/usr/bin/apt-get", "/bin/apt-get"].find((p) => existsSync(p));
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!apt) {
    console.error("setup: no Chromium found and no apt-get to install one: install Chromium and set CHROMIUM_PATH");
    process.exit(1);
  }
  const sudo = root ? [] : ["sudo", "-n"];
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    const r = spawnSync(cmd, rest, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) {
      console.error(`setup: '${args.join(" ")}' failed; install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
      process.exit(1);
    }
  };
  console.log("setup: installing Chromium for the browser tests (apt-get install -y chromium)…");
  run([apt, "update", "-qq"]);
  run([apt, "install", "-y", "-qq", "chromium"]);
}
