/**
 * Node's rule for `tasks` and `taskRef` modules: URLs stay URLs; paths resolve against the current
 * directory, like `new URL(path, cwd)`.
 * @internal
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export function resolveModule(spec: string | URL): string {
  if (spec instanceof URL) return spec.href;
  if (typeof spec !== "string" || spec === "") throw new TypeError(`expected a URL or a path, got ${String(spec)}`);
  // A scheme of two or more letters is a URL (file:, data:, node:); "C:\…" is a Windows path.
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(spec) && !isAbsolute(spec)) return new URL(spec).href;
  return pathToFileURL(resolve(process.cwd(), spec)).href;
}
