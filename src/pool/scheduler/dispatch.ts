/**
 * Handing tasks to workers: the per-turn flush, credit windows (how many tasks a worker may hold),
 * one message per worker per turn, function definitions sent once per worker, and work stealing
 * (an idle worker takes over tasks another holds but has not started).
 *
 * Rules (DESIGN.md, "Futures"):
 * - Each slot has a credit window: how many tasks it may hold. It starts at 1, grows while results
 *   come back quickly, and drops to 1 when a task runs long (results.ts, `adapt`) — so queued long
 *   tasks stay pending and cancellable, while bursts of tiny tasks travel in large batches.
 * - No slot gets a second task while another slot is idle, a worker is starting, or one more worker
 *   could be started.
 * - Everything submitted in one turn of the event loop goes to each worker in one message.
 * - A worker that goes idle while another holds tasks it has not started takes them over (the
 *   control word tells exactly which have started; see wire/protocol.ts).
 * @internal
 * @module
 */
import { WorkerCrashedError } from "../../futures/errors.js";
import { OP_RUN, type FnDefWire } from "../../wire/protocol.js";
import { watchAbort } from "../abort-watch.js";
import { Stamp, type Task, type TaskControls } from "../task.js";
import { WorkerLifecycle } from "./lifecycle.js";
import { now } from "./state.js";
import { EMPTY, READY, STARTING, type WorkerSlot, cloneFailure, pushTask, wake } from "./worker-slot.js";

export abstract class Dispatch extends WorkerLifecycle {
  protected flush(): void {
    this.flushQueued = false;
    if (this.terminated) return;
    this.dropDoneHead();
    if (this.queued === 0) {
      if (this.shuttingDown) this.closeIdle();
      return;
    }
    this.handOut();
    // Tasks left in the queue wait for a worker: `drain` is due once they have one.
    if (this.queued > 0) this.waited = true;
    else this.reportQuiet();
  }

  private handOut(): void {
    let idle = 0;
    let live = this.starting;
    for (const s of this.slots) {
      if (s.state !== READY || this.spent(s)) continue;
      live++;
      if (s.inflight.size === 0) idle++;
    }
    while (live < this.config.maxWorkers && this.queued > idle + this.starting) {
      if (!this.spawn()) return;
      live++;
    }
    // Work is waiting for the workers that are starting: they must keep the program alive.
    if (this.starting > 0) for (const s of this.slots) if (s.state === STARTING) this.hold(s, true);
    const widen = this.starting === 0 && live >= this.config.maxWorkers;
    this.distribute(widen);
  }

  // First one task to every idle worker; then, only if allowed, fill the windows evenly.
  protected distribute(widen: boolean): void {
    const slots = this.slots;
    for (const s of slots) {
      if (this.queued === 0) break;
      if (s.state !== READY || s.inflight.size + s.batch.length !== 0 || this.room(s) <= 0) continue;
      const task = this.take();
      if (task) s.batch.push(task);
    }
    let open = widen ? slots.length : 0;
    while (this.queued > 0 && open > 0) {
      const share = Math.ceil(this.queued / open);
      const before = this.queued;
      open = 0;
      for (const s of slots) {
        if (s.state !== READY) continue;
        let room = this.room(s);
        for (let k = room < share ? room : share; k > 0; k--, room--) {
          const task = this.take();
          if (!task) break;
          s.batch.push(task);
        }
        if (room > 0) open++;
      }
      if (this.queued === before) break;
    }
    for (const s of slots) if (s.batch.length > 0) this.send(s);
  }

  protected send(s: WorkerSlot): void {
    const tasks = s.batch;
    s.batch = [];
    const defs = this.newDefs(s, tasks);
    const msg: unknown[] = [OP_RUN, defs ?? 0, s.nextSeq];
    const time = new Stamp(now());
    let transfer: object[] | undefined;
    for (const t of tasks) {
      pushTask(msg, t);
      if (t.transfer) (transfer ??= []).push(...t.transfer);
    }
    try {
      s.endpoint.post(msg, transfer ?? EMPTY);
    } catch {
      if (defs) for (const d of defs) s.known[d[0]] = false;
      this.sendOneByOne(s, tasks);
      return;
    }
    wake(s.ctl);
    for (const t of tasks) this.started(s, t, time);
  }

  // The batch could not be cloned: send each task alone so that only the culprits fail.
  protected sendOneByOne(s: WorkerSlot, tasks: Task[]): void {
    const time = new Stamp(now());
    for (const t of tasks) {
      const defs = this.newDefs(s, [t]);
      try {
        s.endpoint.post(pushTask([OP_RUN, defs ?? 0, s.nextSeq], t), t.transfer ?? EMPTY);
      } catch (error) {
        if (defs) for (const d of defs) s.known[d[0]] = false;
        this.fail(t, cloneFailure(t, error));
        continue;
      }
      wake(s.ctl);
      this.started(s, t, time);
    }
    if (s.inflight.size === 0) this.becameIdle(s);
  }

  protected newDefs(s: WorkerSlot, tasks: Task[]): FnDefWire[] | undefined {
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

  protected started(s: WorkerSlot, t: Task, time: Stamp): void {
    if (s.inflight.size === 0) {
      s.markTime = time.ms;
      this.hold(s, true);
    }
    t.sent = time;
    this.waitTimes.record(time.ms - t.queued.ms);
    t.seq = s.nextSeq++;
    t.slot = s;
    s.inflight.add(t);
    s.sent++;
    const c = t.controls;
    if (c !== undefined && c.timeout !== undefined) {
      const timeout = c.timeout;
      c.timer = setTimeout(() => this.onTimeout(t, timeout), timeout);
    }
  }

  protected becameIdle(s: WorkerSlot): void {
    this.reportQuiet();
    if (s.state !== READY) return;
    this.hold(s, false);
    s.idleSince = now();
    if (this.spent(s)) {
      this.close(s);
      if (this.queued > 0 || this.liveCount() < this.config.minWorkers) this.spawn();
      return;
    }
    if (this.queued === 0) {
      if (!this.steal()) {
        if (this.shuttingDown) this.close(s);
        else this.armSweep();
      }
    }
  }

  // An idle worker takes over tasks another worker holds but has not started.
  protected steal(): boolean {
    let victim: WorkerSlot | undefined;
    let most = 0;
    for (const v of this.slots) {
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
    if (this.requeueFrom(victim, started) === 0) return false;
    this.flush();
    return true;
  }

  // Puts the tasks of `s` numbered `from` and above back at the front of the queue, in order.
  protected requeueFrom(s: WorkerSlot, from: number): number {
    const back: Task[] = [];
    for (const t of s.inflight.tasks()) {
      const seq = t.seq;
      if (seq < from) continue;
      s.inflight.delete(seq);
      s.sent--;
      this.release(t);
      if (t.escalating) {
        t.escalating = false;
        s.stopping--;
      }
      // Stopped (timed out, aborted) before the worker started it: its future is settled, and
      // there is nothing to run again.
      if (t.future.done()) continue;
      if (t.transfer && t.transfer.length > 0) {
        this.fail(t, new WorkerCrashedError(`the task was sent to worker "${s.name}" with transferred buffers, which went with that worker; it cannot be re-sent`));
        continue;
      }
      back.push(t);
    }
    const time = new Stamp(now());
    for (let i = back.length - 1; i >= 0; i--) {
      const t = back[i] as Task;
      t.queued = time;
      if (t.controls?.signal) this.listen(t, t.controls);
      this.queue.unshift(t);
      this.queued++;
    }
    return back.length;
  }

  /** Watches a task's signal: abort cancels it if pending, stops it if running. */
  listen(t: Task, c: TaskControls): void {
    const signal = c.signal as AbortSignal;
    c.unwatch = watchAbort(signal, () => this.abort(t, signal.reason));
  }
}
