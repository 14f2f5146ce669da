/**
 * Workers coming and going: starting one (and what it is told), closing one (it finishes what it
 * runs, then exits; it is terminated if it has not after a grace), closing the idle ones at
 * shutdown, retiring idle workers above `minWorkers` with one shared sweep timer, and breaking the
 * executor for good when workers cannot start.
 * @internal
 * @module
 */
import { BrokenExecutorError } from "../../futures/errors.js";
import { CTL_LENGTH, OP_CLOSE, OP_INIT, type WorkerInit } from "../../wire/protocol.js";
import { ownPid } from "../../util/process-identity.js";
import { SchedulerState, now } from "./state.js";
import { CLOSING, DEAD, EMPTY, READY, STARTING, WorkerSlot, messageOf, wake } from "./worker-slot.js";

/** A worker told to close that has not exited after this long is terminated. */
const CLOSE_GRACE_MS = 5000;

export abstract class WorkerLifecycle extends SchedulerState {
  protected spawn(): boolean {
    if (this.broken) return false;
    const name = `${this.config.name}-${++this.spawned}`;
    const ctl = this.factory.sharedMemory ? new Int32Array(new SharedArrayBuffer(4 * CTL_LENGTH)) : null;
    const s = new WorkerSlot(name, ctl);
    s.window = this.config.concurrency;
    try {
      s.endpoint = this.factory.spawn(
        { name, index: this.spawned },
        { message: (m) => this.onMessage(s, m), exit: (info) => this.onExit(s, info) },
      );
    } catch (error) {
      this.break(`a worker could not be started: ${messageOf(error)}`, error);
      return false;
    }
    this.alive++;
    this.slots.push(s);
    this.starting++;
    const init: WorkerInit = {
      name,
      ctl,
      tasks: this.config.tasks,
      initializer: this.config.initializer,
      initArgs: this.config.initArgs,
      allowSource: this.factory.allowSource,
      depth: this.config.depth,
      // A pool worker is no Process, but currentProcess() in it names it.
      identity: { name, pid: s.endpoint.pid ?? s.endpoint.threadId ?? 0, daemon: false, parentPid: ownPid(), path: [] },
    };
    s.endpoint.post([OP_INIT, init], EMPTY);
    s.busy = true; // a new worker is held until it is ready and found idle
    return true;
  }

  protected close(s: WorkerSlot): void {
    if (s.state === CLOSING || s.state === DEAD) return;
    if (s.state === STARTING) this.starting--;
    s.state = CLOSING;
    // Held until it has exited: `await shutdown()` must not see the program end under it.
    this.hold(s, true);
    s.endpoint.post([OP_CLOSE], EMPTY);
    wake(s.ctl);
    s.closeTimer = setTimeout(() => s.endpoint.terminate(), CLOSE_GRACE_MS);
  }

  protected closeIdle(): void {
    for (const s of [...this.slots]) if (s.state === READY && s.inflight.size === 0) this.close(s);
    this.checkClosed();
  }

  protected break(message: string, cause: unknown): void {
    if (this.broken) return;
    this.broken = new BrokenExecutorError(`the executor is broken: ${message}`, { cause });
    for (const t of this.queue.drain()) {
      if (t.future.done()) continue;
      this.queued--;
      this.fail(t, new BrokenExecutorError(this.broken.message, { cause }));
    }
    this.shuttingDown = true;
    for (const s of [...this.slots]) if (s.state !== READY || s.inflight.size === 0) this.close(s);
    this.checkClosed();
  }

  // One timer for all idle workers (not one per idle transition): idle workers above minWorkers exit.
  protected armSweep(): void {
    if (this.sweepTimer !== undefined || !Number.isFinite(this.config.idleTimeout)) return;
    if (this.liveCount() <= this.config.minWorkers) return;
    this.sweepTimer = setTimeout(() => this.sweep(), this.config.idleTimeout);
    unref(this.sweepTimer);
  }

  protected sweep(): void {
    this.sweepTimer = undefined;
    const t = now();
    const timeout = this.config.idleTimeout;
    let live = this.liveCount();
    let idleLeft = false;
    for (const s of [...this.slots]) {
      if (s.state !== READY || s.inflight.size > 0 || live <= this.config.minWorkers) continue;
      if (t - s.idleSince >= timeout) {
        this.close(s);
        live--;
      } else idleLeft = true;
    }
    if (idleLeft) this.armSweep();
  }
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
