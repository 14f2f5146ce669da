/**
 * Redis going away and coming back. Within `reconnectWindow` everything resumes where it was
 * (the event reader goes on from the last event it saw); past it, the executor is broken. Once
 * Redis is back, jobs it no longer has (it restarted without its data) fail instead of waiting
 * for ever.
 * @internal
 * @module
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { QueueJob } from "./job-table.js";

export interface OutageHost {
  /** The jobs in flight (a snapshot). */
  jobs(): QueueJob[];
  /** Whether the job is still in flight. */
  has(job: QueueJob): boolean;
  /** The engine is closing and has nothing in flight: connections closing is expected. */
  idle(): boolean;
  /** A job Redis lost. */
  lost(job: QueueJob): void;
  /** The outage lasted longer than the window. */
  giveUp(): void;
}

/** Watches the engine's connections; returns what stops the watch (on close). */
export function watchOutages(clients: Redis[], queue: Queue, reconnectWindow: number, host: OutageHost): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let down = false;
  for (const client of clients) {
    client.on("close", () => {
      if (host.idle()) return;
      down = true;
      if (timer !== undefined || !Number.isFinite(reconnectWindow)) return;
      timer = setTimeout(() => {
        timer = undefined;
        host.giveUp();
      }, reconnectWindow);
    });
    client.on("ready", () => {
      if (clients.some((c) => c.status !== "ready")) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (down) {
        down = false;
        void findLost(queue, host);
      }
    });
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}

// A job Redis no longer has will never end. Looked at twice, a moment apart, so that a job that
// ended during the outage is settled by its event first.
async function findLost(queue: Queue, host: OutageHost): Promise<void> {
  const missing = async (job: QueueJob) => !job.task.future.done() && (await queue.getJobState(job.id).catch(() => "error")) === "unknown";
  const jobs = host.jobs();
  const first = await Promise.all(jobs.map(missing));
  const suspects = jobs.filter((_, i) => first[i]);
  if (suspects.length === 0) return;
  await new Promise((r) => setTimeout(r, 2000));
  const still = await Promise.all(suspects.map(missing));
  for (const [i, job] of suspects.entries()) {
    if (still[i] && host.has(job)) host.lost(job);
  }
}
