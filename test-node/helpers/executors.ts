// Shared helpers: which executor kinds the conformance suite runs against, and real
// synchronisation (a gate on shared memory) instead of sleeps.
import { afterEach } from "vitest";
import { InlineExecutor, ThreadPoolExecutor, type Executor, type ExecutorOptions, type ThreadPoolOptions } from "isofutures";
import type * as TasksModule from "../fixtures/tasks.mjs";

export type Tasks = typeof TasksModule;
export const TASKS = new URL("../fixtures/tasks.mjs", import.meta.url);
export const FIXTURES = new URL("../fixtures/", import.meta.url);

/** The executor kinds every conformance test runs against. */
export const KINDS = ["inline", "thread"] as const;
export type Kind = (typeof KINDS)[number];

const live = new Set<Executor<any>>();

/** Makes an executor of `kind` with the fixture tasks module; it is terminated after the test. */
export function make(kind: Kind, options: ThreadPoolOptions = {}): Executor<Tasks> {
  const o: ExecutorOptions = { tasks: TASKS, ...options };
  const ex = kind === "inline" ? new InlineExecutor<Tasks>(o) : new ThreadPoolExecutor<Tasks>(o);
  live.add(ex);
  return ex;
}

/** Registers an executor made elsewhere for clean-up. */
export function track<E extends Executor<any>>(ex: E): E {
  live.add(ex);
  return ex;
}

afterEach(async () => {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((ex) => ex.terminate()));
});

/**
 * A gate on shared memory: tasks `gate`/`block` wait until it opens; `arrivals(n)` resolves once
 * n tasks are waiting at it (Atomics.waitAsync: an event, not a sleep).
 */
export class Gate {
  readonly buffer = new SharedArrayBuffer(8);
  readonly #cell = new Int32Array(this.buffer);

  open(): void {
    Atomics.store(this.#cell, 0, 1);
    Atomics.notify(this.#cell, 0);
  }

  get waiting(): number {
    return Atomics.load(this.#cell, 1);
  }

  async arrivals(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.#cell, 1);
      if (seen >= n) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gate: expected ${n} arrivals, saw ${seen}`);
      const r = Atomics.waitAsync(this.#cell, 1, seen, left);
      if (r.async) await r.value;
    }
  }
}

/** A shared log tasks append numbers to (task `record`). */
export class SharedLog {
  readonly buffer = new SharedArrayBuffer(4 * 1025);
  readonly #cell = new Int32Array(this.buffer);
  values(): number[] {
    const n = Atomics.load(this.#cell, 0);
    return Array.from(this.#cell.subarray(1, 1 + n));
  }
}

/** Resolves with how a promise settled, without letting it reject. */
export async function settle<T>(p: PromiseLike<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Collects an async iterator into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
