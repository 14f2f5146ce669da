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
  /**
   * Why an executor may not be made meanwhile, as the worker's runtime explains it (the text goes
   * with the runtime, not with every executor's code); absent from a runtime that gives none.
   */
  refusal?: string | null;
}

function state(): Nesting {
  const g = globalThis as Record<symbol, Nesting | undefined>;
  return (g[KEY] ??= { depth: 0, loading: null });
}

/** The depth of this thread (0 in the main program). */
export function nestingDepth(): number {
  return state().depth;
}

/**
 * Records, in a worker, its depth and the tasks module it is loading (`null` once loaded), with the
 * end of the message that refuses an executor meanwhile (after "a thread executor was created ").
 */
export function setNesting(depth: number, loading: string | null, refusal: string | null = null): void {
  const s = state();
  s.depth = depth;
  s.loading = loading;
  s.refusal = refusal;
}

/**
 * Throws if an executor must not be made here: while this worker loads its tasks module (the
 * module makes a pool at its top level, so every worker would), or nested too deep.
 */
export function checkNesting(kind: string): void {
  const s = state();
  if (s.loading !== null) throw new Error(`a ${kind} was created ${s.refusal ?? `while a worker was loading its tasks module (${s.loading})`}`);
  if (s.depth >= MAX_NESTING) {
    throw new Error(
      `a ${kind} was created ${s.depth} levels deep in nested pools (tasks creating executors whose tasks create executors…); ` +
        `at most ${MAX_NESTING} are allowed. This is usually a program that starts pools from code its workers also run: guard it.`,
    );
  }
}
