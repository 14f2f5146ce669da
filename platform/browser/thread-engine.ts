/**
 * The browser thread pool's engine: the scheduler, with workers spawned by web-worker-spawn.ts. A
 * chunk of its own (see web-worker.ts), loaded when the first `ThreadPoolExecutor` is made.
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import { startScheduler } from "../../src/pool/scheduler/scheduler.js";
import { useKindsCopy } from "./kinds-loader.js";
import type { Spawn } from "./web-worker.js";

// The front this chunk shares with the app comes as one file (front.ts).
export { FRONT } from "./front.js";

export function threadScheduler(spawn: Spawn): SchedulerMaker {
  useKindsCopy();
  return (factory, config) => startScheduler({ ...factory, spawn }, config);
}
