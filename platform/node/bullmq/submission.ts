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

/** The jobs of one event-loop turn go to Redis together (one pipelined `addBulk`). */
export class JobBatcher {
  #next: { entries: JobEntry[]; jobs: QueueJob[]; sent: Promise<boolean> } | undefined;
  readonly #queue: Queue;
  /** Resolves once the engine may write (its event reader has its starting point). */
  readonly #ready: Promise<void>;
  readonly #refused: (job: QueueJob, error: unknown) => void;

  /** `refused`: a job of a batch that could not get to Redis. */
  constructor(queue: Queue, ready: Promise<void>, refused: (job: QueueJob, error: unknown) => void) {
    this.#queue = queue;
    this.#ready = ready;
    this.#refused = refused;
  }

  /**
   * Resolves to true once the job's batch is in Redis (the job is then marked `inRedis`), false
   * if it could not get there (each of its jobs is then `refused`). One promise per batch.
   */
  add(entry: JobEntry, job: QueueJob): Promise<boolean> {
    if (this.#next === undefined) {
      const entries: JobEntry[] = [];
      const jobs: QueueJob[] = [];
      const sent = this.#ready
        .then(() => {
          this.#next = undefined;
          return this.#queue.addBulk(entries);
        })
        .then(
          () => {
            for (const j of jobs) j.inRedis = true;
            return true;
          },
          (error: unknown) => {
            if (this.#next?.jobs === jobs) this.#next = undefined;
            for (const j of jobs) this.#refused(j, error);
            return false;
          },
        );
      this.#next = { entries, jobs, sent };
    }
    this.#next.entries.push(entry);
    this.#next.jobs.push(job);
    return this.#next.sent;
  }
}
