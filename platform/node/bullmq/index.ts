/**
 * `isofutures/bullmq`: the Executor API on BullMQ + Redis. `bullmq` and `ioredis` are optional
 * peer dependencies: install them to use this entry; the rest of isofutures never loads them.
 * @module
 */
export { QueueExecutor, type QueueExecutorOptions } from "./queue-executor.js";
