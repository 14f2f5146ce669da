/**
 * A copy of every shared-object class, for a page whose bundle lacks the class of an object that
 * comes back from a worker (a worker made it; the page never imported its class). The build makes
 * this one file with no import of its own (rollup.config.mjs, `virtual:kinds-copy`), loaded only
 * then: a bundler that groups modules by who can reach them (esbuild) would otherwise load the
 * package's own class files with every app. The copy's objects work on the same memory and wire
 * forms as the package's own; a class the page imports later is used from then on.
 * @internal
 * @module
 */
import { allKinds } from "../../src/shared/all-kinds.js";
import { registeredKinds, type KindReviver } from "../../src/shared/shareable.js";

export function kinds(): [string, KindReviver][] {
  allKinds();
  return registeredKinds();
}
