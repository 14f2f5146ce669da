/**
 * From a task to a BullMQ job: what the job carries, what a queue refuses, and the batching of
 * one turn's jobs into one `addBulk` (one round trip for a burst, however many tasks).
 * @internal
 * @module
 */
import type { JobsOptions, Queue } from "bullmq";
import type { Task } from "../../../src/pool/task.js";
import { DEF_EXPORT, DEF_REF, DEF_SOURCE, KIND_CALL } from "../../../src/wire/protocol.js";
import { JOB_FORMAT, pack, plainValues, type JobData } from "./codec.js";
import type { QueueJob } from "./job-table.js";

export interface JobEntry {
  name: string;
  data: JobData;
  opts: JobsOptions;
}

/** What a queue cannot run, with what to do instead; `undefined` when it can. */
export function refusal(task: Task, allowFunctionSource: boolean): Error | undefined {
  const [, defKind] = task.def.wire;
  if (defKind === DEF_REF) {
    return new TypeError("a taskRef names a module on this machine; the queue's workers import their own tasks module: submit the task by its export name");
  }
  if (defKind === DEF_SOURCE && !allowFunctionSource) {
    return new TypeError(
      "a QueueExecutor sends tasks by name (the exports of the workers' tasks module); sending a function's source is off because anyone who can write to the queue could then run code: " +
        "pass allowFunctionSource: true here and start the workers with --allow-function-source to allow it",
    );
  }
  return undefined;
}

/** The job's data and name, or the error that fails the task (arguments that cannot travel). */
export function jobOf(task: Task, tasks: string | undefined): { name: string; data: JobData } | Error {
  const [, defKind, text] = task.def.wire;
  let a: string | undefined;
  try {
    if (!plainValues(task.payload)) a = pack(task.payload);
  } catch (error) {
    return new TypeError(
      `the arguments of ${task.def.label} cannot be sent through the queue: ${(error as Error).message}. Send structured-cloneable data (no functions, symbols or class instances with methods)`,
    );
  }
  const data: JobData = a === undefined ? { v: JOB_FORMAT, j: task.payload } : { v: JOB_FORMAT, a };
  if (defKind !== DEF_EXPORT) data.fn = [defKind, text];
  const kind = task.code & 3;
  if (kind !== KIND_CALL) data.k = kind;
  const timeout = task.controls?.timeout;
  if (timeout !== undefined) data.t = timeout;
  if (tasks !== undefined) data.m = tasks;
  return { name: defKind === DEF_EXPORT ? text : "function", data };
}

/** Jobs per `addBulk`: a burst goes out in slices, one per turn of the event loop. */
const SLICE = 256;

interface Batch {
  entries: JobEntry[];
  jobs: QueueJob[];
  /** Entries sent so far, and slices not yet answered. */
  sent: number;
  unanswered: number;
  /** Settles once every slice is answered; `done` settles it. */
  settled: Promise<void>;
  done: () => void;
}

/**
 * The jobs of one event-loop turn go to Redis in pipelined `addBulk`s, a slice of {@link SLICE}
 * per turn of the event loop, in order. A burst thus reaches the workers while the rest of it is
 * still being made into jobs (BullMQ's job objects, serialization: tens of µs per job), and the
 * event reader gets its turns in between, instead of everything waiting for the whole burst.
 */
export class JobBatcher {
  readonly #batches: Batch[] = [];
  #open: Batch | undefined;
  #pumping = false;
  readonly #queue: Queue;
  /** Resolves once the engine may write (its event reader has its starting point). */
  readonly #ready: Promise<void>;
  readonly #refused: (job: QueueJob, error: unknown) => void;

  /** `refused`: a job that could not get to Redis. */
  constructor(queue: Queue, ready: Promise<void>, refused: (job: QueueJob, error: unknown) => void) {
    this.#queue = queue;
    this.#ready = ready;
    this.#refused = refused;
  }

  /**
   * Returns a promise that settles once the job's batch has reached Redis or failed to (the job
   * is then marked `inRedis`, or `refused`). One promise per turn's batch.
   */
  add(entry: JobEntry, job: QueueJob): Promise<void> {
    let b = this.#open;
    if (b === undefined) {
      let done!: () => void;
      const settled = new Promise<void>((resolve) => (done = resolve));
      b = this.#open = { entries: [], jobs: [], sent: 0, unanswered: 0, settled, done };
      this.#batches.push(b);
      // The turn's submissions are all in once this runs.
      void this.#ready.then(
        () => {
          if (this.#open === b) this.#open = undefined;
          if (!this.#pumping) this.#pump();
        },
        (error: unknown) => {
          if (this.#open === b) this.#open = undefined;
          this.#batches.splice(this.#batches.indexOf(b!), 1);
          for (const j of b!.jobs) this.#refused(j, error);
          b!.done();
        },
      );
    }
    b.entries.push(entry);
    b.jobs.push(job);
    return b.settled;
  }

  /** Sends one slice, then goes on in the next turn while slices remain. */
  #pump(): void {
    const b = this.#batches[0];
    if (b === undefined || b === this.#open) {
      this.#pumping = false;
      return;
    }
    this.#pumping = true;
    const from = b.sent;
    const to = Math.min(from + SLICE, b.entries.length);
    b.sent = to;
    b.unanswered++;
    const entries = from === 0 && to === b.entries.length ? b.entries : b.entries.slice(from, to);
    const answered = (): void => {
      if (--b.unanswered === 0 && b.sent === b.entries.length) b.done();
    };
    this.#queue.addBulk(entries).then(
      () => {
        for (let i = from; i < to; i++) b.jobs[i]!.inRedis = true;
        answered();
      },
      (error: unknown) => {
        for (let i = from; i < to; i++) this.#refused(b.jobs[i]!, error);
        answered();
      },
    );
    if (to === b.entries.length) this.#batches.shift();
    if (this.#batches.length > 0 && this.#batches[0] !== this.#open) setImmediate(() => this.#pump());
    else this.#pumping = false;
  }
}
