/**
 * An engine that stands in for the scheduler while the scheduler's code loads. A browser app's main
 * bundle then carries the executor's front (submit, map, futures) but not the scheduler, the worker
 * adapter or the worker's bootstrap: they come as chunks of their own, fetched when the executor is
 * made, before any worker could have started anyway.
 *
 * Meanwhile tasks wait here in order, cancellable, their signals watched; once the scheduler exists
 * they go to it as if just submitted, and every call is passed through.
 * @internal
 * @module
 */
import { BrokenExecutorError, CancelledError } from "../futures/errors.js";
import { forceCancel, setException, type Future } from "../futures/future.js";
import { watchAbort } from "./abort-watch.js";
import type { Engine, EngineStats, SchedulerMaker } from "./engine.js";
import type { WorkerFactory } from "./endpoint.js";
import type { SchedulerConfig } from "./scheduler/state.js";
import type { Task, TaskControls } from "./task.js";

/** A {@link SchedulerMaker} whose scheduler is made once `load` has brought its code. */
export function lazyScheduler(load: () => Promise<SchedulerMaker>): SchedulerMaker {
  return (factory, config) => new LazyEngine(load(), factory, config);
}

class LazyEngine implements Engine {
  readonly maxWorkers: number;
  #engine: Engine | undefined;
  #broken: BrokenExecutorError | undefined;
  readonly #waiting: Task[] = [];
  /** Tasks with a signal, and how to stop watching it. */
  readonly #watched = new Map<Task, () => void>();
  #queued = 0;
  #failed = 0;
  #cancelled = 0;
  #terminated = false;
  readonly #started: Promise<Engine | undefined>;

  constructor(loading: Promise<SchedulerMaker>, factory: WorkerFactory, config: SchedulerConfig) {
    this.maxWorkers = config.maxWorkers;
    this.#started = loading.then(
      (make) => (this.#terminated ? undefined : this.#start(make(factory, config))),
      (error: unknown) => this.#fail(error),
    );
  }

  get broken(): BrokenExecutorError | undefined {
    return this.#engine ? this.#engine.broken : this.#broken;
  }

  // The scheduler exists: what was settled here is counted there, the waiting tasks go to it.
  #start(engine: Engine): Engine {
    this.#engine = engine;
    for (let i = 0; i < this.#cancelled; i++) engine.countSettledEarly(true);
    for (let i = 0; i < this.#failed; i++) engine.countSettledEarly(false);
    for (const t of this.#waiting.splice(0)) {
      const unwatch = this.#watched.get(t);
      unwatch?.();
      if (t.future.done()) continue; // cancelled while waiting: counted above
      engine.enqueue(t);
      const c = t.controls;
      if (unwatch && c?.signal) {
        if (c.signal.aborted) t.future.cancel();
        else engine.listen(t, c);
      }
    }
    this.#watched.clear();
    return engine;
  }

  #fail(error: unknown): undefined {
    const message = `the executor is broken: its code could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    this.#broken = new BrokenExecutorError(message, { cause: error });
    for (const unwatch of this.#watched.values()) unwatch();
    this.#watched.clear();
    for (const t of this.#waiting.splice(0)) {
      if (t.future.done()) continue;
      this.#queued--;
      this.#failed++;
      setException(t.future, new BrokenExecutorError(message, { cause: error }));
    }
    return undefined;
  }

  enqueue(task: Task): void {
    if (this.#engine) return this.#engine.enqueue(task);
    this.#waiting.push(task);
    this.#queued++;
  }

  listen(task: Task, controls: TaskControls): void {
    if (this.#engine) return this.#engine.listen(task, controls);
    const signal = controls.signal as AbortSignal;
    this.#watched.set(task, watchAbort(signal, () => task.future.cancel()));
  }

  onCancel(future: Future<unknown>): void {
    if (this.#engine) return this.#engine.onCancel(future);
    this.#queued--;
    this.#cancelled++;
  }

  onCancelRunning(job: unknown): void {
    this.#engine?.onCancelRunning?.(job);
  }

  credit(task: Task, n: number): void {
    this.#engine?.credit(task, n);
  }

  stopStream(task: Task): void {
    if (this.#engine) return this.#engine.stopStream(task);
    task.future.cancel(); // nothing runs before the scheduler exists
  }

  shutdown(cancelFutures: boolean): Promise<void> {
    if (this.#engine) return this.#engine.shutdown(cancelFutures);
    if (cancelFutures) for (const t of this.#waiting) t.future.cancel();
    return this.#started.then((engine) => engine?.shutdown(false));
  }

  terminate(): Promise<void> {
    if (this.#engine) return this.#engine.terminate();
    this.#terminated = true;
    for (const unwatch of this.#watched.values()) unwatch();
    this.#watched.clear();
    for (const t of this.#waiting.splice(0)) {
      if (forceCancel(t.future, new CancelledError("the executor was terminated before this task ran"))) {
        this.#queued--;
        this.#cancelled++;
      }
    }
    return this.#started.then(() => undefined);
  }

  stats(): ReturnType<Engine["stats"]> {
    if (this.#engine) return this.#engine.stats();
    // No timings yet: no task has reached a worker (the executor reports empty ones).
    const counts: EngineStats = {
      workers: { live: 0, idle: 0, busy: 0 },
      tasks: { queued: this.#queued, running: 0, completed: 0, failed: this.#failed, cancelled: this.#cancelled },
    };
    return counts;
  }

  countSettledEarly(cancelled: boolean): void {
    if (this.#engine) return this.#engine.countSettledEarly(cancelled);
    if (cancelled) this.#cancelled++;
    else this.#failed++;
  }
}
