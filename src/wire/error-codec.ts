/**
 * Errors across the worker boundary. The worker turns whatever a task threw into plain data
 * ({@link WireError}); the executor rebuilds an `Error` of the same built-in class with the same
 * `name`, `message`, `code` and other own properties, `cause`, and the worker-side stack.
 *
 * Rebuilding never assigns through a key taken from the wire (`__proto__`, `constructor` stay
 * plain data properties), so a hostile worker cannot pollute prototypes.
 * @module
 */
import type { WireError } from "./protocol.js";
import {
  BrokenExecutorError,
  CancelledError,
  InvalidStateError,
  ShutdownError,
  TimeoutError,
  UnsupportedError,
  WorkerCrashedError,
} from "../futures/errors.js";

type ErrorClass = new (message?: string) => Error;

const BUILTINS: Record<string, ErrorClass> = {
  __proto__: null,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  CancelledError,
  TimeoutError,
  ShutdownError,
  BrokenExecutorError,
  UnsupportedError,
  InvalidStateError,
  WorkerCrashedError: WorkerCrashedError as unknown as ErrorClass,
} as unknown as Record<string, ErrorClass>;

/**
 * Every copy of the package brands its error classes with this registered symbol. A process may
 * hold several copies (a worker's runtime, and the package as the worker's tasks import it; the
 * queue worker's bundle), and an error made by one copy keeps its class when another encodes it.
 */
const ERROR_CLASS = Symbol.for("isofutures.errorClass");
for (const name of ["CancelledError", "TimeoutError", "ShutdownError", "BrokenExecutorError", "UnsupportedError", "InvalidStateError", "WorkerCrashedError"]) {
  Object.defineProperty(BUILTINS[name], ERROR_CLASS, { value: name });
}

const MAX_DEPTH = 8;
const SKIP = new Set(["name", "message", "stack", "cause", "errors"]);

/** Turns a thrown value into plain, cloneable data. Never throws. */
export function encodeError(thrown: unknown, depth = 0): WireError {
  try {
    if (!(thrown instanceof Error) && !looksLikeError(thrown)) {
      return { $: "V", value: cloneable(thrown) ? thrown : safeString(thrown) };
    }
    const e = thrown as Error;
    const wire: WireError = {
      $: "E",
      ctor: builtinName(e),
      name: safeString(read(e, "name") ?? "Error"),
      message: safeString(read(e, "message") ?? ""),
      stack: safeString(read(e, "stack") ?? ""),
      props: [],
    };
    for (const key of Object.keys(e)) {
      if (SKIP.has(key)) continue;
      const value = read(e, key);
      wire.props.push([key, cloneable(value) ? value : safeString(value)]);
    }
    if (depth < MAX_DEPTH) {
      if (Object.prototype.hasOwnProperty.call(e, "cause")) wire.cause = encodeError(read(e, "cause"), depth + 1);
      const errors = read(e, "errors");
      if (Array.isArray(errors)) wire.errors = errors.slice(0, 100).map((x) => encodeError(x, depth + 1));
    }
    return wire;
  } catch {
    return { $: "V", value: "[an error that could not be read]" };
  }
}

/**
 * Rebuilds a thrown value from {@link encodeError}'s data.
 * @param where - appended to the stack, e.g. `worker "isofutures-2"`.
 */
export function decodeError(wire: WireError, where?: string): unknown {
  if (wire === null || typeof wire !== "object") return wire;
  if (wire.$ === "V") return wire.value;
  const Ctor = (typeof wire.ctor === "string" && Object.prototype.hasOwnProperty.call(BUILTINS, wire.ctor)
    ? BUILTINS[wire.ctor]
    : Error) as ErrorClass;
  const message = String(wire.message);
  const error =
    wire.ctor === "AggregateError"
      ? new AggregateError(Array.isArray(wire.errors) ? wire.errors.map((x) => decodeError(x)) : [], message)
      : wire.ctor === "DOMException" && typeof DOMException === "function"
        ? (new DOMException(message, String(wire.name)) as Error)
        : new Ctor(message);
  define(error, "name", String(wire.name), false, error.name !== String(wire.name));
  if (Array.isArray(wire.props)) {
    for (const pair of wire.props) {
      if (Array.isArray(pair) && typeof pair[0] === "string") define(error, pair[0], pair[1], true, true);
    }
  }
  if (wire.cause !== undefined) define(error, "cause", decodeError(wire.cause), false, true);
  const stack = typeof wire.stack === "string" && wire.stack ? wire.stack : `${wire.name}: ${message}`;
  define(error, "stack", where ? `${stack}\n    at <${where}>` : stack, false, true);
  return error;
}

function define(target: object, key: string, value: unknown, enumerable: boolean, when: boolean): void {
  if (!when) return;
  try {
    Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
  } catch {
    // a non-configurable own property (cannot happen on a fresh error): keep the error usable
  }
}

function builtinName(e: Error): string | null {
  const ctor = safeProto(e);
  if (ctor === AggregateError) return "AggregateError";
  if (typeof DOMException === "function" && ctor === DOMException) return "DOMException";
  for (const name in BUILTINS) if (BUILTINS[name] === ctor) return name;
  const branded = read(ctor, ERROR_CLASS);
  return typeof branded === "string" && Object.prototype.hasOwnProperty.call(BUILTINS, branded) ? branded : null;
}

function safeProto(e: object): unknown {
  try {
    return Object.getPrototypeOf(e)?.constructor;
  } catch {
    return undefined;
  }
}

function looksLikeError(value: unknown): boolean {
  // Errors from another realm (vm contexts) fail instanceof but have a string stack.
  return typeof value === "object" && value !== null && typeof read(value, "stack") === "string" &&
    typeof read(value, "message") === "string";
}

function read(target: unknown, key: string | symbol): unknown {
  try {
    return (target as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Can structured clone copy this? Primitives are checked without cloning. */
export function cloneable(value: unknown): boolean {
  const t = typeof value;
  if (t === "function" || t === "symbol") return false;
  if (t !== "object" || value === null) return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
