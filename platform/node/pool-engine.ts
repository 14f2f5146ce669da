/**
 * The engine of Node's pools: the scheduler, made at once. Node's bundle holds every shared-memory
 * class anyway: every kind is registered now, so results holding shared objects settle in the turn
 * they arrive (a browser bundle holds only the classes the app imports: see src/pool/reviver.ts).
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import { startScheduler } from "../../src/pool/scheduler/scheduler.js";
import { allKinds } from "../../src/shared/all-kinds.js";

export const nodeScheduler: SchedulerMaker = (factory, config) => {
  allKinds();
  return startScheduler(factory, config);
};
