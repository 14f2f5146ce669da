/**
 * Where a page's results find the classes of shared objects its bundle lacks (src/pool/reviver.ts):
 * the self-contained copy of them (kinds-copy.ts). Set by the engines, which load with a pool.
 * @internal
 * @module
 */
import { setKindLoader } from "../../src/pool/reviver.js";

export function useKindsCopy(): void {
  setKindLoader(() => import("virtual:kinds-copy").then((m) => m.kinds()));
}
