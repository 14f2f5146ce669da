/**
 * isofutures for Node: `concurrent.futures` for JavaScript.
 * @packageDocumentation
 */
export * from "../../src/index.js";
export { ThreadPoolExecutor, type ThreadPoolOptions } from "./thread-pool.js";
export { ProcessPoolExecutor, type ProcessPoolOptions } from "./process-pool.js";
export { InlineExecutor } from "./inline.js";
export { createExecutor, type CreateExecutorOptions } from "./create-executor.js";
export { cpuCount } from "./cpu.js";
export { platformInfo } from "./platform-info.js";
export { Manager } from "./manager.js";
export { Process, activeChildren } from "./process.js";
