/**
 * The scheduler: a queue of pending tasks, a set of worker slots, and the rules that hand tasks to
 * workers. Everything an executor does with workers happens here; it reaches them only through the
 * {@link WorkerFactory} / {@link Endpoint} seam.
 *
 * One class on purpose: dispatch, results, faults and shutdown all move the same counts (queued,
 * starting, alive) and slot states, and their invariants are easier to keep in one place.
 *
 * Rules (DESIGN.md, "Futures"):
 * - Each slot has a credit window: how many tasks it may hold. It starts at 1, doubles while results
 *   come back quickly, and drops to 1 when a task runs long — so queued long tasks stay pending and
 *   cancellable, while bursts of tiny tasks travel in large batches.
 * - No slot gets a second task while another slot is idle, a worker is starting, or one more worker
 *   could be started.
 * - Everything submitted in one turn of the event loop goes to each worker in one message.
 * - A worker that goes idle while another holds tasks it has not started takes them over (the
 *   control word tells exactly which have started; see protocol.ts).
 * @internal
 * @module
 */
import type { Timer } from "../../util/timers.js";
import { Deque } from "./deque.js";
import { watchAbort } from "../abort-watch.js";
import { revive, reviveShared } from "../../shared/revive.js";
import { isWireShared } from "../../shared/shareable.js";
import { decodeError, encodeError } from "../../wire/error-codec.js";
import { BrokenExecutorError, CancelledError, TimeoutError, WorkerCrashedError } from "../../futures/errors.js";
import type { Endpoint, WorkerFactory } from "../endpoint.js";
import { forceCancel, setException, setResult, setRunning, type FutureOwner } from "../../futures/future.js";
import {
  CTL_CLOSED,
  CTL_LENGTH,
  OP_ABORT,
  OP_CLOSE,
  OP_CREDIT,
  OP_FATAL,
  OP_INIT,
  OP_INIT_FAILED,
  OP_READY,
  OP_RESULTS,
  OP_RUN,
  ST_ERROR,
  ST_ITEM,
  ST_OK,
  ST_OK_SHARED,
  type FnDefWire,
  type WireError,
  type WorkerInit,
} from "../../wire/protocol.js";
import type { ExecutorStats } from "../engine.js";
import type { Task, TaskControls } from "../task.js";
import {
  CLOSING,
  DEAD,
  EMPTY,
  READY,
  STARTING,
  WorkerSlot,
  chunkOutcome,
  cloneFailure,
  describeExit,
  messageOf,
  pushTask,
  wake,
} from "./worker-slot.js";

/** Largest credit window: enough to amortise a round trip over thousands of tiny tasks. */
const MAX_WINDOW = 4096;
/** …but a worker never holds more than about this much work (ms, at the observed pace). */
const MAX_HELD_MS = 4;
/** Tasks faster than this (ms, per task, including transport) widen the window. */
const SHORT_TASK_MS = 0.25;
/** Tasks slower than this shrink the window to 1. */
const LONG_TASK_MS = 2;
/** Consecutive workers dying before they are ready before the executor gives up. */
const MAX_STARTUP_FAILURES = 3;
/** A worker told to close that has not exited after this long is terminated. */
const CLOSE_GRACE_MS = 5000;

const now: () => number = typeof performance === "object" ? () => performance.now() : Date.now;

/** `#stop` without failing the future: only ask the task to stop. */
const NO_ERROR = Symbol("no error");

/** Settings the scheduler needs, already validated. */
export interface SchedulerConfig {
  maxWorkers: number;
  /** ms a task asked to stop has before its worker is terminated. */
  cancelGrace: number;
  minWorkers: number;
  maxTasksPerWorker: number;
  idleTimeout: number;
  name: string;
  tasks: string | null;
  initializer: WorkerInit["initializer"];
  initArgs: unknown[];
  /** Nesting depth of this executor's workers (see nesting.ts). */
  depth: number;
}

export class Scheduler implements FutureOwner {
  readonly #factory: WorkerFactory;
  readonly #config: SchedulerConfig;
  readonly #queue = new Deque<Task>(256);
  /** Tasks in the queue whose futures are not done. */
  #queued = 0;
  readonly #slots: WorkerSlot[] = [];
  #starting = 0;
  /** Endpoints spawned whose exit has not been seen. */
  #alive = 0;
  #spawned = 0;
  #startupFailures = 0;
  #flushQueued = false;
  readonly #flushNow = () => this.#flush();
  /** Reused buffer of [task, index, task, index…] while a results message is handled. */
  #scratch: (Task | number)[] = [];
  #sweepTimer: Timer | undefined = undefined;

  #completed = 0;
  #failed = 0;
  #cancelled = 0;

  shuttingDown = false;
  terminated = false;
  broken: BrokenExecutorError | undefined = undefined;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(factory: WorkerFactory, config: SchedulerConfig) {
    this.#factory = factory;
    this.#config = config;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    for (let i = 0; i < config.minWorkers; i++) this.#spawn();
  }

  get maxWorkers(): number {
    return this.#config.maxWorkers;
  }

  // ── submission ──────────────────────────────────────────────────────────────────────────────

  enqueue(task: Task): void {
    this.#queue.push(task);
    this.#queued++;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushNow);
    }
  }

  /** FutureOwner: a pending future (hence a queued task) was cancelled. */
  onCancel(): void {
    this.#queued--;
    this.#cancelled++;
  }

  /** A task's signal fired: cancel it if pending, stop it if running. */
  abort(task: Task, reason: unknown): void {
    const f = task.future;
    if (f.done()) return;
    if (f.state === "pending") {
      f.cancel();
      return;
    }
    const slot = task.slot as WorkerSlot | undefined;
    if (slot) this.#stop(slot, task, reason, "its signal was aborted", true);
    else {
      // running but back in the queue after its worker died: fail it where it lies
      this.#queued--;
      this.#fail(task, reason);
    }
  }

  /** FutureOwner: `cancel()` of a running future asks its task to stop (nothing more). */
  onCancelRunning(job: unknown): void {
    const t = job as Task;
    const slot = t.slot as WorkerSlot | undefined;
    if (slot && !t.stopping) this.#stop(slot, t, NO_ERROR, "", false);
  }

  /** The consumer of a stream let go: cancel it if pending, else stop it (and its worker after the grace). */
  stopStream(task: Task): void {
    const f = task.future;
    if (f.done()) return;
    if (f.state === "pending") {
      f.cancel();
      return;
    }
    const slot = task.slot as WorkerSlot | undefined;
    if (slot) this.#stop(slot, task, new CancelledError("the stream was unsubscribed"), "its stream was unsubscribed", true);
  }

  /** The consumer of a stream took `n` values: the worker may send `n` more. */
  credit(task: Task, n: number): void {
    const slot = task.slot as WorkerSlot | undefined;
    if (!slot || slot.state === DEAD || task.stopping) return;
    slot.endpoint.post([OP_CREDIT, task.seq, n], EMPTY);
    wake(slot.ctl);
  }

  /**
   * Stops a running task in two stages: its worker is asked (ABORT: `currentTask().signal`, the
   * stream ended); the future fails at once with `error` (unless NO_ERROR: only asking); if the task
   * still runs after `cancelGrace` ms and `escalate` is set, its worker is terminated.
   */
  #stop(s: WorkerSlot, t: Task, error: unknown, why: string, escalate: boolean): void {
    t.stopping = true;
    if (error !== NO_ERROR) {
      const f = t.future;
      if (!f.done()) {
        if (error instanceof CancelledError) this.#cancelled++;
        else this.#failed++;
        setException(f, error);
      }
    }
    s.endpoint.post([OP_ABORT, t.seq, encodeError(error === NO_ERROR ? new CancelledError("cancel() was called") : error)], EMPTY);
    wake(s.ctl);
    if (!escalate) return;
    s.stopping++;
    t.escalating = true;
    const grace = this.#config.cancelGrace;
    if (grace <= 0) {
      this.#hardStop(s, t, error, why);
      return;
    }
    const c = (t.controls ??= { timeout: undefined, signal: undefined, timer: undefined, unwatch: undefined });
    if (c.timer !== undefined) clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (s.state !== DEAD && s.inflight.get(t.seq) === t) {
        this.#hardStop(s, t, error, `${why} and did not stop within ${grace} ms`);
      }
    }, grace);
  }

  // ── dispatch ────────────────────────────────────────────────────────────────────────────────

  #flush(): void {
    this.#flushQueued = false;
    if (this.terminated) return;
    this.#dropDoneHead();
    if (this.#queued === 0) {
      if (this.shuttingDown) this.#closeIdle();
      return;
    }
    let idle = 0;
    let live = this.#starting;
    for (const s of this.#slots) {
      if (s.state !== READY || this.#spent(s)) continue;
      live++;
      if (s.inflight.size === 0) idle++;
    }
    while (live < this.#config.maxWorkers && this.#queued > idle + this.#starting) {
      if (!this.#spawn()) return;
      live++;
    }
    // Work is waiting for the workers that are starting: they must keep the program alive.
    if (this.#starting > 0) for (const s of this.#slots) if (s.state === STARTING) this.#hold(s, true);
    const widen = this.#starting === 0 && live >= this.#config.maxWorkers;
    this.#distribute(widen);
  }

  // First one task to every idle worker; then, only if allowed, fill the windows evenly.
  #distribute(widen: boolean): void {
    const slots = this.#slots;
    for (const s of slots) {
      if (this.#queued === 0) break;
      if (s.state !== READY || s.inflight.size + s.batch.length !== 0 || this.#room(s) <= 0) continue;
      const task = this.#take();
      if (task) s.batch.push(task);
    }
    let open = widen ? slots.length : 0;
    while (this.#queued > 0 && open > 0) {
      const share = Math.ceil(this.#queued / open);
      const before = this.#queued;
      open = 0;
      for (const s of slots) {
        if (s.state !== READY) continue;
        let room = this.#room(s);
        for (let k = room < share ? room : share; k > 0; k--, room--) {
          const task = this.#take();
          if (!task) break;
          s.batch.push(task);
        }
        if (room > 0) open++;
      }
      if (this.#queued === before) break;
    }
    for (const s of slots) if (s.batch.length > 0) this.#send(s);
  }

  /** How many more tasks this worker may be given now (credit window and maxTasksPerWorker). */
  #room(s: WorkerSlot): number {
    if (s.stopping > 0) return 0;
    const byWindow = s.window - s.inflight.size;
    const byQuota = this.#config.maxTasksPerWorker - s.sent;
    return (byWindow < byQuota ? byWindow : byQuota) - s.batch.length;
  }

  #spent(s: WorkerSlot): boolean {
    return s.sent >= this.#config.maxTasksPerWorker;
  }

  // Next task whose future is still live; marks a pending one running.
  #take(): Task | undefined {
    for (let t = this.#queue.shift(); t !== undefined; t = this.#queue.shift()) {
      const f = t.future;
      if (f.done()) continue; // cancelled, or failed by its signal while re-queued
      this.#queued--;
      if (f.state === "pending") setRunning(f);
      return t;
    }
    return undefined;
  }

  #dropDoneHead(): void {
    for (let t = this.#queue.peek(); t !== undefined && t.future.done(); t = this.#queue.peek()) this.#queue.shift();
  }

  #send(s: WorkerSlot): void {
    const tasks = s.batch;
    s.batch = [];
    const defs = this.#newDefs(s, tasks);
    const msg: unknown[] = [OP_RUN, defs ?? 0, s.nextSeq];
    let transfer: object[] | undefined;
    for (const t of tasks) {
      pushTask(msg, t);
      if (t.transfer) (transfer ??= []).push(...t.transfer);
    }
    try {
      s.endpoint.post(msg, transfer ?? EMPTY);
    } catch {
      if (defs) for (const d of defs) s.known[d[0]] = false;
      this.#sendOneByOne(s, tasks);
      return;
    }
    wake(s.ctl);
    for (const t of tasks) this.#started(s, t);
  }

  // The batch could not be cloned: send each task alone so that only the culprits fail.
  #sendOneByOne(s: WorkerSlot, tasks: Task[]): void {
    for (const t of tasks) {
      const defs = this.#newDefs(s, [t]);
      try {
        s.endpoint.post(pushTask([OP_RUN, defs ?? 0, s.nextSeq], t), t.transfer ?? EMPTY);
      } catch (error) {
        if (defs) for (const d of defs) s.known[d[0]] = false;
        this.#fail(t, cloneFailure(t, error));
        continue;
      }
      wake(s.ctl);
      this.#started(s, t);
    }
    if (s.inflight.size === 0) this.#becameIdle(s);
  }

  #newDefs(s: WorkerSlot, tasks: Task[]): FnDefWire[] | undefined {
    let defs: FnDefWire[] | undefined;
    for (const t of tasks) {
      const h = t.def.handle;
      if (s.known[h] !== true) {
        s.known[h] = true;
        (defs ??= []).push(t.def.wire);
      }
    }
    return defs;
  }

  #started(s: WorkerSlot, t: Task): void {
    if (s.inflight.size === 0) {
      s.markTime = now();
      this.#hold(s, true);
    }
    t.seq = s.nextSeq++;
    t.slot = s;
    s.inflight.add(t);
    s.sent++;
    const c = t.controls;
    if (c !== undefined && c.timeout !== undefined) {
      const timeout = c.timeout;
      c.timer = setTimeout(() => this.#onTimeout(t, timeout), timeout);
    }
  }

  // ── results ─────────────────────────────────────────────────────────────────────────────────

  #onMessage(s: WorkerSlot, msg: unknown[]): void {
    // Task code can post to its parent too: whatever is not a protocol message is ignored.
    if (s.state === DEAD || !Array.isArray(msg)) return;
    switch (msg[0]) {
      case OP_RESULTS:
        return this.#onResults(s, msg);
      case OP_READY:
        if (s.state !== STARTING) return;
        s.state = READY;
        this.#starting--;
        this.#startupFailures = 0;
        s.idleSince = now();
        if (this.#queued > 0) this.#flush();
        if (s.inflight.size === 0) this.#becameIdle(s);
        return;
      case OP_FATAL: {
        // It dies once its last messages are out: no more tasks for it; the ones it never started
        // go elsewhere when it exits (see #lost).
        if (s.fatal !== undefined) return;
        s.fatal = { error: decodeError(msg[1] as WireError, `worker "${s.name}"`), started: msg[2] as number };
        this.#close(s);
        if (this.#queued > 0) this.#flush();
        return;
      }
      case OP_INIT_FAILED: {
        if (s.state !== STARTING) return;
        const cause = decodeError(msg[1] as WireError, `initializer in worker "${s.name}"`);
        this.#break(`its initializer failed in worker "${s.name}": ${messageOf(cause)}`, cause);
        return;
      }
    }
  }

  #onResults(s: WorkerSlot, msg: unknown[]): void {
    const n = msg.length;
    const done = this.#scratch;
    for (let i = 1; i < n; i += 3) {
      const t = s.inflight.get(msg[i] as number);
      if (t === undefined) continue;
      if (msg[i + 1] === ST_ITEM) {
        // A stream's value: the task goes on. Its values come before its end in the message.
        if (!t.stopping) t.sink?.item(msg[i + 2]);
        continue;
      }
      s.inflight.delete(t.seq);
      if (t.escalating) s.stopping--;
      done.push(t, i);
    }
    if (done.length === 0) return;
    this.#adapt(s, done.length / 2);
    // Refill first, settle after: the worker runs its next batch while this thread settles futures.
    if (this.#queued > 0) this.#flush();
    this.#scratch = [];
    for (let j = 0; j < done.length; j += 2) {
      const i = done[j + 1] as number;
      this.#settle(done[j] as Task, s, msg[i + 1] as number, msg[i + 2]);
    }
    if (s.inflight.size === 0) this.#becameIdle(s);
  }

  // Credit window: widen while tasks are quick, back to 1 when one runs long.
  #adapt(s: WorkerSlot, settled: number): void {
    const t = now();
    const perTask = (t - s.markTime) / settled;
    s.markTime = t;
    if (perTask < SHORT_TASK_MS) {
      // Grow (×4 for tiny tasks, else ×2) while the work a worker holds stays short enough to
      // share out again quickly.
      const grown = Math.min(MAX_WINDOW, s.window * (perTask < SHORT_TASK_MS / 8 ? 4 : 2));
      if (grown * perTask <= MAX_HELD_MS) s.window = grown;
    } else if (perTask > LONG_TASK_MS) {
      s.window = 1;
    }
  }

  #settle(t: Task, s: WorkerSlot, status: number, value: unknown): void {
    this.#release(t);
    const f = t.future;
    if (f.done()) return;
    if (status === ST_ERROR) {
      this.#failed++;
      setException(f, decodeError(value as WireError, `worker "${s.name}"`));
      return;
    }
    let result: unknown;
    try {
      result =
        status === ST_OK
          ? isWireShared(value)
            ? revive(value)
            : value
          : status === ST_OK_SHARED
            ? reviveOne(value)
            : chunkOutcome(status, value, s.name);
    } catch (error) {
      // Only a message forged by task code can get here: it fails the task it names, nothing else.
      this.#failed++;
      setException(f, new TypeError(`worker "${s.name}" sent a result for this task (${t.def.label}) that could not be read: ${messageOf(error)}`, { cause: error }));
      return;
    }
    this.#completed++;
    setResult(f, result);
  }

  #release(t: Task): void {
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

  #fail(t: Task, error: unknown): void {
    this.#release(t);
    if (t.future.done()) return;
    this.#failed++;
    setException(t.future, error);
  }

  // Busy workers (and workers about to be) keep the program alive; idle ones do not.
  #hold(s: WorkerSlot, busy: boolean): void {
    if (s.busy === busy) return;
    s.busy = busy;
    s.endpoint.setBusy(busy);
  }

  #becameIdle(s: WorkerSlot): void {
    if (s.state !== READY) return;
    this.#hold(s, false);
    s.idleSince = now();
    if (this.#spent(s)) {
      this.#close(s);
      if (this.#queued > 0 || this.#liveCount() < this.#config.minWorkers) this.#spawn();
      return;
    }
    if (this.#queued === 0) {
      if (!this.#steal()) {
        if (this.shuttingDown) this.#close(s);
        else this.#armSweep();
      }
    }
  }

  // An idle worker takes over tasks another worker holds but has not started.
  #steal(): boolean {
    let victim: WorkerSlot | undefined;
    let most = 0;
    for (const v of this.#slots) {
      if (v.state !== READY || v.ctl === null || v.inflight.size < 2) continue;
      const unstarted = v.nextSeq - Atomics.load(v.ctl, 0);
      if (unstarted > most) {
        most = unstarted;
        victim = v;
      }
    }
    if (!victim) return false;
    // Moving the word past every seq sent makes the worker skip all it has not claimed yet.
    const started = Atomics.exchange(victim.ctl as Int32Array, 0, victim.nextSeq);
    if (this.#requeueFrom(victim, started) === 0) return false;
    this.#flush();
    return true;
  }

  // Puts the tasks of `s` numbered `from` and above back at the front of the queue, in order.
  #requeueFrom(s: WorkerSlot, from: number): number {
    const back: Task[] = [];
    for (const t of s.inflight.tasks()) {
      const seq = t.seq;
      if (seq < from) continue;
      s.inflight.delete(seq);
      s.sent--;
      this.#release(t);
      if (t.escalating) {
        t.escalating = false;
        s.stopping--;
      }
      // Stopped (timed out, aborted) before the worker started it: its future is settled, and
      // there is nothing to run again.
      if (t.future.done()) continue;
      if (t.transfer && t.transfer.length > 0) {
        this.#fail(t, new WorkerCrashedError(`the task was sent to worker "${s.name}" with transferred buffers, which went with that worker; it cannot be re-sent`));
        continue;
      }
      back.push(t);
    }
    for (let i = back.length - 1; i >= 0; i--) {
      const t = back[i] as Task;
      if (t.controls?.signal) this.listen(t, t.controls);
      this.#queue.unshift(t);
      this.#queued++;
    }
    return back.length;
  }

  /** Watches a task's signal: abort cancels it if pending, stops it if running. */
  listen(t: Task, c: TaskControls): void {
    const signal = c.signal as AbortSignal;
    c.unwatch = watchAbort(signal, () => this.abort(t, signal.reason));
  }

  // ── worker lifecycle ────────────────────────────────────────────────────────────────────────

  #spawn(): boolean {
    if (this.broken) return false;
    const name = `${this.#config.name}-${++this.#spawned}`;
    const ctl = this.#factory.sharedMemory ? new Int32Array(new SharedArrayBuffer(4 * CTL_LENGTH)) : null;
    const s = new WorkerSlot(name, ctl);
    try {
      s.endpoint = this.#factory.spawn(
        { name, index: this.#spawned },
        { message: (m) => this.#onMessage(s, m), exit: (info) => this.#onExit(s, info) },
      );
    } catch (error) {
      this.#break(`a worker could not be started: ${messageOf(error)}`, error);
      return false;
    }
    this.#alive++;
    this.#slots.push(s);
    this.#starting++;
    const init: WorkerInit = {
      name,
      ctl,
      tasks: this.#config.tasks,
      initializer: this.#config.initializer,
      initArgs: this.#config.initArgs,
      allowSource: this.#factory.allowSource,
      depth: this.#config.depth,
    };
    s.endpoint.post([OP_INIT, init], EMPTY);
    s.busy = true; // a new worker is held until it is ready and found idle
    return true;
  }

  #liveCount(): number {
    let n = 0;
    for (const s of this.#slots) if (s.state === STARTING || (s.state === READY && !this.#spent(s))) n++;
    return n;
  }

  #close(s: WorkerSlot): void {
    if (s.state === CLOSING || s.state === DEAD) return;
    if (s.state === STARTING) this.#starting--;
    s.state = CLOSING;
    // Held until it has exited: `await shutdown()` must not see the program end under it.
    this.#hold(s, true);
    s.endpoint.post([OP_CLOSE], EMPTY);
    wake(s.ctl);
    s.closeTimer = setTimeout(() => s.endpoint.terminate(), CLOSE_GRACE_MS);
  }

  #closeIdle(): void {
    for (const s of [...this.#slots]) if (s.state === READY && s.inflight.size === 0) this.#close(s);
    this.#checkClosed();
  }

  #remove(s: WorkerSlot): void {
    const i = this.#slots.indexOf(s);
    if (i >= 0) this.#slots.splice(i, 1);
  }

  #onExit(s: WorkerSlot, info: { code?: number | undefined; signal?: string | undefined; error?: unknown }): void {
    this.#alive--;
    if (s.closeTimer !== undefined) clearTimeout(s.closeTimer);
    const was = s.state;
    if (was !== DEAD) {
      s.state = DEAD;
      this.#remove(s);
      if (was === STARTING) this.#starting--;
      if (!this.terminated) this.#lost(s, info, was);
    }
    this.#checkClosed();
  }

  // A worker died on its own: fail what it had started, re-queue the rest, replace it.
  #lost(s: WorkerSlot, info: { code?: number | undefined; signal?: string | undefined; error?: unknown }, was: number): void {
    const started = s.ctl ? Atomics.exchange(s.ctl, 0, CTL_CLOSED) : (s.fatal?.started ?? Number.MAX_SAFE_INTEGER);
    if (info.error === undefined && s.fatal) info = { ...info, error: s.fatal.error };
    const how = describeExit(info);
    for (const t of s.inflight.tasks()) {
      const seq = t.seq;
      if (seq >= started) continue;
      s.inflight.delete(seq);
      this.#fail(
        t,
        new WorkerCrashedError(`worker "${s.name}" ${how} while running this task (${t.def.label}); the executor replaced it and goes on`, {
          cause: info.error,
          ...(info.code === undefined ? {} : { exitCode: info.code }),
          ...(info.signal === undefined ? {} : { signal: info.signal }),
        }),
      );
    }
    this.#requeueFrom(s, 0);
    if (was === STARTING && !this.broken) {
      if (++this.#startupFailures >= MAX_STARTUP_FAILURES) {
        this.#break(`${MAX_STARTUP_FAILURES} workers in a row ${how} before they were ready`, info.error);
        return;
      }
    }
    if (this.#queued > 0) this.#flush();
    else if (!this.shuttingDown && this.#liveCount() < this.#config.minWorkers) this.#spawn();
  }

  #onTimeout(t: Task, timeout: number): void {
    if (t.controls) t.controls.timer = undefined;
    const s = t.slot as WorkerSlot | undefined;
    if (!s || t.future.done()) return;
    const grace = this.#config.cancelGrace;
    const error = new TimeoutError(
      `${t.def.label} did not finish within its timeout of ${timeout} ms: ` +
        (grace > 0
          ? `it was asked to stop (currentTask().signal), and its worker "${s.name}" is replaced unless it stops within ${grace} ms`
          : `its worker "${s.name}" was stopped and is replaced`),
    );
    this.#stop(s, t, error, `it ran past its timeout of ${timeout} ms`, true);
  }

  // Stops a running task the only sure way: terminate its worker. Its unstarted tasks go elsewhere.
  #hardStop(s: WorkerSlot, t: Task, error: unknown, why: string): void {
    const started = s.ctl ? Atomics.exchange(s.ctl, 0, CTL_CLOSED) : Number.MAX_SAFE_INTEGER;
    if (s.state === STARTING) this.#starting--;
    s.state = DEAD;
    this.#remove(s);
    s.endpoint.terminate();
    s.inflight.delete(t.seq);
    this.#fail(t, error);
    for (const other of s.inflight.tasks()) {
      const seq = other.seq;
      if (seq >= started) continue;
      s.inflight.delete(seq);
      this.#fail(other, new WorkerCrashedError(`worker "${s.name}" was stopped because another task it was running (${t.def.label}) ${why}; this task (${other.def.label}) was running alongside it`));
    }
    this.#requeueFrom(s, 0);
    if (this.#queued > 0) this.#flush();
    else if (!this.shuttingDown && this.#liveCount() < this.#config.minWorkers) this.#spawn();
  }

  #break(message: string, cause: unknown): void {
    if (this.broken) return;
    this.broken = new BrokenExecutorError(`the executor is broken: ${message}`, { cause });
    for (const t of this.#queue.drain()) {
      if (t.future.done()) continue;
      this.#queued--;
      this.#fail(t, new BrokenExecutorError(this.broken.message, { cause }));
    }
    this.shuttingDown = true;
    for (const s of [...this.#slots]) if (s.state !== READY || s.inflight.size === 0) this.#close(s);
    this.#checkClosed();
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────────

  shutdown(cancelFutures: boolean): Promise<void> {
    this.shuttingDown = true;
    if (cancelFutures) {
      for (const t of this.#queue.drain()) {
        if (!t.future.cancel() && !t.future.done()) this.#queue.push(t); // running (re-queued): it still runs
      }
    }
    if (this.#queued === 0) this.#closeIdle();
    for (const s of this.#slots) if (s.state === STARTING && this.#queued === 0) this.#close(s);
    this.#checkClosed();
    return this.#closed;
  }

  terminate(): Promise<void> {
    if (!this.terminated) {
      this.terminated = true;
      this.shuttingDown = true;
      for (const t of this.#queue.drain()) {
        this.#release(t);
        if (forceCancel(t.future, new CancelledError("the executor was terminated before this task ran"))) this.#cancelled++;
      }
      this.#queued = 0;
      for (const s of [...this.#slots]) {
        for (const t of s.inflight.tasks()) {
          this.#release(t);
          if (forceCancel(t.future, new CancelledError(`the executor was terminated while this task (${t.def.label}) was running`))) this.#cancelled++;
        }
        s.inflight.clear();
        s.state = DEAD;
        s.endpoint.terminate();
      }
      this.#slots.length = 0;
      this.#starting = 0;
    }
    this.#checkClosed();
    return this.#closed;
  }

  #checkClosed(): void {
    if (this.shuttingDown && this.#alive === 0 && this.#queued === 0) {
      if (this.#sweepTimer !== undefined) clearTimeout(this.#sweepTimer);
      this.#resolveClosed();
    }
  }

  // ── idle workers ────────────────────────────────────────────────────────────────────────────

  // One timer for all idle workers (not one per idle transition): idle workers above minWorkers exit.
  #armSweep(): void {
    if (this.#sweepTimer !== undefined || !Number.isFinite(this.#config.idleTimeout)) return;
    if (this.#liveCount() <= this.#config.minWorkers) return;
    this.#sweepTimer = setTimeout(() => this.#sweep(), this.#config.idleTimeout);
    unref(this.#sweepTimer);
  }

  #sweep(): void {
    this.#sweepTimer = undefined;
    const t = now();
    const timeout = this.#config.idleTimeout;
    let live = this.#liveCount();
    let idleLeft = false;
    for (const s of [...this.#slots]) {
      if (s.state !== READY || s.inflight.size > 0 || live <= this.#config.minWorkers) continue;
      if (t - s.idleSince >= timeout) {
        this.#close(s);
        live--;
      } else idleLeft = true;
    }
    if (idleLeft) this.#armSweep();
  }

  // ── reporting ───────────────────────────────────────────────────────────────────────────────

  stats(): ExecutorStats {
    let idle = 0;
    let busy = 0;
    let running = 0;
    for (const s of this.#slots) {
      running += s.inflight.size;
      if (s.inflight.size > 0) busy++;
      else if (s.state === READY) idle++;
    }
    return {
      workers: { live: this.#slots.length, idle, busy },
      tasks: {
        queued: this.#queued,
        running,
        completed: this.#completed,
        failed: this.#failed,
        cancelled: this.#cancelled,
      },
    };
  }

  /** A future failed or was cancelled before reaching the queue (bad input, aborted signal). */
  countSettledEarly(cancelled: boolean): void {
    if (cancelled) this.#cancelled++;
    else this.#failed++;
  }
}

function unref(timer: Timer): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

/** A result whose shared-memory objects came as wire forms inside it: rebuilt in place. */
function reviveOne(value: unknown): unknown {
  const box = [value];
  reviveShared(box);
  return box[0];
}
