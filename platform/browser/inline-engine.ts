/**
 * The browser `InlineExecutor`'s engine: the scheduler, with the worker runtime on the calling
 * thread. A chunk of its own, loaded when the first `InlineExecutor` is made, so that importing
 * the package does not bring the worker runtime into an app's main bundle.
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import { startScheduler } from "../../src/pool/scheduler/scheduler.js";
import { spawnInline } from "../../src/inline-endpoint.js";
import { useKindsCopy } from "./kinds-loader.js";

// The front this chunk shares with the app comes as one file (front.ts).
export { FRONT } from "./front.js";

export const inlineScheduler: SchedulerMaker = (factory, config) => {
  useKindsCopy();
  return startScheduler({ ...factory, spawn: spawnInline }, config);
};
