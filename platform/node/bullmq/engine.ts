/**
 * The engine of a {@link QueueExecutor}: tasks become BullMQ jobs, the queue's event stream
 * settles their futures. A future is `pending` while its job waits in Redis and `running` once a
 * worker has taken it. The parts live beside it: connections and event reading
 * (connections.ts), events the reader missed (catch-up.ts), removing finished jobs (cleanup.ts),
 * job submission (submission.ts), stop requests (stops.ts), outages and lost jobs (recovery.ts),
 * stream values (streams.ts).
 * @internal
 * @module
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Future } from "isofutures";
import type { Engine, EngineKit, EngineSettings, EngineStats } from "../../../src/pool/engine.js";
import type { Task, TaskControls } from "../../../src/pool/task.js";
import { KIND_STREAM, type WireError } from "../../../src/wire/protocol.js";
import { CatchUp } from "./catch-up.js";
import { FinishedJobs, removalPolicy, type RemovalPolicy } from "./cleanup.js";
import { controlChannel, unpack, type Outcome } from "./codec.js";
import { PendingWrites, connect, fieldsOf, readEvents } from "./connections.js";
import { JobTable, type QueueJob } from "./job-table.js";
import { watchOutages } from "./recovery.js";
import { StopRequests } from "./stops.js";
import { StreamRelay } from "./streams.js";
import { JobBatcher, jobOf, refusal } from "./submission.js";

export interface QueueEngineOptions {
  connection: ConnectionOptions;
  queue: string;
  prefix: string;
  /** The tasks module as a URL (see JobData.m). */
  tasks: string | undefined;
  defaultJobOptions: JobsOptions;
  allowFunctionSource: boolean;
  reconnectWindow: number;
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
  readonly #jobs = new JobTable();
  readonly #writes = new PendingWrites();
  readonly #batcher: JobBatcher;
  readonly #stops: StopRequests;
  readonly #streams: StreamRelay;
  readonly #policy: RemovalPolicy;
  readonly #finished: FinishedJobs;
  readonly #catchUp: CatchUp;
  /** Jobs let go before they ended (stopped, withdrawn): removed when they do (if the executor removes). */
  readonly #released = new Set<string>();
  readonly #unwatch: () => void;
  /** A worker count asked of Redis for stats() and not answered yet. */
  #counting = false;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #workers = 0;
  #closing = false;
  /**
   * Job ids: 72 random bits of this executor (base64url, never a number, as BullMQ requires of
   * custom ids) and a counter. A job's id is written a dozen times per job (keys, events, lists):
   * half a UUID's length is a measurable share of a tiny task's bytes.
   */
  readonly #idTag = randomBytes(9).toString("base64url");
  #idNext = 0;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(kit: EngineKit, settings: EngineSettings, options: QueueEngineOptions) {
    this.#kit = kit;
    this.#o = options;
    this.maxWorkers = settings.maxWorkers;
    const channel = controlChannel(options.prefix, options.queue);
    this.#redis = connect(options.connection);
    this.#reader = connect(options.connection);
    this.#queue = new Queue(options.queue, { connection: this.#redis, prefix: options.prefix });
    this.#queue.on("error", () => {}); // connection errors: handled by the reconnect window
    this.#stops = new StopRequests(this.#redis, this.#queue, channel, this.#writes);
    this.#streams = new StreamRelay(this.#redis, this.#writes, options.prefix, options.queue, randomUUID(), channel);
    this.#unwatch = watchOutages([this.#redis, this.#reader], this.#queue, options.reconnectWindow, {
      jobs: () => this.#jobs.all(),
      has: (job) => this.#jobs.get(job.id) === job,
      idle: () => this.#closing && this.#jobs.size === 0,
      lost: (job) =>
        this.#fail(job, new Error(`the job of ${job.task.def.label} is no longer in Redis (queue "${options.queue}"): Redis lost it (restarted without persistence, or the key was deleted); its outcome is unknown`)),
      giveUp: () => this.#giveUp(),
    });
    this.#policy = removalPolicy(options.defaultJobOptions);
    const queueKey = `${options.prefix}:${options.queue}`;
    this.#finished = new FinishedJobs(this.#redis, this.#writes, queueKey);
    this.#catchUp = new CatchUp(this.#redis, `${queueKey}:`, {
      jobs: () => this.#jobs.all(),
      has: (job) => this.#jobs.get(job.id) === job,
      active: (id) => this.#onActive(id),
      completed: (id, returnvalue) => this.#onCompleted(id, returnvalue),
      failed: (id, reason) => this.#onFailed(id, reason),
      lost: (job) =>
        this.#fail(
          job,
          new Error(
            `the outcome of ${job.task.def.label} is unknown: the queue's event stream (capped by BullMQ's streams.events.maxLen) was trimmed before this executor read the job's events, and the job is no longer in Redis (removed when it ended by removeOnComplete / removeOnFail, or by someone else): leave removeOnComplete and removeOnFail at true (the executor then keeps each job until it has its outcome), or raise the stream's cap`,
          ),
        ),
    });
    this.#ready = this.#start();
    this.#ready.catch(() => {});
    this.#batcher = new JobBatcher(this.#queue, this.#ready, (job, error) => {
      if (!job.task.future.done()) {
        this.#fail(job, new Error(`could not add the job of ${job.task.def.label} to queue "${this.#o.queue}": ${(error as Error)?.message ?? error}`, { cause: error }));
      }
    });
  }

  // Events are read from the moment the executor was made (Redis's clock), so a job that ends
  // before the reader's first request is still seen.
  async #start(): Promise<void> {
    const [seconds, micros] = await this.#redis.time();
    const since = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1;
    void readEvents(this.#reader, `${this.#o.prefix}:${this.#o.queue}:events`, this.#streams.valuesKey, `${since}-0`, {
      values: (entries, lastId) => this.#streams.deliver(entries, lastId, (id) => this.#jobs.get(id)),
      event: (e) => this.#onEvent(e),
      trimmed: () => this.#catchUp.trimmed(),
      afterRead: () => this.#catchUp.afterRead(),
      wanted: () => !this.#closing || this.#jobs.size > 0,
    });
  }

  // Four events per job, two of them wanted: the others (added, waiting, drained…) are skipped on
  // their name, which BullMQ writes first, before any object is made of their fields.
  #onEvent(fields: string[]): void {
    const name = fields[0] === "event" ? fields[1] : fieldsOf(fields).event;
    if (name !== "active" && name !== "completed" && name !== "failed" && name !== "removed") return;
    const e = fieldsOf(fields);
    const id = e.jobId;
    if (id === undefined) return;
    if (name === "active") this.#onActive(id);
    else if (name === "completed") this.#onCompleted(id, e.returnvalue);
    else if (name === "failed") this.#onFailed(id, e.failedReason ?? "no reason given");
    else this.#onRemoved(id);
  }

  // ── submission ──────────────────────────────────────────────────────────────────────────────

  enqueue(task: Task): void {
    const refused = refusal(task, this.#o.allowFunctionSource);
    const made = refused ?? jobOf(task, this.#o.tasks);
    if (made instanceof Error) {
      this.#kit.setException(task.future, made);
      this.#failed++;
      return;
    }
    const job: QueueJob = { task, id: this.#idTag + (this.#idNext++).toString(36), added: Promise.resolve() };
    this.#jobs.add(job);
    if ((task.code & 3) === KIND_STREAM) made.data.s = this.#streams.open(job);
    if (this.#policy.completed || this.#policy.failed) made.data.rm = 1;
    job.added = this.#batcher.add({ name: made.name, data: made.data, opts: { ...this.#policy.jobOptions, jobId: job.id } }, job);
  }

  // ── events from the queue ───────────────────────────────────────────────────────────────────

  #onActive(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.state !== "pending") return; // a re-run after a stall is still the same run to us
    if (!this.#kit.setRunning(job.task.future)) return;
    this.#jobs.started(job);
    const timeout = job.task.controls?.timeout;
    if (timeout !== undefined) {
      job.timer = setTimeout(() => {
        delete job.timer;
        if (job.task.future.done()) return;
        const { TimeoutError } = this.#kit.errors;
        this.#fail(job, new TimeoutError(`${job.task.def.label} did not finish within its timeout of ${timeout} ms: its worker was asked to stop it`));
        this.#letGo(job, "timeout");
      }, timeout);
    }
  }

  /** `text`: the job's return value as BullMQ stores it (JSON). */
  #onCompleted(id: string, text: string | undefined): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) return this.#ended(id, this.#policy.completed);
    if (this.#policy.completed) this.#finished.remove(id);
    let returned: unknown = text;
    let outcome: Outcome;
    try {
      returned = JSON.parse(text ?? "null");
      if (typeof returned !== "object" || returned === null) return this.#succeed(job, returned); // a plain value, as it is
      outcome = unpack((returned as { r: string }).r) as Outcome;
    } catch (error) {
      return this.#fail(
        job,
        new TypeError(`the result of ${job.task.def.label} could not be read: the job returned ${JSON.stringify(returned)?.slice(0, 80)}; is the worker an isofutures worker of the same version?`, { cause: error }),
      );
    }
    const { decodeError } = this.#kit;
    const where = `queue "${this.#o.queue}"`;
    if ("chunk" in outcome) {
      const errors = outcome.errors.length === 0 ? null : new Map(outcome.errors.map(([i, e]) => [i, decodeError(e, where)] as [number, unknown]));
      this.#succeed(job, { values: outcome.chunk, errors });
    } else if (outcome.ok) this.#succeed(job, outcome.value);
    else this.#fail(job, decodeError(outcome.error as WireError, where));
  }

  #onFailed(id: string, reason: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) return this.#ended(id, this.#policy.failed, true);
    if (this.#policy.failed) this.#finished.remove(id, true);
    const { WorkerCrashedError } = this.#kit.errors;
    this.#fail(job, new WorkerCrashedError(`the job of ${job.task.def.label} failed in queue "${this.#o.queue}": ${reason}`));
  }

  #onRemoved(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.task.future.done()) {
      this.#released.delete(id);
      return;
    }
    // Someone else removed the job from Redis: it will not run.
    const { CancelledError } = this.#kit.errors;
    this.#forget(job);
    if (this.#kit.forceCancel(job.task.future, new CancelledError(`the job of ${job.task.def.label} was removed from queue "${this.#o.queue}"`))) this.#cancelled++;
    this.#checkDrained();
  }

  #succeed(job: QueueJob, value: unknown): void {
    this.#forget(job);
    this.#kit.setResult(job.task.future, value);
    this.#completed++;
    this.#checkDrained();
  }

  #fail(job: QueueJob, error: unknown, cancelled = false): void {
    this.#forget(job);
    this.#kit.setException(job.task.future, error);
    if (cancelled) this.#cancelled++;
    else this.#failed++;
    this.#checkDrained();
  }

  #forget(job: QueueJob): void {
    if (this.#jobs.forget(job)) this.#streams.close(job);
  }

  /** A job nobody waits for ended: the executor removes it if it let it go (its worker may not have). */
  #ended(id: string, remove: boolean, failed = false): void {
    if (this.#released.delete(id) && remove) this.#finished.remove(id, failed);
  }

  /**
   * Its future has settled (or been cancelled) before the job ended: a waiting job leaves Redis,
   * a running one is asked to stop (and is removed when it ends, by its worker or by us).
   */
  #letGo(job: QueueJob, reason: string, waiting = false): void {
    if (this.#policy.completed || this.#policy.failed) this.#released.add(job.id);
    if (waiting) this.#stops.withdraw(job, reason);
    else this.#stops.ask(job, reason);
  }

  // ── cancelling and stopping ─────────────────────────────────────────────────────────────────

  /** FutureOwner: a pending future was cancelled: its job leaves Redis (or, if a worker takes it at that moment, is asked to stop). */
  onCancel(future: Future<unknown>): void {
    const job = this.#jobs.of(future);
    if (!job) return;
    this.#cancelled++;
    this.#forget(job);
    this.#letGo(job, "cancelled", true);
    this.#checkDrained();
  }

  /** FutureOwner: `cancel()` of a running future asks its worker to stop the task. */
  onCancelRunning(task: unknown): void {
    const job = this.#jobs.of((task as Task).future);
    if (job) this.#stops.ask(job, "cancel() was called");
  }

  listen(task: Task, controls: TaskControls): void {
    const job = this.#jobs.of(task.future);
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
      this.#letGo(job, "its signal was aborted");
    });
  }

  /** The consumer of a stream took `n` values. */
  credit(task: Task, n: number): void {
    const job = this.#jobs.of(task.future);
    if (job) this.#streams.credit(job, n);
  }

  /** The consumer of a stream let go: as `stopStream` of the pools, the task is asked to stop. */
  stopStream(task: Task): void {
    const f = task.future;
    if (f.done()) return;
    if (f.state === "pending") {
      f.cancel();
      return;
    }
    const job = this.#jobs.of(f);
    if (!job) return;
    const { CancelledError } = this.#kit.errors;
    this.#fail(job, new CancelledError("the stream was unsubscribed"), true);
    this.#letGo(job, "its stream was unsubscribed");
  }

  #giveUp(): void {
    const { BrokenExecutorError } = this.#kit.errors;
    const error = new BrokenExecutorError(
      `lost the connection to Redis (queue "${this.#o.queue}") for more than ${this.#o.reconnectWindow} ms (reconnectWindow): the outcome of its jobs is unknown; make a new QueueExecutor once Redis is back`,
    );
    this.broken = error;
    for (const job of this.#jobs.all()) this.#fail(job, error);
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────────

  shutdown(cancelFutures: boolean): Promise<void> {
    this.#closing = true;
    if (cancelFutures) for (const job of this.#jobs.all()) job.task.future.cancel();
    this.#closed ??= new Promise<void>((resolve) => (this.#drained = resolve)).then(() => this.#close());
    this.#checkDrained();
    return this.#closed;
  }

  terminate(): Promise<void> {
    const { CancelledError } = this.#kit.errors;
    for (const job of this.#jobs.all()) {
      const pending = job.task.future.state === "pending";
      this.#forget(job);
      if (this.#kit.forceCancel(job.task.future, new CancelledError(`the executor was terminated ${pending ? "before" : "while"} ${job.task.def.label} ran`))) this.#cancelled++;
      this.#letGo(job, "the executor was terminated", pending);
    }
    return this.shutdown(false);
  }

  #checkDrained(): void {
    if (this.#closing && this.#jobs.size === 0) this.#drained?.();
  }

  async #close(): Promise<void> {
    this.#unwatch();
    this.#catchUp.dispose();
    this.#finished.flush();
    // Let the last removals, stop requests and stream clean-ups reach Redis, if it is there.
    if (this.#redis.status === "ready") {
      await this.#writes.settled(2000);
      await Promise.race([this.#streams.dispose(), new Promise((r) => setTimeout(r, 2000))]);
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
    const { queued, running } = this.#jobs;
    const busy = Math.min(this.#workers, running);
    return {
      workers: { live: this.#workers, idle: this.#workers - busy, busy },
      tasks: { queued, running, completed: this.#completed, failed: this.#failed, cancelled: this.#cancelled },
    };
  }

  countSettledEarly(cancelled: boolean): void {
    if (cancelled) this.#cancelled++;
    else this.#failed++;
  }
}
