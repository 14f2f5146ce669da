/**
 * `cpuCount()` for Node: the parallelism this process may really use.
 *
 * `os.availableParallelism()` is where we start (libuv honours the affinity mask on Linux); then on
 * Linux the CPU affinity list and every cgroup CPU quota on the way from this process's cgroup to
 * the root (v2 `cpu.max`, v1 `cpu.cfs_quota_us / cpu.cfs_period_us`) can only lower it. A quota of
 * 1.5 CPUs counts as 2 (round up, as CPython's proposal for containers does). The environment
 * variable `ISOFUTURES_CPU_COUNT` overrides everything.
 * @module
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";

/** Where each limit came from (for tests and diagnostics). @internal */
export interface CpuLimits {
  /** What the runtime reports. */
  available: number;
  /** CPUs in the affinity mask, if known. */
  affinity?: number;
  /** The tightest cgroup quota, in CPUs (fractional), if any. */
  quota?: number;
  /** The answer: the minimum, quota rounded up, at least 1. */
  count: number;
}

let detected: number | undefined;

/**
 * The number of CPUs this process may really use: affinity mask and cgroup (container) CPU quotas
 * applied; `ISOFUTURES_CPU_COUNT` (a positive integer) overrides. The default `maxWorkers`.
 */
export function cpuCount(): number {
  const override = process.env.ISOFUTURES_CPU_COUNT;
  if (override !== undefined && override !== "") {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`ISOFUTURES_CPU_COUNT must be a positive integer, got ${JSON.stringify(override)}; unset it to detect the CPU count`);
    }
    return n;
  }
  detected ??= detectCpuLimits().count;
  return detected;
}

/**
 * Reads the limits. `root` prefixes every file read (`/proc/...`, `/sys/fs/cgroup/...`), so tests can
 * point it at a copy of another machine's files.
 * @internal
 */
export function detectCpuLimits(root = "/", available = baseline()): CpuLimits {
  const limits: CpuLimits = { available, count: available };
  if (process.platform !== "linux" && root === "/") return limits;
  const affinity = readAffinity(root);
  if (affinity !== undefined) limits.affinity = affinity;
  const quota = readQuota(root);
  if (quota !== undefined) limits.quota = quota;
  let count = available;
  if (affinity !== undefined && affinity < count) count = affinity;
  if (quota !== undefined && Math.ceil(quota) < count) count = Math.ceil(quota);
  limits.count = Math.max(1, count);
  return limits;
}

function baseline(): number {
  try {
    return availableParallelism();
  } catch {
    return Math.max(1, cpus().length);
  }
}

function read(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, file), "utf8");
  } catch {
    return undefined;
  }
}

function readAffinity(root: string): number | undefined {
  const status = read(root, "/proc/self/status");
  const line = status?.split("\n").find((l) => l.startsWith("Cpus_allowed_list:"));
  if (!line) return undefined;
  let n = 0;
  for (const part of line.slice(line.indexOf(":") + 1).trim().split(",")) {
    if (!part) continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isFinite(a)) return undefined;
    n += b === undefined ? 1 : b - a + 1;
  }
  return n > 0 ? n : undefined;
}

interface Mount {
  root: string;
  point: string;
  version: 1 | 2;
}

function readMounts(root: string): Mount[] {
  const text = read(root, "/proc/self/mountinfo");
  if (!text) return [];
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    // 36 35 0:30 /  /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
    const dash = line.indexOf(" - ");
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(" ");
    const [fstype, , options = ""] = line.slice(dash + 3).split(" ");
    const mroot = unescape(left[3] ?? "/");
    const point = unescape(left[4] ?? "");
    if (fstype === "cgroup2") mounts.push({ root: mroot, point, version: 2 });
    else if (fstype === "cgroup" && options.split(",").includes("cpu")) mounts.push({ root: mroot, point, version: 1 });
  }
  return mounts;
}

function unescape(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

// The tightest quota (in CPUs) on the path from our cgroup up to its hierarchy's root.
function readQuota(root: string): number | undefined {
  const cgroups = read(root, "/proc/self/cgroup");
  if (!cgroups) return undefined;
  const mounts = readMounts(root);
  let best: number | undefined;
  for (const line of cgroups.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers = "", path = "/"] = m;
    const v2 = id === "0" && controllers === "";
    if (!v2 && !controllers.split(",").includes("cpu")) continue;
    for (const mount of mounts) {
      if (mount.version !== (v2 ? 2 : 1)) continue;
      const rel = path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
      for (let dir = join(mount.point, rel); ; dir = join(dir, "..")) {
        const q = v2 ? quotaV2(root, dir) : quotaV1(root, dir);
        if (q !== undefined && (best === undefined || q < best)) best = q;
        if (dir === mount.point || dir.length <= mount.point.length || dir === "/") break;
      }
    }
  }
  return best;
}

function quotaV2(root: string, dir: string): number | undefined {
  const text = read(root, join(dir, "cpu.max"))?.trim();
  if (!text) return undefined;
  const [quota, period = "100000"] = text.split(/\s+/);
  if (quota === "max" || quota === undefined) return undefined;
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : undefined;
}

function quotaV1(root: string, dir: string): number | undefined {
  const q = Number(read(root, join(dir, "cpu.cfs_quota_us"))?.trim());
  const p = Number(read(root, join(dir, "cpu.cfs_period_us"))?.trim());
  return q > 0 && p > 0 ? q / p : undefined;
}
