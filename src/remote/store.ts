/**
 * What a Manager serves: dictionaries and lists whose values are kept as their encoded bytes
 * (shared/serialize.ts), so that a `set` stores what arrived and a `get` sends it back without
 * decoding it. Keys of a dictionary are primitives, compared by value in every process.
 * @internal
 * @module
 */
import { decode } from "../shared/serialize.js";
import * as op from "./ops.js";

export type Key = string | number | bigint | boolean | null | undefined;

const NOTHING = new Uint8Array(0);
const UNDEFINED = op.pack(undefined);

export class DictStore {
  readonly map = new Map<Key, Uint8Array>();
}

export class ListStore {
  readonly items: Uint8Array[] = [];
}

/** Runs request `code` on a store. */
export function serveStore(store: DictStore | ListStore, code: number, payload: Uint8Array): Uint8Array {
  return store instanceof DictStore ? serveDict(store.map, code, payload) : serveList(store.items, code, payload);
}

function serveDict(map: Map<Key, Uint8Array>, code: number, payload: Uint8Array): Uint8Array {
  switch (code) {
    case op.DICT_GET:
      return map.get(op.unpack(payload) as Key) ?? UNDEFINED;
    case op.DICT_SET: {
      const [key, value] = op.unpack(payload) as [Key, Uint8Array];
      map.set(key, value);
      return NOTHING;
    }
    case op.DICT_DELETE:
      return op.pack(map.delete(op.unpack(payload) as Key));
    case op.DICT_HAS:
      return op.pack(map.has(op.unpack(payload) as Key));
    case op.DICT_KEYS:
      return op.pack([...map.keys()]);
    case op.DICT_ENTRIES:
      return op.pack([...map].map(([k, v]) => [k, decode(v)]));
    case op.DICT_SIZE:
      return op.pack(map.size);
    case op.DICT_UPDATE:
      for (const [key, value] of op.unpack(payload) as [Key, Uint8Array][]) map.set(key, value);
      return NOTHING;
  }
  throw new TypeError(`request ${code} is not an operation of a Manager dict`);
}

function index(items: Uint8Array[], i: number, what: string): number {
  const at = i < 0 ? items.length + i : i;
  if (!Number.isInteger(i) || at < 0 || at >= items.length) {
    throw new RangeError(`${what}: list index ${i} out of range (the list has ${items.length} items)`);
  }
  return at;
}

function serveList(items: Uint8Array[], code: number, payload: Uint8Array): Uint8Array {
  switch (code) {
    case op.LIST_APPEND:
      items.push(payload.slice());
      return NOTHING;
    case op.LIST_GET:
      return items[index(items, op.unpack(payload) as number, "get")] as Uint8Array;
    case op.LIST_SET: {
      const [i, value] = op.unpack(payload) as [number, Uint8Array];
      items[index(items, i, "set")] = value;
      return NOTHING;
    }
    case op.LIST_LENGTH:
      return op.pack(items.length);
    case op.LIST_SLICE: {
      const [start, end] = op.unpack(payload) as [number | undefined, number | undefined];
      return op.pack(items.slice(start, end).map(decode));
    }
    case op.LIST_POP: {
      const last = items.pop();
      if (last === undefined) throw new RangeError("pop from an empty list");
      return last;
    }
  }
  throw new TypeError(`request ${code} is not an operation of a Manager list`);
}
