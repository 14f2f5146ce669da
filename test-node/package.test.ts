// The package as published: exports map, builds, and declarations.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

describe("the package", () => {
  it("has node, browser and default conditions, with types, for every entry", () => {
    for (const entry of [".", "./worker"]) {
      const e = pkg.exports[entry];
      expect(Object.keys(e)).toEqual(["node", "browser", "default"]);
      for (const target of [e.node.import, e.node.require, e.browser, e.default]) {
        expect(readFileSync(new URL(target.types, root), "utf8").length).toBeGreaterThan(100);
        expect(readFileSync(new URL(target.default, root), "utf8").length).toBeGreaterThan(100);
      }
    }
    expect(pkg.engines.node).toBe(">=20");
    expect(pkg.type).toBe("module");
  });

  it("the browser build reaches no Node built-in", () => {
    const dir = new URL("dist/browser/", root);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      expect(readFileSync(new URL(file, dir), "utf8")).not.toMatch(/from ["']node:|require\(["']node:|import\(["']node:/);
    }
  });

  it("require() resolves the CommonJS build with the same API as the ESM build", async () => {
    const require = createRequire(import.meta.url);
    const cjs = require("isofutures");
    const esm = await import("isofutures");
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });

  it("exports exactly the public API", async () => {
    const esm = await import("isofutures");
    expect(Object.keys(esm).sort()).toEqual(
      [
        "ALL_COMPLETED",
        "BaseProcess",
        "Process",
        "activeChildren",
        "currentProcess",
        "parentProcess",
        "Barrier",
        "BoundedSemaphore",
        "BrokenBarrierError",
        "BrokenExecutorError",
        "Condition",
        "Connection",
        "DictProxy",
        "EOFError",
        "Event",
        "JoinableQueue",
        "ListProxy",
        "Lock",
        "Manager",
        "Pipe",
        "Queue",
        "RLock",
        "RingBuffer",
        "Semaphore",
        "SharedArray",
        "TaskStream",
        "CancelledError",
        "Executor",
        "FIRST_COMPLETED",
        "FIRST_EXCEPTION",
        "Future",
        "InlineExecutor",
        "InvalidStateError",
        "ProcessPoolExecutor",
        "ShutdownError",
        "ThreadPoolExecutor",
        "TimeoutError",
        "UnsupportedError",
        "WorkerCrashedError",
        "asCompleted",
        "cpuCount",
        "createExecutor",
        "platformInfo",
        "taskRef",
        "transfer",
        "wait",
      ].sort(),
    );
    const worker = await import("isofutures/worker");
    expect(Object.keys(worker).sort()).toEqual(["currentTask", "serve", "transfer"]);
  });

  it("isofutures/bullmq: QueueExecutor extends the very Executor of isofutures (ESM and CommonJS), with types that import it", async () => {
    const [core, queue] = await Promise.all([import("isofutures"), import("isofutures/bullmq")]);
    expect(Object.keys(queue)).toEqual(["QueueExecutor"]);
    expect(Object.getPrototypeOf(queue.QueueExecutor)).toBe(core.Executor);
    const require = createRequire(import.meta.url);
    expect(Object.getPrototypeOf(require("isofutures/bullmq").QueueExecutor)).toBe(require("isofutures").Executor);
    const types = readFileSync(new URL("dist/bullmq.d.ts", root), "utf8");
    expect(types).toMatch(/from 'isofutures'/);
    expect(types).not.toMatch(/declare class Future/);
  });

  it("the main entries never load bullmq or ioredis", () => {
    const dir = new URL("dist/node/", root);
    const queueFiles = new Set(["bullmq.js", "bullmq.cjs", "cli.js"]);
    for (const file of readdirSync(dir).filter((f) => /\.c?js$/.test(f) && !queueFiles.has(f) && !f.startsWith("queue-"))) {
      expect(readFileSync(new URL(file, dir), "utf8"), file).not.toMatch(/["'](bullmq|ioredis)["']/);
    }
  });

  it("installed from its tarball, `npx isofutures worker` is there and explains itself", () => {
    const dir = mkdtempSync(join(tmpdir(), "isofutures-pack-"));
    const opts = { cwd: dir, encoding: "utf8" as const, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } };
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir, fileURLToPath(root)], opts).trim().split("\n").pop()!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", "--silent", "--no-audit", "--no-fund", "--offline", join(dir, tarball)], opts);
    const help = spawnSync("npx", ["--no-install", "isofutures", "worker", "--help"], opts);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: isofutures worker --redis URL --queue NAME/);
    const bad = spawnSync("npx", ["--no-install", "isofutures", "worker", "--queue", "q"], opts);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--redis URL is required/);
    // bullmq and ioredis are optional peers, not installed here:
    const peers = spawnSync("npx", ["--no-install", "isofutures", "worker", "--redis", "redis://127.0.0.1:1", "--queue", "q"], opts);
    expect(peers.status).toBe(1);
    expect(peers.stderr).toMatch(/needs the packages bullmq and ioredis, and bullmq is not installed here: npm install bullmq ioredis/);
  }, 120_000);

  it("currentTask() outside a task is a clear error", async () => {
    const { currentTask } = await import("isofutures/worker");
    expect(() => currentTask()).toThrow(/outside a running task/);
  });
});
