/**
 * Results holding a shared object of a kind this bundle has no class for: a worker made it, and the
 * app never imported its class (each class registers its kind as its module loads: shared/shareable.ts).
 * The platform may then load the classes (browsers: a self-contained copy of them, in a file of its
 * own, so that an app's bundle never carries them unasked); the result settles once they are there.
 * Node's bundle registers every kind at once (all-kinds.ts), and never waits.
 * @internal
 * @module
 */
import { MAX_DEPTH, MAX_VISITS, WIRE_KEY, hasAllKinds, isPlain, isWireShared, kindReviver, registerKind, type KindReviver } from "../shared/shareable.js";

type KindLoader = () => Promise<Iterable<[string, KindReviver]>>;

let loader: KindLoader | undefined;
let loading: Promise<void> | undefined;
let visits = 0;

/** Where the classes of missing kinds come from (browsers: thread-engine.ts). */
export function setKindLoader(load: KindLoader): void {
  loader = load;
}

function missing(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isWireShared(value)) return (value as { remote?: unknown }).remote === undefined && kindReviver(value[WIRE_KEY]) === undefined;
  if (depth >= MAX_DEPTH || ++visits > MAX_VISITS || !isPlain(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (missing(value[i], depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (missing((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

/** Whether `value` holds a wire form of a kind not registered here (looked for as revive.ts rebuilds them). */
export function missingKinds(value: unknown): boolean {
  if (hasAllKinds()) return false;
  visits = 0;
  return missing(value, 0);
}

/** Registers every kind, from the platform's loader (once). */
export function loadKinds(): Promise<void> {
  if (!loader) return Promise.reject(new Error("this platform has no way to load them"));
  loading ??= loader().then((kinds) => {
    for (const [kind, revive] of kinds) if (kindReviver(kind) === undefined) registerKind(kind, revive);
  });
  return loading;
}
