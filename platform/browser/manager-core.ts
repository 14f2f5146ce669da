/**
 * The broker's core as the chunk a browser `Manager` loads (manager.ts), sharing the front's file
 * (front.ts).
 * @internal
 * @module
 */
export { BrokerCore } from "../../src/remote/broker-core.js";
export { FRONT } from "./front.js";
