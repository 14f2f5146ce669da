/**
 * The scheduler: a queue of pending tasks, a set of worker slots, and the rules that hand tasks to
 * workers — the engine of every pool. Everything an executor does with workers happens here; it
 * reaches them only through the {@link WorkerFactory} / {@link Endpoint} seam.
 *
 * Its parts are layers of one object, each a file with one concern, each using the ones below:
 *
 *   state.ts      the queue, the slots, the counts, and their invariants
 *   lifecycle.ts  starting, closing and retiring workers; breaking the executor
 *   dispatch.ts   credit windows, one message per worker per turn, work stealing
 *   results.ts    results and other worker messages; the window's adaptation
 *   faults.ts     two-stage stops, timeouts, a worker's death, re-queueing
 *   scheduler.ts  (this file) what the executor calls: the Engine interface
 *
 * One object on purpose: all parts move the same counts and slot states. Where a lower part must
 * call a higher one (a spawned worker's messages, a timeout firing), it goes through a hook
 * declared in state.ts.
 * @internal
 * @module
 */
import { CancelledError } from "../../futures/errors.js";
import { forceCancel } from "../../futures/future.js";
import { OP_CREDIT } from "../../wire/protocol.js";
import type { Engine, ExecutorStats, SchedulerMaker } from "../engine.js";
import type { Endpoint, WorkerFactory } from "../endpoint.js";
import { Stamp, type Task } from "../task.js";
import { Faults, NO_ERROR } from "./faults.js";
import { now, type SchedulerConfig } from "./state.js";
import { DEAD, EMPTY, READY, STARTING, type WorkerSlot, wake } from "./worker-slot.js";

export type { SchedulerConfig } from "./state.js";

export class Scheduler extends Faults implements Engine {
  constructor(factory: WorkerFactory, config: SchedulerConfig) {
    super(factory, config);
    for (let i = 0; i < config.minWorkers; i++) this.spawn();
  }

  /** Queues a task; one flush per turn hands out everything queued in it. */
  enqueue(task: Task): void {
    this.queue.push(task);
    this.queued++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.quiet = false;
      this.turn = new Stamp(now());
      queueMicrotask(this.flushNow);
    }
    task.queued = this.turn;
  }

  /** FutureOwner: a pending future (hence a queued task) was cancelled. */
  onCancel(): void {
    this.queued--;
    this.cancelled++;
    if (this.queued === 0) this.reportQuiet();
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
    if (slot) this.stop(slot, task, reason, "its signal was aborted", true);
    else {
      // running but back in the queue after its worker died: fail it where it lies
      this.queued--;
      this.fail(task, reason);
    }
  }

  /** FutureOwner: `cancel()` of a running future asks its task to stop (nothing more). */
  onCancelRunning(job: unknown): void {
    const t = job as Task;
    const slot = t.slot as WorkerSlot | undefined;
    if (slot && !t.stopping) this.stop(slot, t, NO_ERROR, "", false);
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
    if (slot) this.stop(slot, task, new CancelledError("the stream was unsubscribed"), "its stream was unsubscribed", true);
  }

  /** The consumer of a stream took `n` values: the worker may send `n` more. */
  credit(task: Task, n: number): void {
    const slot = task.slot as WorkerSlot | undefined;
    if (!slot || slot.state === DEAD || task.stopping) return;
    slot.endpoint.post([OP_CREDIT, task.seq, n], EMPTY);
    wake(slot.ctl);
  }

  /** Lets queued and running work finish (or cancels what is queued), then closes every worker. */
  shutdown(cancelFutures: boolean): Promise<void> {
    this.shuttingDown = true;
    if (cancelFutures) {
      for (const t of this.queue.drain()) {
        if (!t.future.cancel() && !t.future.done()) this.queue.push(t); // running (re-queued): it still runs
      }
    }
    if (this.queued === 0) this.closeIdle();
    for (const s of this.slots) if (s.state === STARTING && this.queued === 0) this.close(s);
    this.checkClosed();
    return this.closed;
  }

  /** Kills every worker now; running and pending futures end cancelled. */
  terminate(): Promise<void> {
    if (!this.terminated) {
      this.terminated = true;
      this.shuttingDown = true;
      for (const t of this.queue.drain()) {
        this.release(t);
        if (forceCancel(t.future, new CancelledError("the executor was terminated before this task ran"))) this.cancelled++;
      }
      this.queued = 0;
      for (const s of [...this.slots]) {
        for (const t of s.inflight.tasks()) {
          this.release(t);
          if (forceCancel(t.future, new CancelledError(`the executor was terminated while this task (${t.def.label}) was running`))) this.cancelled++;
        }
        s.inflight.clear();
        s.state = DEAD;
        s.endpoint.terminate();
      }
      this.slots.length = 0;
      this.starting = 0;
    }
    this.checkClosed();
    return this.closed;
  }

  /** Counts of workers and tasks, at this moment. */
  stats(): ExecutorStats {
    let idle = 0;
    let busy = 0;
    let running = 0;
    for (const s of this.slots) {
      running += s.inflight.size;
      if (s.inflight.size > 0) busy++;
      else if (s.state === READY) idle++;
    }
    return {
      workers: { live: this.slots.length, idle, busy },
      tasks: {
        queued: this.queued,
        running,
        completed: this.completed,
        failed: this.failed,
        cancelled: this.cancelled,
      },
      timings: { wait: this.waitTimes.summary(), run: this.runTimes.summary() },
    };
  }

  /** A future failed or was cancelled before reaching the queue (bad input, aborted signal). */
  countSettledEarly(cancelled: boolean): void {
    if (cancelled) this.cancelled++;
    else this.failed++;
  }
}

/** The pool's engine, made at once (see {@link SchedulerMaker}). */
export const startScheduler: SchedulerMaker = (factory, config) => new Scheduler(factory, config);
