// Assertions for the shared scenarios: small enough to run the same in Node (under vitest) and in a
// browser page (under the scenario runner), with messages that say what differed.

export class CheckError extends Error {
  override name = "CheckError";
}

function show(v: unknown): string {
  try {
    return typeof v === "string" ? JSON.stringify(v) : typeof v === "function" ? `[function ${v.name}]` : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function ok(condition: unknown, what: string): void {
  if (!condition) throw new CheckError(what);
}

export function equal(actual: unknown, expected: unknown, what = "value"): void {
  if (!Object.is(actual, expected)) throw new CheckError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function same(actual: unknown, expected: unknown, what = "value"): void {
  if (!deepEqual(actual, expected)) throw new CheckError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function match(text: unknown, re: RegExp, what = "text"): void {
  if (typeof text !== "string" || !re.test(text)) throw new CheckError(`${what}: expected to match ${re}, got ${show(text)}`);
}

/** Awaits `p`, which must reject; returns what it rejected with. */
export async function rejects(p: PromiseLike<unknown>, what: string): Promise<any> {
  try {
    const value = await p;
    throw new CheckError(`${what}: expected a rejection, got ${show(value)}`);
  } catch (error) {
    if (error instanceof CheckError) throw error;
    return error;
  }
}

/** Calls `fn`, which must throw; returns what it threw. */
export function throws(fn: () => unknown, what: string): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new CheckError(`${what}: expected a throw`);
}

export function named(error: unknown, name: string, what = "error"): void {
  const actual = (error as { name?: unknown } | null)?.name;
  if (actual !== name) throw new CheckError(`${what}: expected a ${name}, got ${show(actual)}: ${(error as Error)?.message ?? show(error)}`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
