/**
 * Where this thread stands among workers: how deep in nested pools, and whether its worker is still
 * loading its tasks module. A program whose main module is also its tasks module, without a guard,
 * would otherwise start pools in its workers, whose workers start pools, without end — Python
 * refuses the same at bootstrap. The state lives under a registered symbol, so every copy of the
 * library in the thread (the worker's runtime, the tasks module's own import) reads the same.
 * @internal
 * @module
 */

const KEY = Symbol.for("isofutures.nesting");

/** Pools nested deeper than this are refused: a runaway, not a design. */
export const MAX_NESTING = 8;

interface Nesting {
  /** 0 in the main program; a pool's worker is one deeper than its executor's thread. */
  depth: number;
  /** The worker is importing its tasks module. */
  loading: string | null;
}

function state(): Nesting {
  const g = globalThis as Record<symbol, Nesting | undefined>;
  return (g[KEY] ??= { depth: 0, loading: null });
}

/** The depth of this thread (0 in the main program). */
export function nestingDepth(): number {
  return state().depth;
}

/** Records, in a worker, its depth and the tasks module it is loading (`null` once loaded). */
export function setNesting(depth: number, loading: string | null): void {
  const s = state();
  s.depth = depth;
  s.loading = loading;
}

/**
 * Throws if an executor must not be made here: while this worker loads its tasks module (the
 * module makes a pool at its top level, so every worker would), or nested too deep.
 */
export function checkNesting(kind: string): void {
  const s = state();
  if (s.loading !== null) {
    throw new Error(
      `a ${kind} was created while a worker was loading its tasks module (${s.loading}): the module creates an executor ` +
        "when it is imported, so each of its workers would create one too, without end. Create executors only in the main " +
        "program: keep the tasks in a module of their own, or guard the code that creates the executor: run it only " +
        "`if (parentProcess() === null)` (parentProcess from isofutures: null in the main program only, as Python's " +
        '`if __name__ == "__main__"`).',

    );
  }
  if (s.depth >= MAX_NESTING) {
    throw new Error(
      `a ${kind} was created ${s.depth} levels deep in nested pools (tasks creating executors whose tasks create executors…); ` +
        `at most ${MAX_NESTING} are allowed. This is usually a program that starts pools from code its workers also run: guard it.`,
    );
  }
}
