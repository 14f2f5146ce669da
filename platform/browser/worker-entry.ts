/**
 * The bootstrap of the browser thread pool's workers. It is bundled into one string and started
 * from a Blob URL, so an app never has to serve a file of ours.
 * @internal
 * @module
 */
import { reviveManagerProxy } from "../../src/remote/manager.js";
import { setRemoteReviver } from "../../src/shared/revive.js";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { selfPort } from "./worker-port.js";

// A Manager's proxies reach this worker with a port of their own to the page that keeps the Manager.
setRemoteReviver(reviveManagerProxy);
startWorkerRuntime(selfPort());
