/**
 * isofutures for Node: `concurrent.futures` for JavaScript.
 * @packageDocumentation
 */
import { provideEngineKit } from "../../src/pool/engine.js";
import { engineKit } from "../../src/pool/engine-kit.js";

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
// Node's executors also take their map runner from it (map.ts, at once: maps start in the call).
provideEngineKit(engineKit);
