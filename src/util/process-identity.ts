/**
 * Which worker this thread is, as `currentProcess()` and `parentProcess()` tell it. A worker learns
 * it from its INIT; the main program has none. The state lives under a registered symbol, so every
 * copy of the library in the thread (the worker's bundled runtime, the copy a tasks module imports)
 * reads the same.
 * @internal
 * @module
 */

const KEY = Symbol.for("isofutures.process");

/** Who a worker is: sent in its INIT (`WorkerInit.identity`). */
export interface WorkerIdentity {
  /** `"Process-2"`, or a pool worker's name (`"isofutures-3"`). */
  name: string;
  /** A child process's pid, a worker thread's `threadId`, a Web Worker's number. */
  pid: number;
  daemon: boolean;
  /** `currentProcess().pid` of the thread that started it. */
  parentPid: number;
  /**
   * Python's `_identity`: `[2]` for the second Process the main program made, `[2, 1]` for the
   * first one that Process made; `[]` for a pool worker. Names default to `Process-2`, `Process-2:1`.
   */
  path: number[];
}

interface ThreadState {
  self: WorkerIdentity | undefined;
  /** Processes made in this thread so far (the last number of their path). */
  made: number;
}

function state(): ThreadState {
  const g = globalThis as Record<symbol, ThreadState | undefined>;
  return (g[KEY] ??= { self: undefined, made: 0 });
}

/** This thread's identity, if it is a worker of ours (`undefined` in the main program). */
export function workerIdentity(): WorkerIdentity | undefined {
  return state().self;
}

/** Records, in a worker, who it is. */
export function setWorkerIdentity(identity: WorkerIdentity): void {
  state().self = identity;
}

/** The path of the next Process made in this thread (its number counts per thread, from 1). */
export function nextProcessPath(): number[] {
  const s = state();
  return [...(s.self?.path ?? []), ++s.made];
}

/**
 * This thread's pid as `currentProcess()` tells it: a worker's own, else the program's — the host's
 * `process.pid` (Node, Bun, Deno), or 0 in a browser page, which has none.
 */
export function ownPid(): number {
  const self = state().self;
  if (self) return self.pid;
  const pid = (globalThis as { process?: { pid?: unknown } }).process?.pid;
  return typeof pid === "number" ? pid : 0;
}
