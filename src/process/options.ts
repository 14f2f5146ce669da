/**
 * The options of `Process`, and their checks: an unknown option is an error naming the closest
 * known one, so a misspelt `deamon: true` cannot silently give a non-daemon process.
 * @module
 */
import { checkOptions } from "../util/options.js";
import { isTaskRef, type TaskRef } from "../wire/task-ref.js";
import type { AnyTasks, TaskFunction, TaskName } from "../types.js";
import { describe } from "../util/describe.js";

/** Where a `Process` runs its target: a Node child process, or a worker thread (a Web Worker in browsers). */
export type ProcessKind = "process" | "thread";

/**
 * Options of `new Process(options)`. `M` is the type of the tasks module
 * (`typeof import("./tasks.js")`): with it, `target` names are checked.
 */
export interface ProcessOptions<M extends object = AnyTasks> {
  /**
   * What the process runs: the name of an export of `tasks`, a `taskRef(url, name)`, or a
   * self-contained function (sent as source: it must not use variables from outside itself).
   * Its return value is dropped; the process ends when it returns (or its promise settles).
   */
  target: TaskName<M> | TaskFunction | TaskRef;
  /**
   * The target's arguments, structured-cloned (`transfer()` markers move buffers to a thread).
   * Shared objects (`Queue`, `Lock`, `Event`…) work on the other side, whole or inside plain
   * objects and arrays. @defaultValue `[]`
   */
  args?: readonly unknown[] | undefined;
  /**
   * `"process"`: a Node child process (`child_process.fork`). `"thread"`: a worker thread; a Web
   * Worker in browsers, where it is the only kind. @defaultValue `"process"` in Node, `"thread"` in browsers
   */
  kind?: ProcessKind | undefined;
  /** Its name, as `currentProcess().name` tells it inside. @defaultValue `"Process-N"`, N counting the Processes made in this thread (`"Process-2:1"` for the first one Process-2 makes) */
  name?: string | undefined;
  /**
   * A daemon process does not keep the program alive, and ends when the program ends; a
   * non-daemon one keeps the program alive until it ends, as Python waits for its children.
   * @defaultValue `false`
   */
  daemon?: boolean | undefined;
  /** URL or path of the ES module whose export `target` names (resolved as an executor's `tasks`). */
  tasks?: string | URL | undefined;
  /** Node only: the child's or thread's `process.env`. @defaultValue the parent's */
  env?: Record<string, string | undefined> | undefined;
  /** Node only: Node flags of the child or thread. @defaultValue the parent's `process.execArgv` minus `-e`, `-p`, `--input-type`, test-runner and watch flags */
  execArgv?: readonly string[] | undefined;
}

const KNOWN: readonly (keyof ProcessOptions)[] = ["target", "args", "kind", "name", "daemon", "tasks", "env", "execArgv"];

/** What the constructor keeps of valid options. */
export interface CheckedOptions {
  args: unknown[];
  kind: ProcessKind;
  name: string | undefined;
  daemon: boolean;
  tasks: string | URL | undefined;
}

/** Checks every option but `target` (the function table checks it) and the Node-only ones (the platform does). */
export function checkProcessOptions(options: unknown, defaultKind: ProcessKind): CheckedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`new Process(options): options must be an object such as { target: "work", args: [1] }, got ${describe(options)}`);
  }
  checkOptions(options, KNOWN, "new Process(options)");
  const o = options as ProcessOptions;
  const target: unknown = o.target;
  if (typeof target !== "string" && typeof target !== "function" && !isTaskRef(target)) {
    throw new TypeError(
      `new Process(options): target must be the name of an export of tasks, a taskRef(url, name), or a self-contained function; got ${target === undefined ? "none" : describe(target)}`,
    );
  }
  if (o.args !== undefined && !Array.isArray(o.args)) {
    throw new TypeError(`new Process(options): args must be an array of the target's arguments, got ${describe(o.args)}`);
  }
  if (o.kind !== undefined && o.kind !== "process" && o.kind !== "thread") {
    throw new TypeError(`new Process(options): kind must be "process" or "thread", got ${describe(o.kind)}`);
  }
  if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) {
    throw new TypeError(`new Process(options): name must be a non-empty string, got ${describe(o.name)}`);
  }
  if (o.daemon !== undefined && typeof o.daemon !== "boolean") {
    throw new TypeError(`new Process(options): daemon must be true or false, got ${describe(o.daemon)}`);
  }
  if (o.tasks !== undefined && typeof o.tasks !== "string" && !(o.tasks instanceof URL)) {
    throw new TypeError(`new Process(options): tasks must be a URL or a path string, got ${describe(o.tasks)}`);
  }
  if (o.env !== undefined && (typeof o.env !== "object" || o.env === null)) {
    throw new TypeError(`new Process(options): env must be an object of environment variables, got ${describe(o.env)}`);
  }
  if (o.execArgv !== undefined && (!Array.isArray(o.execArgv) || o.execArgv.some((a) => typeof a !== "string"))) {
    throw new TypeError(`new Process(options): execArgv must be an array of strings (Node flags), got ${describe(o.execArgv)}`);
  }
  return {
    args: o.args ? [...o.args] : [],
    kind: o.kind ?? defaultKind,
    name: o.name,
    daemon: o.daemon ?? false,
    tasks: o.tasks,
  };
}
