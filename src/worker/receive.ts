/**
 * Messages from the executor: INIT (load the tasks module, run the initializer, say READY), RUN
 * (a batch of tasks: each starts in order once its function is there, after claiming its number),
 * ABORT and CREDIT (a task's signal, a stream's back-pressure), CLOSE.
 *
 * Claiming: a task starts only if the worker can move the control word from its `seq` to `seq + 1`;
 * the executor moves the word past tasks it takes back (to another worker) or when it stops this
 * one, and those tasks are skipped without a reply.
 * @internal
 * @module
 */
import { reviveShared } from "../shared/revive.js";
import { setNesting } from "../util/nesting.js";
import { setWorkerIdentity } from "../util/process-identity.js";
import { decodeError, encodeError } from "../wire/error-codec.js";
import {
  ARGS_ARRAY,
  CODE_HANDLE_SHIFT,
  OP_ABORT,
  OP_CLOSE,
  OP_CREDIT,
  OP_INIT,
  OP_INIT_FAILED,
  OP_READY,
  OP_RUN,
  type FnDefWire,
  type WireError,
  type WorkerInit,
} from "../wire/protocol.js";
import { Unavailable, importModule, type Fn, type Namespace } from "./functions.js";
import { Runner } from "./run.js";

export abstract class Receiver extends Runner {
  handle(msg: unknown[]): void {
    switch (msg[0]) {
      case OP_RUN:
        return this.receiveTasks(msg);
      case OP_INIT:
        return this.start(msg[1] as WorkerInit);
      case OP_ABORT:
        return this.abortTask(msg[1] as number, decodeError(msg[2] as WireError));
      case OP_CREDIT: {
        const stream = this.streams.get(msg[1] as number);
        if (stream) {
          stream.credit += msg[2] as number;
          const resume = stream.resume;
          stream.resume = undefined;
          resume?.();
        }
        return;
      }
      case OP_CLOSE:
        this.closed = true;
        this.flush();
        return this.port.exit();
    }
  }

  // A task not started yet (its function still loading) finds its signal already aborted.
  private abortTask(seq: number, reason: unknown): void {
    let c = this.controllers.get(seq);
    if (!c) this.controllers.set(seq, (c = new AbortController()));
    c.abort(reason);
    const stream = this.streams.get(seq);
    if (stream) {
      stream.stopped = true;
      stream.stop?.();
      stream.resume?.();
    }
  }

  private start(data: WorkerInit): void {
    this.init = data;
    this.ctl = data.ctl;
    const worker = this.port.callerThread !== true;
    if (worker) {
      setNesting(data.depth, null);
      if (data.identity) setWorkerIdentity(data.identity);
    }
    this.dropResults = data.dropResults === true;
    if (data.tasks !== null && !this.served) {
      const url = data.tasks;
      // While it loads, nothing else runs in this worker (tasks wait for READY): an executor made
      // meanwhile comes from the module's top level, and would recur in every worker (nesting.ts).
      if (worker) setNesting(data.depth, url, loadingRefusal(url));
      const module: Promise<Namespace> = importModule(url).then(
        (ns) => {
          if (worker) setNesting(data.depth, null);
          return (this.tasksNs = ns);
        },
        (error: unknown) => {
          if (worker) setNesting(data.depth, null);
          this.tasksError = error;
          throw error;
        },
      );
      module.catch(() => {}); // reported to each task that needs it
      this.tasksModule = module;
    }
    // Ready once the tasks module has loaded (or failed to: the tasks that need it say so) and the
    // initializer has run, so that a worker that dies loading its code counts as failing to start.
    const loaded = this.tasksModule?.then(noop, noop);
    const port = this.port;
    if (data.initializer === null) {
      if (loaded) void loaded.then(() => port.post([OP_READY], []));
      else port.post([OP_READY], []);
      return;
    }
    const [kind, a, b] = data.initializer;
    Promise.resolve(loaded)
      .then(() => this.resolveDef(kind, a, b))
      .then((fn) => {
        if (fn instanceof Unavailable) throw fn.error;
        reviveShared(data.initArgs); // once per worker: shared objects among them come as wire forms
        return (fn as Fn)(...data.initArgs);
      })
      .then(
        () => port.post([OP_READY], []),
        (error: unknown) => port.post([OP_INIT_FAILED, encodeError(error)], []),
      );
  }

  private receiveTasks(msg: unknown[]): void {
    const defs = msg[1] as FnDefWire[] | 0;
    if (defs) for (const d of defs) this.define(d);
    let seq = msg[2] as number;
    const n = msg.length;
    let i = 3;
    if (this.waitingHead === this.waiting.length) {
      const fns = this.fns;
      while (i < n) {
        const code = msg[i] as number;
        const fn = fns[code >>> CODE_HANDLE_SHIFT];
        if (typeof fn !== "function" && !(fn instanceof Unavailable)) break; // still loading
        const nargs = (code >> 2) & 15;
        if (this.claim(seq)) this.run(seq, fn, code, msg, i + 1);
        i += nargs === ARGS_ARRAY ? 2 : 1 + nargs;
        seq++;
      }
    }
    if (i < n) {
      while (i < n) {
        const code = msg[i] as number;
        const nargs = (code >> 2) & 15;
        const args = nargs === ARGS_ARRAY ? msg[i + 1] : msg.slice(i + 1, i + 1 + nargs);
        this.waiting.push(seq++, code | (ARGS_ARRAY << 2), args);
        i += nargs === ARGS_ARRAY ? 2 : 1 + nargs;
      }
      this.resumeWhenLoaded();
    }
  }

  private readonly resumeNow = (): void => this.resumeWhenLoaded();

  private resumeWhenLoaded(): void {
    const waiting = this.waiting;
    while (this.waitingHead < waiting.length) {
      const seq = waiting[this.waitingHead] as number;
      const code = waiting[this.waitingHead + 1] as number;
      const fn = this.fns[code >>> CODE_HANDLE_SHIFT];
      if (typeof fn !== "function" && !(fn instanceof Unavailable)) {
        // The task at the head waits for its code: it counts as started from now on, so that a
        // worker that dies loading that code (a module that ends the process) fails this task
        // instead of passing it on to the next worker, and the next, forever.
        if (this.headClaimed !== seq) {
          if (!this.claim(seq)) {
            this.waitingHead += 3; // taken back by the executor
            waiting[this.waitingHead - 1] = undefined;
            continue;
          }
          this.headClaimed = seq;
        }
        (fn as Promise<unknown>).then(this.resumeNow, this.resumeNow);
        return;
      }
      const at = this.waitingHead + 2;
      this.waitingHead += 3;
      if (this.headClaimed === seq || this.claim(seq)) this.run(seq, fn, code, waiting, at);
      waiting[at] = undefined;
    }
    this.waiting = [];
    this.waitingHead = 0;
  }

  // Claims the right to start task `seq` (see CTL_CLOSED): false if the executor took the task back
  // (it went to another worker) or is stopping this worker. Skipped tasks get no reply.
  private claim(seq: number): boolean {
    if (this.halted) return false;
    const ctl = this.ctl;
    if (ctl !== null) return Atomics.compareExchange(ctl, 0, seq, seq + 1) === seq;
    this.claimed = seq + 1;
    return true;
  }
}

function noop(): void {}

/** Why an executor made while this worker loads its tasks module is refused (util/nesting.ts `checkNesting`). */
function loadingRefusal(url: string): string {
  return (
    `while a worker was loading its tasks module (${url}): the module creates an executor ` +
    "when it is imported, so each of its workers would create one too, without end. Create executors only in the main " +
    "program: keep the tasks in a module of their own, or guard the code that creates the executor: run it only " +
    "`if (parentProcess() === null)` (parentProcess from isofutures: null in the main program only, as Python's " +
    '`if __name__ == "__main__"`).'
  );
}
