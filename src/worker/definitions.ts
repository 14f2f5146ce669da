/**
 * The worker's function table: definitions arrive once per worker (`[handle, kind, a, b]`) and are
 * kept by handle — exports of the tasks module (imported as soon as the worker starts), `taskRef`
 * modules (cached by URL), and function sources (compiled once per distinct source). An entry is a
 * function, a promise while it loads, or {@link Unavailable} when it cannot be had (every task
 * that uses it fails with that error, and nothing else does).
 * @internal
 * @module
 */
import { DEF_EXPORT, DEF_REF, DEF_SOURCE, type FnDefWire } from "../wire/protocol.js";
import { Unavailable, compileSource, importModule, moduleError, pick, type Fn } from "./functions.js";
import { RuntimeState, type FnEntry } from "./state.js";

export abstract class FunctionTable extends RuntimeState {
  protected define(def: FnDefWire): void {
    const [handle, kind, a, b] = def;
    this.fromSource[handle] = kind === DEF_SOURCE;
    const entry = this.resolveDef(kind, a, b);
    this.fns[handle] = entry;
    if (entry instanceof Promise) {
      entry.then(
        (fn) => (this.fns[handle] = fn as Fn | Unavailable),
        (error: unknown) => (this.fns[handle] = new Unavailable(error)),
      );
    }
  }

  protected resolveDef(kind: number, a: string, b?: string): FnEntry {
    if (kind === DEF_SOURCE) {
      let entry = this.sourceCache.get(a);
      if (!entry) this.sourceCache.set(a, (entry = compileSource(a, this.init?.allowSource ?? true)));
      return entry;
    }
    const tasks = this.init?.tasks;
    if (kind === DEF_EXPORT) {
      if (this.tasksNs) return pick(this.tasksNs, a, tasks ?? "the served functions");
      if (this.tasksError !== undefined) return new Unavailable(moduleError(tasks ?? "", this.tasksError));
      if (!this.tasksModule) {
        return new Unavailable(
          new TypeError(`"${a}" names a task, but the executor was given no tasks module: pass { tasks: new URL("./tasks.js", import.meta.url) }, or submit a function or a taskRef`),
        );
      }
      return this.tasksModule.then(
        (ns) => pick(ns, a, tasks ?? ""),
        (error: unknown) => new Unavailable(moduleError(tasks ?? "", error)),
      );
    }
    if (kind === DEF_REF) {
      let mod = this.modules.get(a);
      if (!mod) this.modules.set(a, (mod = importModule(a)));
      return mod.then(
        (ns) => pick(ns, b as string, a),
        (error: unknown) => new Unavailable(moduleError(a, error)),
      );
    }
    return new Unavailable(new TypeError(`unknown function definition kind ${kind}`));
  }
}
