/**
 * The browser's rule for `tasks` and `taskRef` modules: relative to the page (or, inside a worker,
 * to the worker's own URL).
 * @internal
 * @module
 */
import { web } from "./dom.js";

export function resolveModule(spec: string | URL): string {
  return new URL(spec, web.location?.href).href;
}
