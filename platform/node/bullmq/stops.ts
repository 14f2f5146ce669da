/**
 * Stop requests. A job still waiting in Redis is removed; one a worker holds cannot be taken
 * back, so its worker is asked over pub/sub (every worker hears it; the one running the job
 * aborts the task's signal). Pub/sub is fire-and-forget: a worker that is reconnecting misses the
 * request, and the job then simply runs to its end, its outcome ignored.
 * @internal
 * @module
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { PendingWrites } from "./connections.js";
import type { QueueJob } from "./job-table.js";

export class StopRequests {
  readonly #redis: Redis;
  readonly #queue: Queue;
  readonly #channel: string;
  readonly #writes: PendingWrites;

  constructor(redis: Redis, queue: Queue, channel: string, writes: PendingWrites) {
    this.#redis = redis;
    this.#queue = queue;
    this.#channel = channel;
    this.#writes = writes;
  }

  /** Asks the worker running `job` to stop it. */
  ask(job: QueueJob, reason: string): void {
    this.#writes.track(this.#redis.publish(this.#channel, JSON.stringify({ id: job.id, reason })));
  }

  /** Takes a job that has not started out of Redis, or asks its worker if one took it meanwhile. */
  withdraw(job: QueueJob, reason: string): void {
    this.#writes.track(job.added.then(() => (job.inRedis ? this.#remove(job, reason) : undefined)));
  }

  async #remove(job: QueueJob, reason: string): Promise<void> {
    try {
      const removed = await this.#queue.remove(job.id);
      if (removed === 0) this.ask(job, reason); // a worker holds it
    } catch {
      this.ask(job, reason);
    }
  }
}
