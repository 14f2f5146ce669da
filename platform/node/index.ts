/**
 * isofutures for Node: `concurrent.futures` for JavaScript.
 * @packageDocumentation
 */
import { provideEngineKit } from "../../src/pool/engine.js";
import { engineKit } from "../../src/pool/engine-kit.js";
import { provideMapRunner } from "../../src/pool/map-call.js";
import { runMap } from "../../src/pool/map.js";

export * from "../../src/index.js";
export { ThreadPoolExecutor, type ThreadPoolOptions } from "./thread-pool.js";
export { ProcessPoolExecutor, type ProcessPoolOptions } from "./process-pool.js";
export { InlineExecutor } from "./inline.js";
export { createExecutor, type CreateExecutorOptions } from "./create-executor.js";
export { cpuCount } from "./cpu.js";
export { platformInfo } from "./platform-info.js";
export { Manager } from "./manager.js";
export { Process, activeChildren } from "./process.js";

// isofutures/bullmq's QueueExecutor extends this copy's Executor: its engine settles this copy's futures.
provideEngineKit(engineKit);
// Maps start in the call itself, as the contract says; a browser bundle loads map.ts on the first map.
provideMapRunner(runMap);
