/**
 * Turns what users pass as `fn` (an export name, a `taskRef`, a self-contained function) into a
 * numbered {@link FnDef}, once per distinct function: later submits cost one map lookup, and each
 * worker compiles or imports a function once.
 * @internal
 * @module
 */
import { describe } from "../util/describe.js";
import { DEF_EXPORT, DEF_REF, DEF_SOURCE } from "../wire/protocol.js";
import type { FnDef } from "./task.js";
import { isTaskRef } from "../wire/task-ref.js";

export class FunctionTable {
  readonly #byName = new Map<string, FnDef>();
  readonly #byFunction = new WeakMap<object, FnDef>();
  readonly #byKey = new Map<string, FnDef>();
  #next = 0;

  constructor(
    private readonly hasTasks: boolean,
    private readonly resolveModule: (spec: string) => string,
    private readonly what: string,
  ) {}

  /** The definition of `fn`; throws TypeError if `fn` is not a task. */
  lookup(fn: unknown, caller: string): FnDef {
    if (typeof fn === "string") {
      const known = this.#byName.get(fn);
      if (known) return known;
      return this.#named(fn, caller);
    }
    if (typeof fn === "function" || isTaskRef(fn)) {
      const known = this.#byFunction.get(fn as object);
      if (known) return known;
      const def = typeof fn === "function" ? this.#source(fn, caller) : this.#ref(fn.module, fn.name, caller);
      this.#byFunction.set(fn as object, def);
      return def;
    }
    throw new TypeError(
      `${caller}: fn must be the name of an export of the tasks module, a taskRef(url, name), or a self-contained function; got ${describe(fn)}`,
    );
  }

  #named(name: string, caller: string): FnDef {
    if (name === "") throw new TypeError(`${caller}: the task name is empty`);
    if (!this.hasTasks) {
      throw new TypeError(
        `${caller}("${name}"): this ${this.what} has no tasks module to find "${name}" in; create it with ` +
          `{ tasks: new URL("./tasks.js", import.meta.url) } (or a worker that calls serve()), or pass a function or a taskRef`,
      );
    }
    const def: FnDef = { handle: this.#next++, wire: [0, DEF_EXPORT, name], label: `task "${name}"` };
    (def.wire as unknown[])[0] = def.handle;
    this.#byName.set(name, def);
    return def;
  }

  #ref(module: string, name: string, caller: string): FnDef {
    let url: string;
    try {
      url = this.resolveModule(module);
    } catch (error) {
      throw new TypeError(`${caller}: taskRef module ${JSON.stringify(module)} is not a usable URL or path: ${(error as Error).message}`);
    }
    return this.#keyed(`r\0${url}\0${name}`, () => [DEF_REF, url, name], `"${name}" from ${url}`);
  }

  #source(fn: Function, caller: string): FnDef {
    const source = Function.prototype.toString.call(fn);
    if (/^class[\s{]/.test(source)) {
      throw new TypeError(`${caller}: a class is not a task function; pass a function, or export one from a tasks module`);
    }
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError(
        `${caller}: ${fn.name ? `"${fn.name}" is` : "this is"} a native or bound function, whose source cannot be sent to a worker; ` +
          "wrap it in a self-contained function (e.g. (x) => Math.sqrt(x)) or export it from a tasks module",
      );
    }
    const label = fn.name ? `function ${fn.name}` : "an anonymous function";
    return this.#keyed(`s\0${source}`, () => [DEF_SOURCE, source], label);
  }

  #keyed(key: string, wire: () => [number, string, string?], label: string): FnDef {
    const known = this.#byKey.get(key);
    if (known) return known;
    const handle = this.#next++;
    const [kind, a, b] = wire();
    const def: FnDef = { handle, wire: b === undefined ? [handle, kind, a] : [handle, kind, a, b], label };
    this.#byKey.set(key, def);
    return def;
  }
}
