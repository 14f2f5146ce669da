/**
 * The engine of Node's pools: the scheduler, made at once. Node's bundle holds every shared-memory
 * class anyway, so the reviver is provided now and results holding shared objects settle in the turn
 * they arrive (browsers load it on first need: see src/pool/reviver.ts).
 * @internal
 * @module
 */
import type { SchedulerMaker } from "../../src/pool/engine.js";
import { provideReviver } from "../../src/pool/reviver.js";
import { startScheduler } from "../../src/pool/scheduler/scheduler.js";
import * as revive from "../../src/shared/revive.js";

export const nodeScheduler: SchedulerMaker = (factory, config) => {
  provideReviver(revive);
  return startScheduler(factory, config);
};
