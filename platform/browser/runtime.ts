/**
 * Which runtime loaded the browser build. The build also runs in Deno, Bun and Node (through a CDN,
 * a bundle, or an import of its file), whose own globals tell them apart from a browser.
 * @internal
 * @module
 */
import type { PlatformInfo } from "../../src/platform-info.js";

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
  process?: { versions?: { node?: unknown } };
}

export function runtimeName(): PlatformInfo["runtime"] {
  const g = globalThis as RuntimeGlobals;
  // Deno and Bun have `process.versions.node` too: ask for them first.
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  return typeof g.process?.versions?.node === "string" ? "node" : "browser";
}

/**
 * Why the browser build's `ThreadPoolExecutor` refuses to run in Deno: Deno's `Worker.terminate()`
 * does not stop a worker in a loop that never yields (measured: it keeps its CPU, and the program
 * never exits), so a timeout, an aborted signal or `terminate()` could not stop a runaway task.
 */
export const DENO_WEB_WORKERS =
  "ThreadPoolExecutor of the browser build does not run in Deno: Deno's Worker.terminate() does not stop a task " +
  "that never yields, so a timeout or terminate() would leave it running and the program could never exit. Import " +
  'the package\'s Node build, which Deno picks by default ("npm:isofutures", or "isofutures" with a package.json): ' +
  "its pools run on node:worker_threads and child processes, which Deno stops; or use InlineExecutor.";
