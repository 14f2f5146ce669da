/**
 * What comes back from workers: results (settled after the worker has been refilled, so it computes
 * while this thread runs callbacks), stream values, READY, a failed initializer, a worker saying it
 * is dying; and the credit window's adaptation to the pace results come at.
 * @internal
 * @module
 */
import { isWireShared, type WireShared } from "../../shared/shareable.js";
import { revive, reviveShared } from "../../shared/revive.js";
import { loadKinds, missingKinds } from "../reviver.js";
import { decodeError } from "../../wire/error-codec.js";
import { setException, setResult } from "../../futures/future.js";
import { OP_FATAL, OP_INIT_FAILED, OP_READY, OP_RESULTS, ST_CHUNK_SHARED, ST_ERROR, ST_ITEM, ST_OK, ST_OK_SHARED, type WireError } from "../../wire/protocol.js";
import type { Task } from "../task.js";
import { EVENT_BITS, type WorkerStartDetail } from "../events.js";
import { Dispatch } from "./dispatch.js";
import { now } from "./state.js";
import { DEAD, READY, STARTING, type WorkerSlot, chunkOutcome, messageOf } from "./worker-slot.js";

/** Largest credit window: enough to amortise a round trip over thousands of tiny tasks. */
const MAX_WINDOW = 4096;
/** …but a worker never holds more than about this much work (ms, at the observed pace). */
const MAX_HELD_MS = 4;
/** Tasks faster than this (ms, per task, including transport) widen the window. */
const SHORT_TASK_MS = 0.25;
/** Tasks slower than this shrink the window to its floor (`concurrentTasksPerWorker`, 1 by default). */
const LONG_TASK_MS = 2;
/**
 * The window grows only if the oldest task settled was handed over less than this long ago (ms).
 * Tasks running side by side in one worker (`concurrentTasksPerWorker`) end close together, so the
 * pace between two result messages can look quick after long tasks: their age tells the truth.
 * A full window of quick tasks is at most MAX_HELD_MS old when it comes back.
 */
const MAX_AGE_TO_GROW_MS = 2 * MAX_HELD_MS;

export abstract class Results extends Dispatch {
  protected onMessage(s: WorkerSlot, msg: unknown[]): void {
    // Task code can post to its parent too: whatever is not a protocol message is ignored.
    if (s.state === DEAD || !Array.isArray(msg)) return;
    switch (msg[0]) {
      case OP_RESULTS:
        return this.onResults(s, msg);
      case OP_READY:
        if (s.state !== STARTING) return;
        s.state = READY;
        this.starting--;
        this.startupFailures = 0;
        s.idleSince = now();
        if ((this.config.events.listening & EVENT_BITS.workerstart) !== 0) this.config.events.emit("workerstart", startDetail(s));
        if (this.queued > 0) this.flush();
        if (s.inflight.size === 0) this.becameIdle(s);
        return;
      case OP_FATAL: {
        // It dies once its last messages are out: no more tasks for it; the ones it never started
        // go elsewhere when it exits (see lost).
        if (s.fatal !== undefined) return;
        s.fatal = { error: decodeError(msg[1] as WireError, `worker "${s.name}"`), started: msg[2] as number };
        this.close(s);
        if (this.queued > 0) this.flush();
        return;
      }
      case OP_INIT_FAILED: {
        if (s.state !== STARTING) return;
        const cause = decodeError(msg[1] as WireError, `initializer in worker "${s.name}"`);
        this.break(`its initializer failed in worker "${s.name}": ${messageOf(cause)}`, cause);
        return;
      }
    }
  }

  protected onResults(s: WorkerSlot, msg: unknown[]): void {
    const n = msg.length;
    const done = this.scratch;
    const time = now();
    const runTimes = this.runTimes;
    let oldest = time;
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
      const sentAt = t.sent.ms;
      if (sentAt < oldest) oldest = sentAt;
      if (!t.stopping) runTimes.record(time - sentAt);
      done.push(t, i);
    }
    if (done.length === 0) return;
    this.adapt(s, done.length / 2, time, time - oldest);
    // Refill first, settle after: the worker runs its next batch while this thread settles futures.
    if (this.queued > 0) this.flush();
    this.scratch = [];
    for (let j = 0; j < done.length; j += 2) {
      const i = done[j + 1] as number;
      this.settle(done[j] as Task, s, msg[i + 1] as number, msg[i + 2]);
    }
    if (s.inflight.size === 0) this.becameIdle(s);
  }

  // Credit window: widen while tasks are quick, back to its floor when one runs long.
  protected adapt(s: WorkerSlot, settled: number, time: number, oldestAge: number): void {
    const perTask = (time - s.markTime) / settled;
    s.markTime = time;
    if (perTask < SHORT_TASK_MS) {
      // Grow (×4 for tiny tasks, else ×2) while the work a worker holds stays short enough to
      // share out again quickly.
      const grown = Math.min(MAX_WINDOW, s.window * (perTask < SHORT_TASK_MS / 8 ? 4 : 2));
      if (grown * perTask <= MAX_HELD_MS && oldestAge <= MAX_AGE_TO_GROW_MS) s.window = grown;
    } else if (perTask > LONG_TASK_MS) {
      s.window = this.config.concurrency;
    }
  }

  protected settle(t: Task, s: WorkerSlot, status: number, value: unknown): void {
    this.release(t);
    const f = t.future;
    if (f.done()) return;
    if (status === ST_ERROR) {
      this.failed++;
      setException(f, decodeError(value as WireError, `worker "${s.name}"`));
      return;
    }
    const shared = status === ST_OK ? isWireShared(value) : status === ST_OK_SHARED || status === ST_CHUNK_SHARED;
    if (shared && missingKinds(status === ST_CHUNK_SHARED ? (value as unknown[])[0] : value)) {
      // A shared object of a class this bundle does not hold (see pool/reviver.ts): it settles once loaded.
      this.reviving++;
      loadKinds().then(
        () => this.later(t, s, status, value, shared),
        (error: unknown) => this.later(t, s, ST_ERROR, new Error(`a shared object in the result could not be rebuilt: its class could not be loaded: ${messageOf(error)}`, { cause: error }), false),
      );
      return;
    }
    this.finish(t, s, status, value, shared);
  }

  protected later(t: Task, s: WorkerSlot, status: number, value: unknown, shared: boolean): void {
    this.reviving--;
    if (!t.future.done()) {
      if (status !== ST_ERROR) this.finish(t, s, status, value, shared);
      else {
        this.failed++;
        setException(t.future, value);
      }
    }
    this.checkClosed();
  }

  protected finish(t: Task, s: WorkerSlot, status: number, value: unknown, shared: boolean): void {
    const f = t.future;
    let result: unknown;
    try {
      result =
        status === ST_OK
          ? shared
            ? revive(value as WireShared)
            : value
          : status === ST_OK_SHARED
            ? reviveOne(value)
            : chunkOutcome(status, value, s.name);
    } catch (error) {
      // Only a message forged by task code can get here: it fails the task it names, nothing else.
      this.failed++;
      setException(f, new TypeError(`worker "${s.name}" sent a result for this task (${t.def.label}) that could not be read: ${messageOf(error)}`, { cause: error }));
      return;
    }
    this.completed++;
    setResult(f, result);
  }
}

/** A result whose shared-memory objects came as wire forms inside it: rebuilt in place. */
function reviveOne(value: unknown): unknown {
  const box = [value];
  reviveShared(box);
  return box[0];
}

/** `workerstart`'s detail: the worker's name, and its pid or thread id where the platform has one. */
function startDetail(s: WorkerSlot): WorkerStartDetail {
  const { pid, threadId } = s.endpoint;
  return { name: s.name, ...(pid === undefined ? {} : { pid }), ...(threadId === undefined ? {} : { threadId }) };
}
