/**
 * The scheduler's state, and the small operations every part of it uses: the queue of pending
 * tasks and its count, the worker slots, the counts `stats()` reports, and the hooks by which the
 * parts reach one another (see scheduler.ts for the map of the parts).
 *
 * Invariants kept here:
 * - `queued` counts the tasks in `queue` whose futures are not done (cancelled tasks stay in the
 *   deque until they reach its head: dropping them there is O(1)).
 * - `starting` counts slots in state STARTING; `alive` the endpoints spawned whose exit has not been
 *   seen (so `shutdown()` resolves only when it reaches 0).
 * - A slot is `busy` (its worker keeps the program alive) while it holds a task, is starting with work
 *   waiting, or is closing; idle ready slots are not.
 * - Every future settles exactly once, and each settlement adds one to exactly one of `completed`,
 *   `failed`, `cancelled`.
 * @internal
 * @module
 */
import type { Timer } from "../../util/timers.js";
import type { BrokenExecutorError } from "../../futures/errors.js";
import { setException, setRunning } from "../../futures/future.js";
import type { WorkerInit } from "../../wire/protocol.js";
import type { WorkerFactory } from "../endpoint.js";
import { EVENT_BITS, NO_DETAIL, type ExecutorEvents } from "../events.js";
import { TimingRing } from "../timings.js";
import { Stamp, type Task } from "../task.js";
import { Deque } from "./deque.js";
import { READY, STARTING, type ExitInfo, type WorkerSlot } from "./worker-slot.js";

const ignore = (): void => {};

/** Settings the scheduler needs, already validated. */
export interface SchedulerConfig {
  maxWorkers: number;
  /** ms a task asked to stop has before its worker is terminated. */
  cancelGrace: number;
  minWorkers: number;
  maxTasksPerWorker: number;
  idleTimeout: number;
  /** Tasks a worker may hold however long they run (`concurrentTasksPerWorker`): its smallest credit window. */
  concurrency: number;
  /** Where the executor's events go. */
  events: ExecutorEvents;
  name: string;
  tasks: string | null;
  initializer: WorkerInit["initializer"];
  initArgs: unknown[];
  /** Nesting depth of this executor's workers (see util/nesting.ts). */
  depth: number;
}

/** `performance.now()` where there is one. */
export const now: () => number = typeof performance === "object" ? () => performance.now() : Date.now;

export abstract class SchedulerState {
  protected readonly factory: WorkerFactory;
  protected readonly config: SchedulerConfig;
  protected readonly queue = new Deque<Task>(256);
  /** Tasks in the queue whose futures are not done. */
  protected queued = 0;
  protected readonly slots: WorkerSlot[] = [];
  protected starting = 0;
  /** Endpoints spawned whose exit has not been seen. */
  protected alive = 0;
  protected spawned = 0;
  protected startupFailures = 0;
  protected flushQueued = false;
  protected readonly flushNow = () => this.flush();
  /** Reused buffer of [task, index, task, index…] while a results message is handled. */
  protected scratch: (Task | number)[] = [];
  /** The clock read by the first submit of this turn: every task submitted in it was queued then. */
  protected turn: Stamp = new Stamp(0);
  protected readonly waitTimes = new TimingRing();
  protected readonly runTimes = new TimingRing();
  /** `idle` was reported and nothing was submitted since. */
  protected quiet = true;

  protected sweepTimer: Timer | undefined = undefined;
  protected completed = 0;
  protected failed = 0;
  protected cancelled = 0;
  /** Results waiting for the classes of the shared objects they hold (see results.ts). */
  protected reviving = 0;
  shuttingDown = false;
  terminated = false;
  broken: BrokenExecutorError | undefined = undefined;
  protected readonly closed: Promise<void>;
  protected resolveClosed!: () => void;
  /**
   * The factory was told that no worker of it will start again: `true` once done, or the promise of
   * its release (a process pool's broker goes once its thread has ended).
   */
  protected factoryClosed: boolean | Promise<void> = false;

  get maxWorkers(): number {
    return this.config.maxWorkers;
  }

  /** How many more tasks this worker may be given now (credit window and maxTasksPerWorker). */
  protected room(s: WorkerSlot): number {
    if (s.stopping > 0) return 0;
    const byWindow = s.window - s.inflight.size;
    const byQuota = this.config.maxTasksPerWorker - s.sent;
    return (byWindow < byQuota ? byWindow : byQuota) - s.batch.length;
  }

  protected spent(s: WorkerSlot): boolean {
    return s.sent >= this.config.maxTasksPerWorker;
  }

  // Next task whose future is still live; marks a pending one running.
  protected take(): Task | undefined {
    for (let t = this.queue.shift(); t !== undefined; t = this.queue.shift()) {
      const f = t.future;
      if (f.done()) continue; // cancelled, or failed by its signal while re-queued
      this.queued--;
      if (f.state === "pending") setRunning(f);
      return t;
    }
    return undefined;
  }

  protected dropDoneHead(): void {
    for (let t = this.queue.peek(); t !== undefined && t.future.done(); t = this.queue.peek()) this.queue.shift();
  }

  protected release(t: Task): void {
    const c = t.controls;
    if (c !== undefined) {
      if (c.timer !== undefined) {
        clearTimeout(c.timer);
        c.timer = undefined;
      }
      if (c.unwatch) {
        c.unwatch();
        c.unwatch = undefined;
      }
    }
    t.slot = undefined;
  }

  protected fail(t: Task, error: unknown): void {
    this.release(t);
    if (t.future.done()) return;
    this.failed++;
    setException(t.future, error);
  }

  // Busy workers (and workers about to be) keep the program alive; idle ones do not.
  protected hold(s: WorkerSlot, busy: boolean): void {
    if (s.busy === busy) return;
    s.busy = busy;
    s.endpoint.setBusy(busy);
  }

  protected liveCount(): number {
    let n = 0;
    for (const s of this.slots) if (s.state === STARTING || (s.state === READY && !this.spent(s))) n++;
    return n;
  }

  protected remove(s: WorkerSlot): void {
    const i = this.slots.indexOf(s);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /**
   * Reports `drain` (nothing waits for a worker) and `idle` (nothing queued or running either) to
   * whoever listens; a field read when nobody does. Called where the queue empties or a worker's
   * last task ends.
   */
  protected reportQuiet(): void {
    const events = this.config.events;
    const listening = events.listening;
    if (listening === 0 || this.queued !== 0 || this.terminated) return;
    if ((listening & EVENT_BITS.drain) !== 0 && this.waited) {
      this.waited = false;
      events.emit("drain", NO_DETAIL);
    }
    if ((listening & EVENT_BITS.idle) !== 0 && !this.quiet) {
      for (const s of this.slots) if (s.inflight.size > 0) return;
      this.quiet = true;
      events.emit("idle", NO_DETAIL);
    }
  }

  /** A task waited for a worker since `drain` was last reported. */
  protected waited = false;

  protected checkClosed(): void {
    if (this.shuttingDown && this.alive === 0 && this.queued === 0 && this.reviving === 0) {
      if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
      if (this.factoryClosed === false) {
        const closing = this.factory.close?.();
        this.factoryClosed = closing === undefined ? true : closing.then(ignore, ignore);
      }
      if (this.factoryClosed === true) this.resolveClosed();
      else void this.factoryClosed.then(this.resolveClosed);
    }
  }

  protected constructor(factory: WorkerFactory, config: SchedulerConfig) {
    this.factory = factory;
    this.config = config;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  // ── hooks: each part calls the others through these ──
  /** Hands queued tasks to workers (dispatch.ts). */
  protected abstract flush(): void;
  /** A message from a worker (results.ts). */
  protected abstract onMessage(s: WorkerSlot, msg: unknown[]): void;
  /** A worker ended (faults.ts). */
  protected abstract onExit(s: WorkerSlot, info: ExitInfo): void;
  /** A running task's timeout passed (faults.ts). */
  protected abstract onTimeout(t: Task, timeout: number): void;
  /** A task's signal fired (scheduler.ts). */
  abstract abort(task: Task, reason: unknown): void;
}
