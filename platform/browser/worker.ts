/**
 * `isofutures/worker` for browsers: what task code may import.
 * @module
 */
export { currentTask, transfer, type CurrentTask } from "../../src/worker-api.js";
