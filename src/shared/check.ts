/**
 * Finds what cannot reach another process: shared memory and message ports. Structured clone over
 * IPC would refuse some of them and silently copy others (a typed array on a SharedArrayBuffer),
 * so a process pool looks before it sends.
 * @internal
 * @module
 */
import { SHARED_BRAND } from "./shareable.js";

/** Describes the first shared or port-like value inside `value`, looking at no more than `budget` values. */
export function findUnshareable(value: unknown, budget = 2000): string | undefined {
  return find(value, budget, describeShared);
}

/** Kinds of shared objects that reach child processes through their broker. */
const CROSS_PROCESS = new Set(["Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Condition", "Barrier", "Queue", "JoinableQueue", "Connection", "DictProxy", "ListProxy"]);

/**
 * Describes the first value inside `value` that cannot reach a child process: raw shared memory or
 * message ports, and shared objects that only threads can share (SharedArray, RingBuffer). The
 * objects a broker serves pass.
 */
export function findUnsendable(value: unknown, budget = 2000): string | undefined {
  return find(value, budget, (v) => {
    const kind = (v as { [SHARED_BRAND]?: unknown })[SHARED_BRAND];
    if (typeof kind === "string") return CROSS_PROCESS.has(kind) ? SKIP : `a ${kind} (memory shared between threads only)`;
    return describeShared(v);
  });
}

/** What {@link find}'s `describe` returns for a value to pass without looking inside. */
const SKIP = "";

/**
 * Describes the first message port inside `value` (a pipe `Connection` or a raw port): what can
 * move to one worker only, never be copied to each.
 */
export function findPort(value: unknown, budget = 2000): string | undefined {
  return find(value, budget, (v) => {
    const found = describeShared(v);
    return found !== undefined && found.includes("Port") ? found : undefined;
  });
}

function find(value: unknown, budget: number, describe: (v: object) => string | undefined): string | undefined {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const found = describe(v);
    if (found === SKIP) continue;
    if (found) return found;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v instanceof Map) {
      for (const [k, x] of v) stack.push(k, x);
    } else if (v instanceof Set) {
      for (const x of v) stack.push(x);
    } else {
      for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return undefined;
}

function describeShared(v: object): string | undefined {
  if (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer) return "a SharedArrayBuffer";
  if (ArrayBuffer.isView(v) && typeof SharedArrayBuffer === "function" && v.buffer instanceof SharedArrayBuffer) {
    return `a ${v.constructor.name} on a SharedArrayBuffer`;
  }
  const kind = (v as { [SHARED_BRAND]?: unknown })[SHARED_BRAND];
  if (typeof kind === "string") return kind === "Connection" ? "a pipe Connection (a MessagePort)" : `a shared-memory ${kind}`;
  const port = v as { postMessage?: unknown; start?: unknown; close?: unknown };
  if (typeof port.postMessage === "function" && typeof port.start === "function" && typeof port.close === "function") {
    return "a MessagePort";
  }
  return undefined;
}
