// The package as published: exports map, builds, and declarations.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
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
        "Barrier",
        "BoundedSemaphore",
        "BrokenBarrierError",
        "BrokenExecutorError",
        "Condition",
        "Connection",
        "EOFError",
        "Event",
        "JoinableQueue",
        "Lock",
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

  it("currentTask() outside a task is a clear error", async () => {
    const { currentTask } = await import("isofutures/worker");
    expect(() => currentTask()).toThrow(/outside a running task/);
  });
});
