/**
 * `platformInfo()` for Node (and for Deno and Bun, which load the Node build).
 * @module
 */
import type { PlatformInfo } from "../../src/platform-info.js";
import { cpuCount } from "./cpu.js";

/** What this platform offers: runtime, CPU count, and which executors and shared memory work. */
export function platformInfo(): PlatformInfo {
  const g = globalThis as { Deno?: unknown };
  const runtime = g.Deno !== undefined ? "deno" : process.versions.bun !== undefined ? "bun" : "node";
  return {
    runtime,
    cpuCount: cpuCount(),
    threads: true,
    processes: true,
    sharedMemory: typeof SharedArrayBuffer === "function",
  };
}
