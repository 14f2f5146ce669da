/**
 * References to task functions: `taskRef(moduleUrl, exportName)`.
 * @module
 */
import { describe } from "../util/describe.js";
import type { TaskFunction } from "../types.js";

const TASK_REF = Symbol.for("isofutures.taskRef");

/**
 * A reference to the export `name` of the module at `module`, usable with `submit` and `map`.
 * `F` is the function's type, for typed results: `taskRef<typeof import("./m.js").fib>(url, "fib")`.
 */
export interface TaskRef<F extends TaskFunction = TaskFunction> {
  /** The module's URL or path, as given. */
  readonly module: string;
  /** The export's name. */
  readonly name: string;
  /** @internal type carrier only */
  readonly __fn?: F;
}

/**
 * A reference to a function exported by any ES module. A relative `moduleUrl` string resolves like
 * `new URL(moduleUrl, base)` with base = the current directory (Node) or the page (browser);
 * `new URL("./m.js", import.meta.url)` is the reliable form.
 */
export function taskRef<F extends TaskFunction = TaskFunction>(
  moduleUrl: string | URL,
  exportName: string,
): TaskRef<F> {
  const module = typeof moduleUrl === "string" ? moduleUrl : moduleUrl instanceof URL ? moduleUrl.href : undefined;
  if (module === undefined || module === "") {
    throw new TypeError(`taskRef(moduleUrl, exportName): moduleUrl must be a URL or a non-empty string, got ${describe(moduleUrl)}`);
  }
  if (typeof exportName !== "string" || exportName === "") {
    throw new TypeError(`taskRef(moduleUrl, exportName): exportName must be a non-empty string, got ${describe(exportName)}`);
  }
  return Object.freeze({ [TASK_REF]: true, module, name: exportName }) as TaskRef<F>;
}

/** Is this a {@link taskRef} result? @internal */
export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === "object" && value !== null && (value as { [TASK_REF]?: unknown })[TASK_REF] === true;
}
