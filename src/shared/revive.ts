/**
 * Rebuilds a shared-memory object from its wire form, around the same memory (or port), with the
 * reviver its class registered (shareable.ts): this file imports no class, so that rebuilding costs
 * a bundle only the classes it uses.
 * @internal
 * @module
 */
import { MAX_DEPTH, MAX_VISITS, WIRE_KEY, isPlain, isWireShared, kindReviver, noteShared, remoteReviver, setOwn, type WireShared } from "./shareable.js";

export { setRemoteReviver } from "./shareable.js";

export function revive(wire: WireShared): object {
  noteShared();
  if ((wire as { remote?: unknown }).remote !== undefined) {
    const reviveRemote = remoteReviver();
    if (reviveRemote) return reviveRemote(wire);
    throw new TypeError(
      `a ${wire[WIRE_KEY]} of another process arrived where it cannot be used (only Node child processes of its owner, and their threads, can reach it)`,
    );
  }
  const make = kindReviver(wire[WIRE_KEY]);
  if (make === undefined) {
    throw new TypeError(`unknown shared object kind ${JSON.stringify(wire[WIRE_KEY])}: are both sides the same version of isofutures?`);
  }
  return make(wire.state);
}

let visits = 0;

function reviveIn(value: unknown, depth: number, memo: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (isWireShared(value)) {
    const revived = revive(value);
    memo.set(value, revived);
    return revived;
  }
  if (depth >= MAX_DEPTH || ++visits > MAX_VISITS || !isPlain(value)) return value;
  memo.set(value, value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = reviveIn(v, depth + 1, memo);
      if (r !== v) value[i] = r;
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      const r = reviveIn(v, depth + 1, memo);
      if (r !== v) setOwn(record, key, r);
    }
  }
  return value;
}

/** Rebuilds the wire forms in `values[from…to)`, whole or nested, in place (the worker's own copy). */
export function reviveShared(values: unknown[], from = 0, to = values.length): void {
  visits = 0;
  const memo = new Map<object, unknown>();
  for (let i = from; i < to; i++) values[i] = reviveIn(values[i], 0, memo);
}
