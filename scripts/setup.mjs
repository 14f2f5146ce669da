// Prepares a checkout for `npm test`, `npm start` and `npm run bench`, using only Node built-ins
// (it runs before node_modules exists): installs dependencies when they are missing or older than
// package-lock.json, and links the package to itself (node_modules/isofutures) so that tests,
// demos and benchmarks import "isofutures" exactly as a user does, through package.json "exports".
// With --browser it also makes sure the browsers of the browser tests are there — Chromium
// (CHROMIUM_PATH, /usr/bin/chromium…), Firefox (FIREFOX_PATH, /usr/bin/firefox-esr…), WebKitGTK's
// WebDriver (WEBKIT_DRIVER, /usr/bin/WebKitWebDriver, which brings the MiniBrowser) and Xvfb for it
// (XVFB, /usr/bin/Xvfb) — and with --redis a redis-server for the queue tests (REDIS_SERVER,
// /usr/bin/redis-server…); what is missing comes from Debian's packages, installed with apt-get.
// Bun and Deno are devDependencies (npm packages `bun` and `deno`), installed with the rest.
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
  console.log("setup: installing dependencies (npm install: 10–20 s when npm's cache has them, longer when it downloads)…");
  const started = performance.now();
  // `npm ci` rejects lock files written here for packages with optional platform builds; `npm install`
  // honours the committed package-lock.json. The lock pins every version and checksum, so npm may
  // take what its cache holds without asking the registry again (--prefer-offline; a quarter faster).
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: root, stdio: "inherit" });
  console.log(`setup: dependencies installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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

const wanted = [];
if (process.argv.includes("--browser")) {
  wanted.push({
    what: "Chromium, for the browser tests",
    candidates: [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome", "/snap/bin/chromium"],
    pkg: "chromium",
    env: "CHROMIUM_PATH",
  });
  wanted.push({
    what: "Firefox, for the browser tests",
    candidates: [process.env.FIREFOX_PATH, "/usr/bin/firefox-esr", "/usr/bin/firefox"],
    pkg: "firefox-esr",
    env: "FIREFOX_PATH",
  });
  wanted.push({
    what: "WebKitGTK's WebDriver, for the browser tests",
    candidates: [process.env.WEBKIT_DRIVER, "/usr/bin/WebKitWebDriver"],
    pkg: "webkit2gtk-driver",
    env: "WEBKIT_DRIVER",
  });
  wanted.push({
    what: "Xvfb, a display for WebKitGTK",
    candidates: [process.env.XVFB, "/usr/bin/Xvfb"],
    pkg: "xvfb",
    env: "XVFB",
  });
}
if (process.argv.includes("--redis")) {
  wanted.push({
    what: "redis-server, for the QueueExecutor tests",
    candidates: [process.env.REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"],
    pkg: "redis-server",
    env: "REDIS_SERVER",
  });
}
const missing = wanted.filter((w) => !w.candidates.some((p) => p && existsSync(p)));
if (missing.length > 0) aptInstall(missing);

// Installs Debian packages with apt-get (as root, or through sudo -n).
function aptInstall(items) {
  const apt = ["/usr/bin/apt-get", "/bin/apt-get"].find((p) => existsSync(p));
  const hint = items.map((w) => `${w.pkg} (or set ${w.env})`).join(", ");
  if (!apt) {
    console.error(`setup: missing ${items.map((w) => w.what).join(" and ")}, and no apt-get to install them: install ${hint}`);
    process.exit(1);
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = root ? [] : ["sudo", "-n"];
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    const r = spawnSync(cmd, rest, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) {
      console.error(`setup: '${args.join(" ")}' failed; install ${hint}`);
      process.exit(1);
    }
  };
  console.log(`setup: installing ${items.map((w) => w.what).join(" and ")} (apt-get install -y ${items.map((w) => w.pkg).join(" ")})…`);
  run([apt, "update", "-qq"]);
  run([apt, "install", "-y", "-qq", ...items.map((w) => w.pkg)]);
}
