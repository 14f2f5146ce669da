// cpuCount() and platformInfo(): affinity masks and cgroup CPU quotas, for real where this machine
// allows (taskset, a cgroup v1 cpu controller), and from recorded /proc and /sys files otherwise.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cpuCount, platformInfo } from "isofutures";
import { detectCpuLimits } from "../platform/node/cpu.js";

const printCount = 'import("isofutures").then((m) => console.log(m.cpuCount()))';
const cwd = new URL("..", import.meta.url).pathname;

function machine(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "isofutures-cpu-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const V2_MOUNT = "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n";
const V1_MOUNT = "35 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n";
const status = (list: string) => `Name:\tnode\nCpus_allowed:\tff\nCpus_allowed_list:\t${list}\n`;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  delete process.env.ISOFUTURES_CPU_COUNT;
});
const fake = (files: Record<string, string>) => {
  const r = machine(files);
  roots.push(r);
  return r;
};

describe("cpuCount()", () => {
  it("is a positive integer no larger than what the runtime reports", () => {
    const n = cpuCount();
    expect(Number.isInteger(n) && n >= 1).toBe(true);
    expect(platformInfo()).toEqual({ runtime: "node", cpuCount: n, threads: true, processes: true, sharedMemory: true });
  });

  it("ISOFUTURES_CPU_COUNT overrides it; a bad value is a clear error", () => {
    process.env.ISOFUTURES_CPU_COUNT = "7";
    expect(cpuCount()).toBe(7);
    process.env.ISOFUTURES_CPU_COUNT = "0";
    expect(() => cpuCount()).toThrow(/ISOFUTURES_CPU_COUNT must be a positive integer, got "0"/);
    process.env.ISOFUTURES_CPU_COUNT = "two";
    expect(() => cpuCount()).toThrow(RangeError);
  });

  it("honours the CPU affinity mask (taskset, for real)", () => {
    const out = execFileSync("taskset", ["-c", "0", process.execPath, "-e", printCount], { cwd, encoding: "utf8" });
    expect(out.trim()).toBe("1");
  });

  it("counts the affinity list: 0-3,8,10-11 is 7 CPUs", () => {
    const root = fake({ "proc/self/status": status("0-3,8,10-11") });
    expect(detectCpuLimits(root, 16)).toMatchObject({ affinity: 7, count: 7 });
  });

  it("honours a cgroup v2 cpu.max quota, rounding up (1.5 CPUs → 2)", () => {
    const root = fake({
      "proc/self/status": status("0-7"),
      "proc/self/cgroup": "0::/app/worker\n",
      "proc/self/mountinfo": V2_MOUNT,
      "sys/fs/cgroup/app/worker/cpu.max": "150000 100000\n",
      "sys/fs/cgroup/app/cpu.max": "max 100000\n",
    });
    expect(detectCpuLimits(root, 8)).toEqual({ available: 8, affinity: 8, quota: 1.5, count: 2 });
  });

  it("takes the tightest quota on the way to the root (a parent's 0.5 CPU → 1)", () => {
    const root = fake({
      "proc/self/cgroup": "0::/app/worker\n",
      "proc/self/mountinfo": V2_MOUNT,
      "sys/fs/cgroup/app/worker/cpu.max": "400000 100000\n",
      "sys/fs/cgroup/app/cpu.max": "50000 100000\n",
    });
    expect(detectCpuLimits(root, 8)).toMatchObject({ quota: 0.5, count: 1 });
  });

  it("honours a cgroup v1 cfs quota, also when the mount root is the container's cgroup", () => {
    const root = fake({
      "proc/self/cgroup": "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n",
      "proc/self/mountinfo": V1_MOUNT.replace(" / /sys", " /docker/abc /sys"),
      "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "300000\n",
      "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    });
    expect(detectCpuLimits(root, 8)).toMatchObject({ quota: 3, count: 3 });
  });

  it("ignores an unlimited v1 quota (-1) and missing files", () => {
    const root = fake({
      "proc/self/cgroup": "4:cpu,cpuacct:/\n",
      "proc/self/mountinfo": V1_MOUNT,
      "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
      "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    });
    expect(detectCpuLimits(root, 4)).toEqual({ available: 4, count: 4 });
    expect(detectCpuLimits(fake({}), 3)).toEqual({ available: 3, count: 3 });
  });

  const cgroupV1 = "/sys/fs/cgroup/cpu";
  const canUseCgroup = process.platform === "linux" && process.getuid?.() === 0 && existsSync(join(cgroupV1, "cpu.cfs_quota_us"));
  it.skipIf(!canUseCgroup)("honours a real cgroup v1 quota of half a CPU (needs root and a cgroup v1 cpu controller)", () => {
    const group = join(cgroupV1, `isofutures-test-${process.pid}`);
    mkdirSync(group);
    try {
      writeFileSync(join(group, "cpu.cfs_period_us"), "100000");
      writeFileSync(join(group, "cpu.cfs_quota_us"), "50000");
      const r = spawnSync("sh", ["-c", `echo $$ > ${group}/cgroup.procs && exec "${process.execPath}" -e '${printCount}'`], { cwd, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("1");
    } finally {
      rmdirSync(group);
    }
  });
});
