/**
 * The engine of a {@link QueueExecutor}: tasks become BullMQ jobs, the queue's event stream
 * settles their futures. A future is `pending` while its job waits in Redis and `running` once a
 * worker has taken it.
 * @internal
 * @module
 */
import { randomUUID } from "node:crypto";
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { UnsupportedError, type Future } from "isofutures";
import type { Engine, EngineKit, EngineSettings, EngineStats } from "../../../src/pool/engine.js";
import type { Task, TaskControls } from "../../../src/pool/task.js";
import { DEF_EXPORT, DEF_REF, DEF_SOURCE, KIND_STREAM, type WireError } from "../../../src/wire/protocol.js";
import { JOB_FORMAT, cancelChannel, pack, unpack, type JobData, type JobReturn, type Outcome } from "./codec.js";

export interface QueueEngineOptions {
  connection: ConnectionOptions;
  queue: string;
  prefix: string;
  tasks: string | undefined;
  defaultJobOptions: JobsOptions;
  allowFunctionSource: boolean;
  reconnectWindow: number;
}


interface Job {
  task: Task;
  id: string;
  /** Resolves once the job is in Redis (or failed to get there). */
  added: Promise<boolean>;
  timer?: ReturnType<typeof setTimeout>;
  unwatch?: () => void;
  /** A worker took it (counted as running, not queued). */
  running?: true;
}

export class QueueEngine implements Engine {
  readonly maxWorkers: number;
  broken: InstanceType<EngineKit["errors"]["BrokenExecutorError"]> | undefined = undefined;
  readonly #kit: EngineKit;
  readonly #o: QueueEngineOptions;
  readonly #queue: Queue;
  /** The queue's connection (ours, so that closing never waits for a Redis that is gone). */
  readonly #redis: Redis;
  /** The connection that reads the queue's event stream (blocking reads). */
  readonly #reader: Redis;
  readonly #ready: Promise<void>;
  readonly #jobs = new Map<string, Job>();
  readonly #byFuture = new Map<Future<unknown>, Job>();
  readonly #channel: string;
  #queued = 0;
  #running = 0;
  /** A worker count asked of Redis for stats() and not answered yet. */
  #counting = false;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #workers = 0;
  #closing = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #lost: ReturnType<typeof setTimeout> | undefined;
  #down = false;
  #nextBatch: { entries: { name: string; data: JobData; opts: JobsOptions }[]; sent: Promise<unknown> } | undefined;
  /** Removals and stop requests on their way to Redis. */
  readonly #pendingWrites = new Set<Promise<unknown>>();

  constructor(kit: EngineKit, settings: EngineSettings, options: QueueEngineOptions) {
    this.#kit = kit;
    this.#o = options;
    this.maxWorkers = settings.maxWorkers;
    this.#channel = cancelChannel(options.prefix, options.queue);
    this.#redis = connect(options.connection);
    this.#reader = connect(options.connection);
    this.#queue = new Queue(options.queue, { connection: this.#redis, prefix: options.prefix });
    this.#queue.on("error", () => {}); // connection errors: handled by the reconnect window
    this.#watch();
    this.#ready = this.#start();
    this.#ready.catch(() => {});
  }

  // Events are read from the moment the executor was made (Redis's clock), so a job that ends
  // before the reader's first request is still seen.
  async #start(): Promise<void> {
    const [seconds, micros] = await this.#redis.time();
    const since = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1;
    void this.#read(`${since}-0`);
  }

  // The queue's event stream (what BullMQ's QueueEvents reads), read here on a connection of our
  // own: after an outage it goes on from the last event it saw.
  async #read(from: string): Promise<void> {
    const key = `${this.#o.prefix}:${this.#o.queue}:events`;
    let id = from;
    while (!this.#closing || this.#jobs.size > 0) {
      let data: [string, [string, string[]][]][] | null;
      try {
        data = (await this.#reader.xread("BLOCK", 2000, "STREAMS", key, id)) as typeof data;
      } catch {
        if (this.#reader.status === "end") return;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      for (const [, entries] of data ?? []) {
        for (const [entryId, fields] of entries) {
          id = entryId;
          const e: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) e[fields[i]!] = fields[i + 1]!;
          this.#onEvent(e);
        }
      }
    }
  }

  #onEvent(e: Record<string, string>): void {
    const id = e.jobId;
    if (id === undefined) return;
    switch (e.event) {
      case "active":
        return this.#onActive(id);
      case "completed": {
        let returned: unknown;
        try {
          returned = JSON.parse(e.returnvalue ?? "null");
        } catch {
          returned = e.returnvalue;
        }
        return this.#onCompleted(id, returned);
      }
      case "failed":
        return this.#onFailed(id, e.failedReason ?? "no reason given");
      case "removed":
        return this.#onRemoved(id);
      default:
        return;
    }
  }

  // ── submission ──────────────────────────────────────────────────────────────────────────────

  enqueue(task: Task): void {
    const refused = this.#refuse(task);
    if (refused) return this.#settleEarly(task, refused);
    const [, defKind, a] = task.def.wire;
    const controls = task.controls;
    let data: JobData;
    try {
      data = { v: JOB_FORMAT, fn: [defKind, a], k: task.code & 3, a: pack(task.payload) };
    } catch (error) {
      return this.#settleEarly(
        task,
        new TypeError(`the arguments of ${task.def.label} cannot be sent through the queue: ${(error as Error).message}. Send structured-cloneable data (no functions, symbols or class instances with methods)`),
      );
    }
    if (controls?.timeout !== undefined) data.t = controls.timeout;
    if (this.#o.tasks !== undefined) data.m = this.#o.tasks;
    const id = randomUUID();
    const job: Job = { task, id, added: Promise.resolve(false) };
    this.#jobs.set(id, job);
    this.#byFuture.set(task.future, job);
    this.#queued++;
    const name = defKind === DEF_EXPORT ? a : "function";
    job.added = this.#batch({ name, data, opts: { ...this.#o.defaultJobOptions, jobId: id } })
      .then(
        () => true,
        (error: unknown) => {
          if (!task.future.done()) {
            this.#fail(job, new Error(`could not add the job of ${task.def.label} to queue "${this.#o.queue}": ${(error as Error)?.message ?? error}`, { cause: error }));
          }
          return false;
        },
      );
  }

  // The jobs of one event-loop turn go to Redis together (one addBulk: one round trip).
  #batch(entry: { name: string; data: JobData; opts: JobsOptions }): Promise<unknown> {
    if (this.#nextBatch === undefined) {
      const entries: (typeof entry)[] = [];
      const sent = this.#ready.then(() => {
        this.#nextBatch = undefined;
        return this.#queue.addBulk(entries);
      });
      this.#nextBatch = { entries, sent };
    }
    this.#nextBatch.entries.push(entry);
    return this.#nextBatch.sent;
  }

  #refuse(task: Task): Error | undefined {
    const [, defKind] = task.def.wire;
    if ((task.code & 3) === KIND_STREAM) {
      return new UnsupportedError("a QueueExecutor does not stream values: return them all at once (an array), or use a ThreadPoolExecutor for streams");
    }
    if (defKind === DEF_REF) {
      return new TypeError("a taskRef names a module on this machine; the queue's workers import their own tasks module: submit the task by its export name");
    }
    if (defKind === DEF_SOURCE && !this.#o.allowFunctionSource) {
      return new TypeError(
        "a QueueExecutor sends tasks by name (the exports of the workers' tasks module); sending a function's source is off because anyone who can write to the queue could then run code: " +
          "pass allowFunctionSource: true here and start the workers with --allow-function-source to allow it",
      );
    }
    return undefined;
  }

  #settleEarly(task: Task, error: Error): void {
    this.#kit.setException(task.future, error);
    this.#failed++;
  }

  // ── events from the queue ───────────────────────────────────────────────────────────────────

  #onActive(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.state !== "pending") return; // a re-run after a stall is still the same run to us
    if (!this.#kit.setRunning(job.task.future)) return;
    job.running = true;
    this.#queued--;
    this.#running++;
    const timeout = job.task.controls?.timeout;
    if (timeout !== undefined) {
      job.timer = setTimeout(() => {
        delete job.timer;
        if (job.task.future.done()) return;
        const { TimeoutError } = this.#kit.errors;
        this.#fail(job, new TimeoutError(`${job.task.def.label} did not finish within its timeout of ${timeout} ms: its worker was asked to stop it`));
        this.#cancelRemote(job, "timeout");
      }, timeout);
    }
  }

  #onCompleted(id: string, returned: unknown): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) return;
    let outcome: Outcome;
    try {
      outcome = unpack((returned as JobReturn).r) as Outcome;
    } catch (error) {
      return this.#end(job, false, new TypeError(`the result of ${job.task.def.label} could not be read: the job returned ${JSON.stringify(returned)?.slice(0, 80)}; is the worker an isofutures worker of the same version?`, { cause: error }));
    }
    const { decodeError } = this.#kit;
    const where = `queue "${this.#o.queue}"`;
    if ("chunk" in outcome) {
      const errors = outcome.errors.length === 0 ? null : new Map(outcome.errors.map(([i, e]) => [i, decodeError(e, where)] as [number, unknown]));
      this.#end(job, true, { values: outcome.chunk, errors });
    } else if (outcome.ok) this.#end(job, true, outcome.value);
    else this.#end(job, false, decodeError(outcome.error as WireError, where));
  }

  #onFailed(id: string, reason: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) return;
    const { WorkerCrashedError } = this.#kit.errors;
    this.#end(job, false, new WorkerCrashedError(`the job of ${job.task.def.label} failed in queue "${this.#o.queue}": ${reason}`));
  }

  #onRemoved(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) return;
    // Someone else removed the job from Redis: it will not run.
    const { CancelledError } = this.#kit.errors;
    this.#forget(job);
    if (this.#kit.forceCancel(job.task.future, new CancelledError(`the job of ${job.task.def.label} was removed from queue "${this.#o.queue}"`))) this.#cancelled++;
    this.#checkDrained();
  }

  // A running or pending job's end.
  #end(job: Job, ok: boolean, value: unknown): void {
    if (ok) {
      this.#forget(job);
      this.#kit.setResult(job.task.future, value);
      this.#completed++;
      this.#checkDrained();
    } else this.#fail(job, value);
  }

  #fail(job: Job, error: unknown): void {
    this.#forget(job);
    this.#kit.setException(job.task.future, error);
    this.#failed++;
    this.#checkDrained();
  }

  // Once per job: it leaves the queued or running count.
  #forget(job: Job): void {
    if (!this.#jobs.delete(job.id)) return;
    if (job.running) this.#running--;
    else this.#queued--;
    this.#byFuture.delete(job.task.future);
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.unwatch?.();
  }

  // ── cancelling and stopping ─────────────────────────────────────────────────────────────────

  /** FutureOwner: a pending future was cancelled: its job leaves Redis (or, if a worker takes it at that moment, is asked to stop). */
  onCancel(future: Future<unknown>): void {
    const job = this.#byFuture.get(future);
    if (!job) return;
    this.#cancelled++;
    this.#forget(job);
    this.#track(job.added.then((added) => (added ? this.#remove(job) : undefined)));
    this.#checkDrained();
  }

  async #remove(job: Job): Promise<void> {
    try {
      const removed = await this.#queue.remove(job.id);
      if (removed === 0) this.#cancelRemote(job, "cancelled"); // a worker holds it
    } catch {
      this.#cancelRemote(job, "cancelled");
    }
  }

  /** FutureOwner: `cancel()` of a running future asks its worker to stop the task. */
  onCancelRunning(task: unknown): void {
    const job = this.#byFuture.get((task as Task).future);
    if (job) this.#cancelRemote(job, "cancel() was called");
  }

  listen(task: Task, controls: TaskControls): void {
    const job = this.#byFuture.get(task.future);
    const signal = controls.signal;
    if (!job || !signal) return;
    job.unwatch = this.#kit.watchAbort(signal, () => {
      const f = task.future;
      if (f.done()) return;
      if (f.state === "pending") {
        f.cancel();
        return;
      }
      this.#fail(job, signal.reason);
      this.#cancelRemote(job, "its signal was aborted");
    });
  }

  #cancelRemote(job: Job, reason: string): void {
    this.#track(this.#redis.publish(this.#channel, JSON.stringify({ id: job.id, reason })));
  }

  #track(write: Promise<unknown>): void {
    const p = write.catch(() => {}).finally(() => this.#pendingWrites.delete(p));
    this.#pendingWrites.add(p);
  }

  credit(): void {}

  stopStream(): void {}

  // ── connection loss ─────────────────────────────────────────────────────────────────────────

  #watch(): void {
    for (const client of [this.#redis, this.#reader]) {
      client.on("close", () => {
        if (this.#closing && this.#jobs.size === 0) return;
        this.#down = true;
        if (this.#lost !== undefined || !Number.isFinite(this.#o.reconnectWindow)) return;
        this.#lost = setTimeout(() => this.#giveUp(), this.#o.reconnectWindow);
      });
      client.on("ready", () => {
        if (this.#redis.status !== "ready" || this.#reader.status !== "ready") return;
        if (this.#lost !== undefined) clearTimeout(this.#lost);
        this.#lost = undefined;
        if (this.#down) {
          this.#down = false;
          void this.#verify();
        }
      });
    }
  }

  // After an outage: a job that Redis no longer has (it restarted without its data) will never
  // end; fail its future instead of leaving it waiting. Looked at twice, a moment apart, so that a
  // job that ended during the outage is settled by its event first.
  async #verify(): Promise<void> {
    const missing = async (job: Job) => !job.task.future.done() && (await this.#queue.getJobState(job.id).catch(() => "error")) === "unknown";
    const jobs = [...this.#jobs.values()];
    const first = await Promise.all(jobs.map(missing));
    const suspects = jobs.filter((_, i) => first[i]);
    if (suspects.length === 0) return;
    await new Promise((r) => setTimeout(r, 2000));
    const still = await Promise.all(suspects.map(missing));
    for (const [i, job] of suspects.entries()) {
      if (!still[i] || !this.#jobs.has(job.id)) continue;
      this.#fail(job, new Error(`the job of ${job.task.def.label} is no longer in Redis (queue "${this.#o.queue}"): Redis lost it (restarted without persistence, or the key was deleted); its outcome is unknown`));
    }
  }

  #giveUp(): void {
    this.#lost = undefined;
    const { BrokenExecutorError } = this.#kit.errors;
    const error = new BrokenExecutorError(
      `lost the connection to Redis (queue "${this.#o.queue}") for more than ${this.#o.reconnectWindow} ms (reconnectWindow): the outcome of its jobs is unknown; make a new QueueExecutor once Redis is back`,
    );
    this.broken = error;
    for (const job of [...this.#jobs.values()]) {
      this.#fail(job, error);
    }
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────────

  shutdown(cancelFutures: boolean): Promise<void> {
    this.#closing = true;
    if (cancelFutures) for (const job of [...this.#jobs.values()]) job.task.future.cancel();
    this.#closed ??= new Promise<void>((resolve) => (this.#drained = resolve)).then(() => this.#close());
    this.#checkDrained();
    return this.#closed;
  }

  terminate(): Promise<void> {
    const { CancelledError } = this.#kit.errors;
    for (const job of [...this.#jobs.values()]) {
      const pending = job.task.future.state === "pending";
      this.#forget(job);
      if (this.#kit.forceCancel(job.task.future, new CancelledError(`the executor was terminated ${pending ? "before" : "while"} ${job.task.def.label} ran`))) this.#cancelled++;
      if (pending) this.#track(job.added.then((added) => (added ? this.#remove(job) : undefined)));
      else this.#cancelRemote(job, "the executor was terminated");
    }
    return this.shutdown(false);
  }

  #checkDrained(): void {
    if (this.#closing && this.#jobs.size === 0) this.#drained?.();
  }

  async #close(): Promise<void> {
    if (this.#lost !== undefined) clearTimeout(this.#lost);
    // Let the last removals and stop requests reach Redis, if it is there.
    if (this.#redis.status === "ready") {
      await Promise.race([Promise.allSettled([...this.#pendingWrites]), new Promise((r) => setTimeout(r, 2000))]);
    }
    await Promise.race([this.#queue.close(), new Promise((r) => setTimeout(r, 2000))]).catch(() => {});
    this.#reader.disconnect();
    this.#redis.disconnect();
  }

  // ── reporting ───────────────────────────────────────────────────────────────────────────────

  stats(): EngineStats {
    if (!this.#closing && !this.#counting) {
      this.#counting = true;
      void this.#ready
        .then(() => this.#queue.getWorkersCount())
        .then((n) => (this.#workers = n))
        .catch(() => {})
        .finally(() => (this.#counting = false));
    }
    const busy = Math.min(this.#workers, this.#running);
    return {
      workers: { live: this.#workers, idle: this.#workers - busy, busy },
      tasks: { queued: this.#queued, running: this.#running, completed: this.#completed, failed: this.#failed, cancelled: this.#cancelled },
    };
  }

  countSettledEarly(cancelled: boolean): void {
    if (cancelled) this.#cancelled++;
    else this.#failed++;
  }
}

/** A connection of our own, from BullMQ-style connection options (or a copy of a given client). */
function connect(connection: ConnectionOptions): Redis {
  const c = connection as Record<string, unknown> & { duplicate?: () => Redis };
  const client =
    typeof c.duplicate === "function"
      ? c.duplicate()
      : new Redis({
          // Come back quickly after an outage (BullMQ's default waits up to 20 s between tries).
          retryStrategy: (times: number) => Math.min(100 * times, 1000),
          ...c,
          maxRetriesPerRequest: null,
        } as RedisOptions & { replyMapping?: never });
  client.on("error", () => {}); // outages are handled by the reconnect window
  return client;
}
