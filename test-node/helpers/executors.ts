// Shared helpers: which executor kinds the conformance suite runs against, and gates that tasks
// wait at, so tests synchronise on arrivals rather than on sleeps.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import {
  InlineExecutor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  type Executor,
  type ExecutorOptions,
  type ProcessPoolOptions,
  type ThreadPoolOptions,
} from "isofutures";
import type * as TasksModule from "../fixtures/tasks.mjs";

export type Tasks = typeof TasksModule;
export const TASKS = new URL("../fixtures/tasks.mjs", import.meta.url);
export const FIXTURES = new URL("../fixtures/", import.meta.url);

/** The executor kinds every conformance test runs against. */
export const KINDS = ["inline", "thread", "process"] as const;
export type Kind = (typeof KINDS)[number];

/** The pool kinds (those with workers) the fault tests run against. */
export const POOLS = ["thread", "process"] as const;

/** The pid and thread id a task ran on: tells whether two tasks ran in the same worker. */
export const where = (w: { pid: number; threadId: number }) => `${w.pid}:${w.threadId}`;

const live = new Set<Executor<any>>();

/** Makes an executor of `kind` with the fixture tasks module; it is terminated after the test. */
export function make(kind: Kind, options: ThreadPoolOptions & ProcessPoolOptions = {}): Executor<Tasks> {
  const o: ExecutorOptions = { tasks: TASKS, ...options };
  const ex =
    kind === "inline"
      ? new InlineExecutor<Tasks>(o)
      : kind === "thread"
        ? new ThreadPoolExecutor<Tasks>(o)
        : new ProcessPoolExecutor<Tasks>(o);
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
 * A gate the `gate` task waits at: a temporary folder, so that it works for threads and processes
 * alike. `arrivals(n)` resolves once n tasks are waiting at it; `open()` lets them all through.
 */
export class Gate {
  readonly handle = mkdtempSync(join(tmpdir(), "isofutures-gate-"));

  open(): void {
    writeFileSync(join(this.handle, "open"), "");
  }

  get waiting(): number {
    return this.arrived().length;
  }

  /** The files of the tasks waiting: `arrived-<pid>-<threadId>-<random>`. */
  arrived(): string[] {
    return readdirSync(this.handle).filter((f) => f.startsWith("arrived-"));
  }

  async arrivals(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.waiting < n) {
      if (Date.now() > deadline) throw new Error(`gate: expected ${n} arrivals, saw ${this.waiting}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/**
 * A gate on shared memory for tasks that block their thread synchronously (`block`, thread pools
 * only): `arrivals(n)` waits on an Atomics word — an event, not a poll.
 */
export class SharedGate {
  readonly buffer = new SharedArrayBuffer(8);
  readonly #cell = new Int32Array(this.buffer);

  open(): void {
    Atomics.store(this.#cell, 0, 1);
    Atomics.notify(this.#cell, 0);
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

/** A log file tasks append numbers to (task `record`). */
export class SharedLog {
  readonly handle = join(mkdtempSync(join(tmpdir(), "isofutures-log-")), "log");
  values(): number[] {
    if (!existsSync(this.handle)) return [];
    return readFileSync(this.handle, "utf8").split("\n").filter(Boolean).map(Number);
  }
}

/** Widens a worker's credit window: many quick tasks, so that later submits travel in one batch. */
export async function warm(ex: Executor<Tasks>, rounds = 6): Promise<void> {
  for (let r = 0; r < rounds; r++) await Promise.all(Array.from({ length: 200 }, (_, i) => ex.submit("echo", i)));
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
