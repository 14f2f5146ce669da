/**
 * The bootstrap of the browser thread pool's workers. It is bundled into one string and started
 * from a Blob URL, so an app never has to serve a file of ours.
 * @internal
 * @module
 */
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { selfPort } from "./worker-port.js";

startWorkerRuntime(selfPort());
