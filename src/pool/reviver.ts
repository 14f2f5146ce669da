/**
 * The caller side's way to `shared/revive.ts`, which imports every shared-memory class: loaded the
 * first time a result holds a shared object, so that a program whose results never do carries none
 * of those classes. A platform whose bundle holds them anyway (Node) provides it at once, and its
 * results are then always rebuilt in the turn they arrive.
 * @internal
 * @module
 */
import type * as Revive from "../shared/revive.js";

export type Reviver = typeof Revive;

let loaded: Reviver | undefined;
let loading: Promise<Reviver> | undefined;

/** The reviver, if it has been loaded or provided. */
export function reviver(): Reviver | undefined {
  return loaded;
}

export function provideReviver(r: Reviver): void {
  loaded = r;
}

/** Loads the reviver (once); a caller that sends shared objects starts it early, as results may bring some back. */
export function loadReviver(): Promise<Reviver> {
  if (loaded) return Promise.resolve(loaded);
  return (loading ??= import("../shared/revive.js").then((r) => (loaded = r)));
}
