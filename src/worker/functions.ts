/**
 * The worker side's dealings with task functions: compiling sources, picking exports, calling with
 * inline arguments, and wording the errors users see when a function cannot be had.
 * @internal
 * @module
 */
import { ARGS_ARRAY } from "../wire/protocol.js";

/** A task function. */
export type Fn = (...args: unknown[]) => unknown;
/** A module namespace, or the object given to `serve()`. */
export type Namespace = Record<string, unknown>;

/** A function that could not be resolved: every task that uses it fails with `error`. */
export class Unavailable {
  constructor(readonly error: unknown) {}
}

/** The name to show for a function's source in stack traces. */
export function functionName(source: string): string {
  const m = /^(?:async\s+)?(?:function\s*\*?\s*)?([A-Za-z_$][\w$]*)\s*\(/.exec(source);
  return m?.[1] ?? "anonymous";
}

// Calls fn with its arguments straight from the message: no array per call for up to 3 arguments.
export function invoke(fn: Fn, nargs: number, src: unknown[], at: number): unknown {
  switch (nargs) {
    case 0:
      return fn();
    case 1:
      return fn(src[at]);
    case 2:
      return fn(src[at], src[at + 1]);
    case 3:
      return fn(src[at], src[at + 1], src[at + 2]);
    case ARGS_ARRAY:
      return fn.apply(undefined, src[at] as unknown[]);
    default:
      return fn.apply(undefined, src.slice(at, at + nargs));
  }
}

export function evaluate(body: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(body)();
}

export function importModule(url: string): Promise<Namespace> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ url) as Promise<Namespace>;
}

export function pick(ns: Namespace, name: string, where: string): Fn | Unavailable {
  const fn = ns[name];
  if (typeof fn === "function") return fn as Fn;
  const names = Object.keys(ns).filter((k) => typeof ns[k] === "function");
  return new Unavailable(
    new TypeError(
      `${where} has no exported function "${name}"` +
        (fn === undefined ? "" : ` (its export "${name}" is ${typeof fn})`) +
        `; its exported functions are: ${names.length ? names.join(", ") : "none"}`,
    ),
  );
}

export function moduleError(url: string, error: unknown): Error {
  return new Error(`could not load the tasks module ${url}: ${messageOf(error)}`, { cause: error });
}

export function withClosureHint(error: unknown, isSource: boolean): unknown {
  if (!isSource || !(error instanceof ReferenceError)) return error;
  // V8 and SpiderMonkey say "x is not defined", JavaScriptCore "Can't find variable: x".
  const match = /^(\S+) is not defined|^Can't find variable: (\S+)/.exec(error.message);
  if (!match) return error;
  error.message =
    `${error.message}: this function was sent to the worker as source text, so it cannot use variables from ` +
    `the scope it was written in (it closes over "${match[1] ?? match[2]}"). Pass the value as an argument, or export the ` +
    "function from a tasks module.";
  // Only V8 starts the stack with the message; elsewhere it is frames only.
  if (typeof error.stack === "string" && error.stack.startsWith("ReferenceError")) {
    const nl = error.stack.indexOf("\n");
    error.stack = `ReferenceError: ${error.message}${nl >= 0 ? error.stack.slice(nl) : ""}`;
  }
  return error;
}

export function isThenable(value: unknown): boolean {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Compiles a function sent as source (once per distinct source: the caller caches). `allowSource`
 * false: the executor forbids it. Errors say what to do instead.
 */
export function compileSource(source: string, allowSource: boolean): Fn | Unavailable {
  if (!allowSource) {
    return new Unavailable(new TypeError("this executor does not accept functions sent as source; use tasks or serve()"));
  }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    return new Unavailable(
      new TypeError("a native or bound function cannot be sent to a worker as source: wrap it in a self-contained function, or export it from a tasks module"),
    );
  }
  // A sourceURL names the function in stack traces instead of "eval at evaluate (…)".
  const url = `\n//# sourceURL=isofutures:function/${functionName(source)}`;
  try {
    return evaluate(`return (${source}\n);${url}`) as Fn;
  } catch (error) {
    if (error instanceof SyntaxError) {
      // Method shorthand (`fib(n) { … }`) is not an expression; an object literal makes it one.
      try {
        const holder = evaluate(`return ({ ${source}\n});${url}`) as Record<string, unknown>;
        const fn = Object.values(holder)[0];
        if (typeof fn === "function") return fn as Fn;
      } catch {
        // fall through to the original error
      }
      return new Unavailable(new SyntaxError(`the function's source could not be compiled in the worker: ${error.message}`));
    }
    if (error instanceof EvalError || /unsafe-eval|Content Security Policy/i.test(messageOf(error))) {
      return new Unavailable(
        new EvalError(
          "this page's Content-Security-Policy forbids compiling functions from source ('unsafe-eval'), which " +
            "self-contained functions need; give the executor a tasks module (tasks: new URL(\"./tasks.js\", import.meta.url)) " +
            "or a worker that calls serve() instead",
        ),
      );
    }
    return new Unavailable(error);
  }
}
