/**
 * The executor's jobs in flight: by job id (events name jobs) and by future (`cancel()` names a
 * future), with the queued and running counts kept in the one place a job leaves them.
 * @internal
 * @module
 */
import type { Future } from "isofutures";
import type { Task } from "../../../src/pool/task.js";

export interface QueueJob {
  task: Task;
  id: string;
  /** Settles once the job has reached Redis (then `inRedis` is set) or failed to. */
  added: Promise<void>;
  /** The job is in Redis (its batch was added). */
  inRedis?: true;
  timer?: ReturnType<typeof setTimeout>;
  unwatch?: () => void;
  /** A worker took it (counted as running, not queued). */
  running?: true;
  /** A stream task: the credit granted so far (values its worker may have sent in all). */
  granted?: number;
}

export class JobTable {
  readonly #byId = new Map<string, QueueJob>();
  readonly #byFuture = new Map<Future<unknown>, QueueJob>();
  queued = 0;
  running = 0;

  get size(): number {
    return this.#byId.size;
  }

  add(job: QueueJob): void {
    this.#byId.set(job.id, job);
    this.#byFuture.set(job.task.future, job);
    this.queued++;
  }

  get(id: string): QueueJob | undefined {
    return this.#byId.get(id);
  }

  of(future: Future<unknown>): QueueJob | undefined {
    return this.#byFuture.get(future);
  }

  /** A snapshot, safe to iterate while jobs leave. */
  all(): QueueJob[] {
    return [...this.#byId.values()];
  }

  started(job: QueueJob): void {
    job.running = true;
    this.queued--;
    this.running++;
  }

  /** Once per job: it leaves the table and its count; false if it had already. */
  forget(job: QueueJob): boolean {
    if (!this.#byId.delete(job.id)) return false;
    if (job.running) this.running--;
    else this.queued--;
    this.#byFuture.delete(job.task.future);
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.unwatch?.();
    return true;
  }
}
