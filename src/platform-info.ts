/** The shape of `platformInfo()`. @module */

/** What the running platform offers, as `platformInfo()` reports it. */
export interface PlatformInfo {
  /** Which JavaScript runtime this is. */
  runtime: "node" | "browser" | "deno" | "bun";
  /** `cpuCount()`: the parallelism this process may really use. */
  cpuCount: number;
  /** Can `ThreadPoolExecutor` run here? */
  threads: boolean;
  /** Can `ProcessPoolExecutor` run here? */
  processes: boolean;
  /** Is `SharedArrayBuffer` usable (false in a page that is not cross-origin isolated)? */
  sharedMemory: boolean;
}
