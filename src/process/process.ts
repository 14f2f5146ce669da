/**
 * `Process`, like Python's `multiprocessing.Process`: one worker that runs one target and ends.
 *
 * It drives one worker through the seam the pools use (`WorkerFactory.spawn` → `Endpoint`) and the
 * same protocol: `[INIT]` (with `dropResults`: a Process has no result), one `[RUN]` task, its
 * `[RESULTS]`, then `[CLOSE]`; the worker's exit ends the Process. Arguments are prepared as
 * `submit` prepares them (transfer markers, the factory's check, shared objects by the factory's
 * `shareObject`), so what a pool's task may take, a Process's target may take.
 * @module
 */
import type { Endpoint, EndpointEvents, WorkerFactory } from "../pool/endpoint.js";
import { FunctionTable } from "../pool/functions.js";
import type { FnDef } from "../pool/task.js";
import { InvalidStateError } from "../futures/errors.js";
import { describe } from "../util/describe.js";
import { checkNesting, nestingDepth } from "../util/nesting.js";
import { nextProcessPath, ownPid } from "../util/process-identity.js";
import type { Timer } from "../util/timers.js";
import { checkTimeout } from "../util/validate.js";
import type { AnyTasks } from "../types.js";
import { decodeError } from "../wire/error-codec.js";
import { OP_CLOSE, OP_FATAL, OP_INIT, OP_READY, OP_RESULTS, ST_ERROR, type WireError, type WorkerInit } from "../wire/protocol.js";
import { checkCloneable, cloneFailure, runMessage } from "./run-message.js";
import { checkProcessOptions, type ProcessKind, type ProcessOptions } from "./options.js";

/** What a platform supplies to {@link BaseProcess}. */
export interface ProcessPlatform {
  /** The kind when none is given. */
  readonly defaultKind: ProcessKind;
  /**
   * A factory of workers of `kind` for one Process; throws `UnsupportedError` for a kind the
   * platform lacks or an option it cannot honour.
   */
  factory(kind: ProcessKind, options: Pick<ProcessOptions, "env" | "execArgv">): WorkerFactory;
  /** A signal's number (`"SIGTERM"` → 15), for `exitCode` -N. */
  signalNumber(name: string): number | undefined;
}

/** Options of {@link BaseProcess.join}. */
export interface JoinOptions {
  /** ms to wait at most; `join` then resolves `false` if the process is still running. @defaultValue no limit */
  timeout?: number | undefined;
}

const INITIAL = 0;
const STARTED = 1;
const ENDED = 2;
const SIGKILL = 9;
const SIGTERM = 15;
const NO_TRANSFER: readonly object[] = [];

/** The started, still-alive Processes of this thread: `activeChildren()`. */
const alive = new Set<BaseProcess>();

/** The started, still-alive Processes of this thread. @internal */
export function aliveProcesses(): BaseProcess[] {
  return [...alive];
}

/**
 * One worker — a child process or a thread — that runs one target and ends, like Python's
 * `multiprocessing.Process`. The platform's `Process` class (from `isofutures`) is this with the
 * platform's workers.
 */
export abstract class BaseProcess<M extends object = AnyTasks> {
  readonly #name: string;
  readonly #daemon: boolean;
  readonly #kind: ProcessKind;
  readonly #path: number[];
  readonly #platform: ProcessPlatform;
  readonly #factory: WorkerFactory;
  readonly #def: FnDef;
  readonly #tasks: string | null;
  #args: unknown[];
  #state = INITIAL;
  #closed = false;
  #endpoint: Endpoint | undefined;
  #pid: number | undefined;
  #exitCode: number | null = null;
  #error: unknown = undefined;
  /** How the target ended, once its result came. */
  #outcome: { ok: true } | { ok: false; error: unknown } | undefined;
  /** The error a dying child reported ([FATAL]). */
  #fatal: { error: unknown } | undefined;
  /** -15 or -9 once terminate() or kill() was called: a thread's exit code then. */
  #stoppedWith: number | undefined;
  /** The RUN message, held until the child says READY (processes). */
  #pendingRun: { message: unknown[]; transfer: object[] } | undefined;
  /** Pending join() calls: while there are any, even a daemon keeps the program alive. */
  #joins = 0;
  readonly #ended: Promise<void>;
  #markEnded!: () => void;

  /** @internal Made by the platform's `Process` class. */
  protected constructor(options: ProcessOptions<M>, platform: ProcessPlatform) {
    const o = checkProcessOptions(options, platform.defaultKind);
    const factory = platform.factory(o.kind, options);
    this.#tasks = o.tasks === undefined ? null : factory.resolveModule(o.tasks);
    const table = new FunctionTable(this.#tasks !== null, (spec) => factory.resolveModule(spec), "Process");
    this.#def = table.lookup(options.target, "new Process: target");
    this.#path = nextProcessPath();
    this.#name = o.name ?? `Process-${this.#path.join(":")}`;
    this.#daemon = o.daemon;
    this.#kind = o.kind;
    this.#args = o.args;
    this.#platform = platform;
    this.#factory = factory;
    this.#ended = new Promise((resolve) => (this.#markEnded = resolve));
  }

  /** Its name: the `name` option, or `"Process-N"`. */
  get name(): string {
    return this.#name;
  }

  /** Whether it is a daemon: it does not keep the program alive, and ends with it. */
  get daemon(): boolean {
    return this.#daemon;
  }

  /** The child's pid; a thread's `threadId` (a Web Worker's number); `undefined` before `start()`. */
  get pid(): number | undefined {
    return this.#pid;
  }

  /**
   * `null` until it has ended; then `0` if the target returned (or its promise resolved), `1` if it
   * threw (see {@link BaseProcess.error}), the code it gave `process.exit(code)`, or `-N` if signal
   * N ended it (`-15` after `terminate()`, `-9` after `kill()`, threads too).
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** What the target threw (rebuilt as a task's error is), or the error the worker died of; else `undefined`. */
  get error(): unknown {
    return this.#error;
  }

  /**
   * Starts the worker and runs the target in it. Its arguments are sent now, structured-cloned.
   * @throws `InvalidStateError` if called twice or after `close()`; `UnsupportedError` or
   *   `TypeError` if the arguments cannot be sent (the process is then not started).
   */
  start(): void {
    this.#checkOpen("start");
    if (this.#state !== INITIAL) {
      throw new InvalidStateError(`${this}: start() may be called once, and it was; make a new Process to run the target again`);
    }
    checkNesting("Process");
    const factory = this.#factory;
    // A child process is sent its task only once it is READY: its watchdog (which ends it if this
    // program dies) starts after INIT, and must start before a task can block the child's thread.
    const early = this.#kind !== "process";
    let endpoint: Endpoint | undefined;
    const events: EndpointEvents = {
      message: (m) => {
        if (endpoint !== undefined && endpoint === this.#endpoint) this.#onMessage(endpoint, m);
      },
      exit: (info) => {
        if (endpoint !== undefined && endpoint === this.#endpoint) this.#onExit(info);
      },
    };
    let run: { message: unknown[]; transfer: object[] };
    try {
      run = runMessage(this.#def, this.#args, factory, this);
      if (!early) checkCloneable(run.message, this);
      endpoint = factory.spawn({ name: this.#name, index: 1 }, events);
      endpoint.post([OP_INIT, this.#init(endpoint, factory)], NO_TRANSFER);
      if (early) endpoint.post(run.message, run.transfer);
    } catch (error) {
      // Nothing started: the worker, if there is one, goes (its exit is not ours to report), and so
      // does what sharing the arguments took (a broker's reference).
      endpoint?.terminate();
      factory.close?.();
      throw endpoint === undefined ? error : cloneFailure(error, this);
    }
    if (!early) this.#pendingRun = run;
    this.#endpoint = endpoint;
    this.#pid = endpoint.pid ?? endpoint.threadId ?? 0;
    this.#state = STARTED;
    endpoint.setBusy(!this.#daemon);
    alive.add(this);
  }

  // What the worker is told: no initializer, one target, and who it is.
  #init(endpoint: Endpoint, factory: WorkerFactory): WorkerInit {
    return {
      name: this.#name,
      ctl: null,
      tasks: this.#tasks,
      initializer: null,
      initArgs: [],
      allowSource: factory.allowSource,
      depth: nestingDepth() + 1,
      identity: { name: this.#name, pid: endpoint.pid ?? endpoint.threadId ?? 0, daemon: this.#daemon, parentPid: ownPid(), path: this.#path },
      dropResults: true,
    };
  }

  /**
   * Waits for the process to end.
   * @returns `true` once it has ended; `false` if `timeout` ms passed first.
   * @throws (rejects) `InvalidStateError` before `start()` or after `close()`.
   */
  join(options?: JoinOptions): Promise<boolean> {
    try {
      this.#checkOpen("join");
      if (this.#state === INITIAL) throw new InvalidStateError(`${this}: join() before start(); start() it first`);
      if (options !== undefined && (typeof options !== "object" || options === null)) {
        throw new TypeError(`${this}: join(options): options must be an object such as { timeout: 1000 }, got ${describe(options)}`);
      }
      const bad = checkTimeout(options?.timeout, `${this}: join: timeout`);
      if (bad) throw bad;
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#state === ENDED) return Promise.resolve(true);
    const timeout = options?.timeout;
    this.#hold(1);
    return new Promise((resolve) => {
      let settled = false;
      let timer: Timer | undefined;
      const done = (ended: boolean) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        this.#hold(-1);
        resolve(ended);
      };
      if (timeout !== undefined) timer = setTimeout(() => done(false), timeout);
      void this.#ended.then(() => done(true));
    });
  }

  /** Whether it has started and not ended yet. @throws `InvalidStateError` after `close()`. */
  isAlive(): boolean {
    this.#checkOpen("isAlive");
    return this.#state === STARTED;
  }

  /**
   * Ends it: SIGTERM for a child process (SIGKILL 1 s later if it is still there); a thread is
   * terminated. `exitCode` becomes -15. Nothing happens if it has ended already.
   * @throws `InvalidStateError` before `start()` or after `close()`.
   */
  terminate(): void {
    this.#stop(SIGTERM, "terminate");
  }

  /** Like {@link BaseProcess.terminate}, with SIGKILL: `exitCode` becomes -9. */
  kill(): void {
    this.#stop(SIGKILL, "kill");
  }

  /**
   * Releases what it holds once it has ended (or if it never started); afterwards only its
   * read-only properties may be used. Safe to call again.
   * @throws `InvalidStateError` while it is running.
   */
  close(): void {
    if (this.#state === STARTED) {
      throw new InvalidStateError(`${this} is still running: close() releases a process once it has ended; join() or terminate() it first`);
    }
    this.#closed = true;
    this.#endpoint = undefined;
    this.#pendingRun = undefined;
    this.#args = [];
  }

  /** `Process "Process-1"`, for messages. */
  toString(): string {
    return `Process "${this.#name}"`;
  }

  #onMessage(endpoint: Endpoint, m: unknown[]): void {
    // Task code may post to its parent too: whatever is not a protocol message is ignored.
    if (!Array.isArray(m)) return;
    switch (m[0]) {
      case OP_READY: {
        const run = this.#pendingRun;
        this.#pendingRun = undefined;
        if (!run) return;
        try {
          endpoint.post(run.message, run.transfer);
        } catch (error) {
          // checked at start(): only a child already gone can refuse it now
          this.#outcome = { ok: false, error: cloneFailure(error, this) };
          endpoint.terminate();
        }
        return;
      }
      case OP_RESULTS: {
        if (this.#outcome !== undefined) return;
        if (m[2] === ST_ERROR) {
          const error = decodeError(m[3] as WireError, `process "${this.#name}"`);
          this.#outcome = { ok: false, error };
          // As Python prints a target's exception: a Process nobody joins must not fail unseen.
          console.error(`${this} failed:`, error);
        } else this.#outcome = { ok: true };
        endpoint.post([OP_CLOSE], NO_TRANSFER);
        return;
      }
      case OP_FATAL:
        this.#fatal ??= { error: decodeError(m[1] as WireError, `process "${this.#name}"`) };
        return;
    }
  }

  #onExit(info: { code?: number | undefined; signal?: string | undefined; error?: unknown }): void {
    const outcome = this.#outcome;
    let code: number;
    let error: unknown;
    if (outcome) {
      // The target finished: how its worker then closed is our own doing.
      code = outcome.ok ? 0 : 1;
      if (!outcome.ok) error = outcome.error;
    } else if (this.#stoppedWith !== undefined && this.#kind !== "process") {
      code = this.#stoppedWith;
    } else if (info.signal !== undefined) {
      code = -(this.#platform.signalNumber(info.signal) ?? SIGKILL);
    } else {
      // Exit codes as the worker gave them; a Web Worker gives none: ended with an error, or not.
      code = info.code ?? (info.error === undefined ? 0 : 1);
      if (code !== 0) error = this.#fatal?.error ?? info.error;
    }
    this.#exitCode = code;
    this.#error = error;
    this.#state = ENDED;
    this.#pendingRun = undefined;
    this.#factory.close?.(); // its worker has exited: what its shared objects needed may go
    alive.delete(this);
    this.#markEnded();
  }

  #stop(signal: number, caller: string): void {
    this.#checkOpen(caller);
    if (this.#state === INITIAL) throw new InvalidStateError(`${this}: ${caller}() before start(): there is nothing to stop`);
    if (this.#state === ENDED) return;
    this.#stoppedWith ??= -signal;
    const endpoint = this.#endpoint as Endpoint;
    if (signal === SIGKILL && endpoint.kill) endpoint.kill();
    else endpoint.terminate();
  }

  // A daemon holds the program open only while someone waits for it.
  #hold(delta: number): void {
    const before = this.#joins;
    this.#joins += delta;
    if (!this.#daemon || this.#state !== STARTED) return;
    if (before === 0 && this.#joins > 0) this.#endpoint?.setBusy(true);
    else if (before > 0 && this.#joins === 0) this.#endpoint?.setBusy(false);
  }

  #checkOpen(caller: string): void {
    if (this.#closed) throw new InvalidStateError(`${this}: ${caller}() after close(); a closed process can only be read (name, pid, exitCode…)`);
  }
}
