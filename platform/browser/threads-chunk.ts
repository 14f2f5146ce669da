/**
 * The threads.js translator (src/pool/threads-protocol.ts) as the chunk a browser loads for a pool
 * with `protocol: "threads.js"`, sharing the front's file (front.ts).
 * @internal
 * @module
 */
export { threadsProtocol } from "../../src/pool/threads-protocol.js";
export { FRONT } from "./front.js";
