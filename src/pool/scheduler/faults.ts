/**
 * When things go wrong: stopping a running task in two stages (ask, then terminate its worker after
 * `cancelGrace`), timeouts, and a worker's death. The control word tells which of a dead worker's
 * tasks had started: those fail (`WorkerCrashedError`); the others are re-queued at the front, in
 * order. Every death fails at least one task or counts as a failure to start, so no task can travel
 * from worker to worker for ever; three failures to start in a row break the executor.
 * @internal
 * @module
 */
import { CancelledError, TimeoutError, WorkerCrashedError } from "../../futures/errors.js";
import { setException } from "../../futures/future.js";
import { encodeError } from "../../wire/error-codec.js";
import { CTL_CLOSED, OP_ABORT } from "../../wire/protocol.js";
import type { Task } from "../task.js";
import { Results } from "./results.js";
import { EVENT_BITS } from "../events.js";
import { CLOSING, DEAD, EMPTY, STARTING, type ExitInfo, type WorkerSlot, describeExit, wake } from "./worker-slot.js";

/** Consecutive workers dying before they are ready before the executor gives up. */
const MAX_STARTUP_FAILURES = 3;

/** `stop` without failing the future: only ask the task to stop. */
export const NO_ERROR = Symbol("no error");

export abstract class Faults extends Results {
  /**
   * Stops a running task in two stages: its worker is asked (ABORT: `currentTask().signal`, the
   * stream ended); the future fails at once with `error` (unless NO_ERROR: only asking); if the task
   * still runs after `cancelGrace` ms and `escalate` is set, its worker is terminated.
   */
  protected stop(s: WorkerSlot, t: Task, error: unknown, why: string, escalate: boolean): void {
    t.stopping = true;
    if (error !== NO_ERROR) {
      const f = t.future;
      if (!f.done()) {
        if (error instanceof CancelledError) this.cancelled++;
        else this.failed++;
        setException(f, error);
      }
    }
    s.endpoint.post([OP_ABORT, t.seq, encodeError(error === NO_ERROR ? new CancelledError("cancel() was called") : error)], EMPTY);
    wake(s.ctl);
    if (!escalate) return;
    s.stopping++;
    t.escalating = true;
    const grace = this.config.cancelGrace;
    if (grace <= 0) {
      this.hardStop(s, t, error, why);
      return;
    }
    const c = (t.controls ??= { timeout: undefined, signal: undefined, timer: undefined, unwatch: undefined });
    if (c.timer !== undefined) clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (s.state !== DEAD && s.inflight.get(t.seq) === t) {
        this.hardStop(s, t, error, `${why} and did not stop within ${grace} ms`);
      }
    }, grace);
  }

  protected onExit(s: WorkerSlot, info: ExitInfo): void {
    this.alive--;
    if (s.closeTimer !== undefined) clearTimeout(s.closeTimer);
    const was = s.state;
    const events = this.config.events;
    if ((events.listening & EVENT_BITS.workerexit) !== 0) {
      // Crashed: it ended without being asked (DEAD means the executor terminated it), or it was
      // asked to close but died with tasks still to finish or of an error.
      const crashed = s.fatal !== undefined || info.error !== undefined || (was !== DEAD && !(was === CLOSING && s.inflight.size === 0));
      events.emit("workerexit", { name: s.name, code: info.code ?? null, signal: info.signal ?? null, crashed });
    }
    if (was !== DEAD) {
      s.state = DEAD;
      this.remove(s);
      if (was === STARTING) this.starting--;
      if (!this.terminated) this.lost(s, info, was);
    }
    this.checkClosed();
  }

  // A worker died on its own: fail what it had started, re-queue the rest, replace it.
  protected lost(s: WorkerSlot, info: ExitInfo, was: number): void {
    const started = s.ctl ? Atomics.exchange(s.ctl, 0, CTL_CLOSED) : (s.fatal?.started ?? Number.MAX_SAFE_INTEGER);
    if (info.error === undefined && s.fatal) info = { ...info, error: s.fatal.error };
    const how = describeExit(info);
    for (const t of s.inflight.tasks()) {
      const seq = t.seq;
      if (seq >= started) continue;
      s.inflight.delete(seq);
      this.fail(
        t,
        new WorkerCrashedError(`worker "${s.name}" ${how} while running this task (${t.def.label}); the executor replaced it and goes on`, {
          cause: info.error,
          ...(info.code === undefined ? {} : { exitCode: info.code }),
          ...(info.signal === undefined ? {} : { signal: info.signal }),
        }),
      );
    }
    this.requeueFrom(s, 0);
    if (was === STARTING && !this.broken) {
      if (++this.startupFailures >= MAX_STARTUP_FAILURES) {
        this.break(`${MAX_STARTUP_FAILURES} workers in a row ${how} before they were ready`, info.error);
        return;
      }
    }
    if (this.queued > 0) this.flush();
    else {
      if (!this.shuttingDown && this.liveCount() < this.config.minWorkers) this.spawn();
      this.reportQuiet();
    }
  }

  protected onTimeout(t: Task, timeout: number): void {
    if (t.controls) t.controls.timer = undefined;
    const s = t.slot as WorkerSlot | undefined;
    if (!s || t.future.done()) return;
    const grace = this.config.cancelGrace;
    const error = new TimeoutError(
      `${t.def.label} did not finish within its timeout of ${timeout} ms: ` +
        (grace > 0
          ? `it was asked to stop (currentTask().signal), and its worker "${s.name}" is replaced unless it stops within ${grace} ms`
          : `its worker "${s.name}" was stopped and is replaced`),
    );
    this.stop(s, t, error, `it ran past its timeout of ${timeout} ms`, true);
  }

  // Stops a running task the only sure way: terminate its worker. Its unstarted tasks go elsewhere.
  protected hardStop(s: WorkerSlot, t: Task, error: unknown, why: string): void {
    const started = s.ctl ? Atomics.exchange(s.ctl, 0, CTL_CLOSED) : Number.MAX_SAFE_INTEGER;
    if (s.state === STARTING) this.starting--;
    s.state = DEAD;
    this.remove(s);
    s.endpoint.terminate();
    s.inflight.delete(t.seq);
    this.fail(t, error);
    for (const other of s.inflight.tasks()) {
      const seq = other.seq;
      if (seq >= started) continue;
      s.inflight.delete(seq);
      this.fail(
        other,
        new WorkerCrashedError(
          `worker "${s.name}" was terminated to stop another task it was running (${t.def.label}): ${why}; ` +
            `this task (${other.def.label}) was in the same worker and ended with it`,
        ),
      );
    }
    this.requeueFrom(s, 0);
    if (this.queued > 0) this.flush();
    else {
      if (!this.shuttingDown && this.liveCount() < this.config.minWorkers) this.spawn();
      this.reportQuiet();
    }
  }
}
