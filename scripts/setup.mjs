// Prepares a checkout for `npm test`, `npm start` and `npm run bench`, using only Node built-ins
// (it runs before node_modules exists): installs dependencies when they are missing or older than
// package-lock.json, and links the package to itself (node_modules/isofutures) so that tests,
// demos and benchmarks import "isofutures" exactly as a user does, through package.json "exports".
import { execFileSync } from "node:child_process";
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
