/**
 * `map`'s iteration (src/pool/map.ts) as the chunk a browser loads on the first map (see
 * src/pool/lazy-map.ts), sharing the front's file (front.ts).
 * @internal
 * @module
 */
export { runMap } from "../../src/pool/map.js";
export { FRONT } from "./front.js";
