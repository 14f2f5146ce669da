/**
 * The public Executor: options, the submit/map family, shutdown, terminate, stats. It owns a
 * {@link Scheduler}, which owns the workers; subclasses only pick the platform's worker factory.
 * @module
 */
import { describe } from "../util/describe.js";
import type { ShareObject, WorkerFactory } from "./endpoint.js";
import { BrokenExecutorError, ShutdownError } from "../futures/errors.js";
import { FunctionTable } from "./functions.js";
import { newFuture, setException, setJob, type Future } from "../futures/future.js";
import { checkMapCall, type MapCaller, type MapHost, type MapOptions, type MapRunner } from "./map-call.js";
import { KIND_CALL, KIND_STREAM, STREAM_WINDOW, taskCode } from "../wire/protocol.js";
import { emptyTimings, providedEngineKit, type Engine, type EngineKit, type EngineSettings, type ExecutorStats, type SchedulerMaker } from "./engine.js";
export type { ExecutorStats } from "./engine.js";
import { Task, type ChunkOutcome, type StreamSink, type TaskControls } from "./task.js";
import { TaskStream, type StreamOptions } from "./stream.js";
import type { TaskRef } from "../wire/task-ref.js";
import { isTransfer } from "../wire/transfer.js";
import { sharedSeen } from "../shared/shareable.js";
import { encodeShared, holdsShared } from "../shared/encode.js";
import type { AnyIterable, AnyTasks, StreamReturn, StreamValue, TaskArgs, TaskFunction, TaskInput, TaskName, TaskResult, ZipInputs } from "../types.js";
import { assertTimeout, checkInteger, checkSignal } from "../util/validate.js";
import { checkNesting, nestingDepth } from "../util/nesting.js";
import { checkOptions } from "../util/options.js";
import { EXECUTOR_OPTIONS, PEER_OPTION_HINTS, type ExecutorOptions, type ShutdownOptions, type SubmitOptions } from "./options.js";
import { ExecutorEventTarget, eventsOf } from "./event-target.js";
import { checkedInitArgs } from "./init-args.js";


export type { MapOptions } from "./map-call.js";

export type { ExecutorOptions, ShutdownOptions, SubmitOptions } from "./options.js";

const DEFAULT_IDLE_TIMEOUT = 10_000;
const DEFAULT_CANCEL_GRACE = 50;

const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

function noScheduler(): never {
  throw new TypeError("an executor needs an engine or a scheduler (Executor is made by its subclasses)");
}

/**
 * Runs tasks and returns {@link Future}s. The executors are `ThreadPoolExecutor`,
 * `ProcessPoolExecutor` and `InlineExecutor`; all share this interface.
 *
 * `M` is the type of the tasks module (`typeof import("./tasks.js")`): with it, task names,
 * arguments and results are checked.
 */
export abstract class Executor<M extends object = AnyTasks> extends ExecutorEventTarget {
  readonly #scheduler: Engine;
  readonly #functions: FunctionTable;
  readonly #kind: string;
  #shutdownCalled = false;
  readonly #host: MapHost;
  readonly #map: MapRunner;
  /** Maps waiting for their code (lazy-map.ts): `shutdown()` lets their tasks in first. */
  readonly #starting = new Set<Promise<void>>();
  /** After terminate() or shutdown({ cancelFutures }): a map's tasks not submitted yet are cancelled instead. */
  #cancelLate = false;
  readonly #checkArgs: ((args: readonly unknown[]) => Error | undefined) | undefined;
  readonly #share: ShareObject | undefined;

  /** @internal Executors are made by their subclasses. */
  protected constructor(
    options: ExecutorOptions | undefined,
    factory: WorkerFactory,
    config: {
      defaultMaxWorkers: () => number;
      served: boolean;
      /** Runs the tasks with something else than a pool of workers from `factory` (a remote queue). */
      engine?: ((kit: EngineKit, settings: EngineSettings) => Engine) | undefined;
      /** Options this kind takes besides {@link EXECUTOR_OPTIONS} (platform extras). */
      options?: readonly string[] | undefined;
      /** What to say of other pools' options. @defaultValue {@link PEER_OPTION_HINTS} */
      hints?: Readonly<Record<string, string>> | undefined;
      /** Makes the pool's scheduler: the platform's choice, so that a browser bundle may load it on first use. */
      scheduler?: SchedulerMaker | undefined;
      /** Starts maps (map.ts), or loads it first (lazy-map.ts, browsers). @defaultValue the engine kit's (Node's entry gives map.ts there) */
      map?: MapRunner | undefined;
    },
  ) {
    super();
    const o = options ?? {};
    if (typeof o !== "object") throw new TypeError(`${factory.kind} executor options must be an object, got ${describe(o)}`);
    const kind = `${factory.kind} executor`;
    checkOptions(o, config.options ? [...EXECUTOR_OPTIONS, ...config.options] : EXECUTOR_OPTIONS, kind, config.hints ?? PEER_OPTION_HINTS);
    checkNesting(kind);
    checkInteger(o.maxWorkers, `${kind}: maxWorkers`, 1);
    checkInteger(o.minWorkers, `${kind}: minWorkers`, 0);
    checkInteger(o.concurrentTasksPerWorker, `${kind}: concurrentTasksPerWorker`, 1);
    if (o.maxTasksPerWorker !== Infinity) checkInteger(o.maxTasksPerWorker, `${kind}: maxTasksPerWorker`, 1);
    if (o.idleTimeout !== Infinity) assertTimeout(o.idleTimeout, `${kind}: idleTimeout`);
    assertTimeout(o.cancelGrace, `${kind}: cancelGrace`);
    checkSignal(o.signal, `${kind}: signal`);
    if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) {
      throw new TypeError(`${kind}: name must be a non-empty string, got ${describe(o.name)}`);
    }
    if (o.initArgs !== undefined && !Array.isArray(o.initArgs)) {
      throw new TypeError(`${kind}: initArgs must be an array, got ${describe(o.initArgs)}`);
    }
    const maxWorkers = o.maxWorkers ?? Math.max(1, config.defaultMaxWorkers());
    const minWorkers = o.minWorkers ?? 0;
    if (minWorkers > maxWorkers) {
      throw new RangeError(`${kind}: minWorkers (${minWorkers}) must not exceed maxWorkers (${maxWorkers})`);
    }
    let tasks: string | null = null;
    if (o.tasks !== undefined) {
      if (typeof o.tasks !== "string" && !(o.tasks instanceof URL)) {
        throw new TypeError(`${kind}: tasks must be a URL or a path string, got ${describe(o.tasks)}`);
      }
      tasks = factory.resolveModule(o.tasks);
    }
    this.#kind = kind;
    this.#map = config.map ?? providedEngineKit().runMap;
    this.#checkArgs = factory.checkArgs?.bind(factory);
    const share = (this.#share = factory.shareObject);
    this.#functions = new FunctionTable(tasks !== null || config.served, (spec) => factory.resolveModule(spec), kind);
    let initializer: [number, string, string?] | null = null;
    if (o.initializer !== undefined) {
      const def = this.#functions.lookup(o.initializer, `${kind}: initializer`);
      initializer = def.wire.slice(1) as [number, string, string?];
    }
    const initArgs = checkedInitArgs(o.initArgs, kind, factory);
    const settings = { maxWorkers, cancelGrace: o.cancelGrace ?? DEFAULT_CANCEL_GRACE, name: o.name ?? "isofutures", events: eventsOf(this) };
    this.#scheduler = config.engine
      ? config.engine(providedEngineKit(), settings)
      : (config.scheduler ?? noScheduler)(factory, {
          ...settings,
          minWorkers,
          maxTasksPerWorker: o.maxTasksPerWorker ?? Infinity,
          idleTimeout: o.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
          concurrency: o.concurrentTasksPerWorker ?? 1,
          tasks,
          initializer,
          initArgs,
          depth: nestingDepth() + 1,
        });
    const scheduler = this.#scheduler;
    const functions = this.#functions;
    this.#host = {
      maxWorkers,
      checkOpen: (caller) => this.#checkOpen(caller),
      lookup: (fn, caller) => functions.lookup(fn, caller),
      starting: (started) => {
        this.#starting.add(started);
        void started.then(() => this.#starting.delete(started));
      },
      cancelsNew: () => this.#cancelLate,
      submitChunk: (def, kindCode, items, transfer) => {
        const refused = this.#checkArgs?.(items);
        if (refused) return this.#failed(refused) as Future<ChunkOutcome>;
        const shared = sharedSeen() && holdsShared(items);
        if (shared) encodeShared(items, (transfer ??= []), share);
        const future = newFuture<ChunkOutcome>(scheduler);
        scheduler.enqueue(new Task(future as Future<unknown>, def, taskCode(def.handle, 1, kindCode, shared), [items], transfer));
        return future;
      },
    };
    const signal = o.signal;
    if (signal) {
      if (signal.aborted) void this.shutdown({ wait: false, cancelFutures: true });
      else signal.addEventListener("abort", () => void this.shutdown({ wait: false, cancelFutures: true }), { once: true });
    }
  }

  /** The most workers this executor runs at once. */
  get maxWorkers(): number {
    return this.#scheduler.maxWorkers;
  }

  /**
   * Schedules `fn(...args)` and returns its future at once.
   * @param fn - the name of an export of the `tasks` module, a {@link taskRef}, or a self-contained
   *   function (sent as source: it must not use variables from outside itself).
   * @throws {@link ShutdownError} after `shutdown()`; {@link BrokenExecutorError} once broken;
   *   `TypeError` if `fn` is not a task. Every problem with the arguments fails the future instead.
   */
  // The overload of task names comes last: a compiler that reports only the last overload's error
  // (TypeScript 7) then says which name is wrong, and `& string` makes it list the names there are.
  submit<F extends TaskFunction>(fn: F | TaskRef<F>, ...args: TaskArgs<F>): Future<TaskResult<F>>;
  submit<K extends TaskName<M> & string>(fn: K, ...args: TaskArgs<M[K]>): Future<TaskResult<M[K]>>;
  submit<R>(fn: unknown, ...args: unknown[]): Future<R> {
    return this.#submit("submit", fn, args, undefined) as Future<R>;
  }

  /**
   * {@link Executor.submit} with per-task controls: `timeout` (ms, from when the task starts
   * running) and `signal`. Stopping a running task terminates its worker, which is replaced.
   */
  submitWith<F extends TaskFunction>(options: SubmitOptions, fn: F | TaskRef<F>, ...args: TaskArgs<F>): Future<TaskResult<F>>;
  submitWith<K extends TaskName<M> & string>(options: SubmitOptions, fn: K, ...args: TaskArgs<M[K]>): Future<TaskResult<M[K]>>;
  submitWith<R>(options: SubmitOptions, fn: unknown, ...args: unknown[]): Future<R> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`submitWith(options, fn, ...args): options must be an object such as { timeout: 1000 }, got ${describe(options)}`);
    }
    assertTimeout(options.timeout, "submitWith: timeout");
    checkSignal(options.signal, "submitWith: signal");
    return this.#submit("submitWith", fn, args, options) as Future<R>;
  }

  #submit(
    caller: string,
    fn: unknown,
    args: unknown[],
    options: SubmitOptions | undefined,
    kind = KIND_CALL,
    sink?: (task: Task) => StreamSink,
  ): Future<unknown> {
    this.#checkOpen(caller);
    const def = this.#functions.lookup(fn, caller);
    let transfer: object[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === "object" && a !== null && isTransfer(a)) {
        args[i] = a.value;
        (transfer ??= []).push(...a.list);
      }
    }
    // Shared objects, whole or inside plain objects and arrays: looked for once any exist in this thread.
    const shared = sharedSeen() && holdsShared(args);
    const scheduler = this.#scheduler;
    const refused = this.#checkArgs?.(args);
    if (refused) return this.#failed(refused);
    if (shared) encodeShared(args, (transfer ??= []), this.#share);
    const future = newFuture<unknown>(scheduler);
    const task = new Task(future, def, taskCode(def.handle, args.length, kind, shared), args, transfer);
    setJob(future, task);
    if (sink) task.sink = sink(task);
    // Controls go on the task before it is queued: an engine may read them at once (a job's timeout).
    let controls: TaskControls | undefined;
    if (options !== undefined && (options.timeout !== undefined || options.signal !== undefined)) {
      controls = { timeout: options.timeout, signal: options.signal, timer: undefined, unwatch: undefined };
      task.controls = controls;
    }
    scheduler.enqueue(task);
    if (controls?.signal) {
      if (controls.signal.aborted) future.cancel();
      else scheduler.listen(task, controls);
    }
    return future;
  }

  /**
   * Applies `fn` to every input, in parallel, yielding results in input order. Submission starts at
   * the call; at most `buffersize` chunks run ahead of the consumer. A task's error is thrown when
   * iteration reaches it (iteration may go on); `break` cancels what has not started.
   *
   * With several iterables, `fn` gets one item of each, and iteration stops at the shortest
   * (Python's `map(fn, *iterables)`): `map("pow", [2, 3], [10, 2])` yields 1024, 9. The options,
   * if any, come last: a plain object (not iterable) in the last place is taken for them.
   */
  // Functions first, task names last (see `submit`).
  map<F extends TaskFunction>(fn: F | TaskRef<F>, inputs: AnyIterable<TaskInput<F>>, options?: MapOptions): AsyncIterableIterator<TaskResult<F>>;
  map<F extends TaskFunction>(fn: F | TaskRef<F>, ...inputs: ZipInputs<TaskArgs<F>>): AsyncIterableIterator<TaskResult<F>>;
  map<F extends TaskFunction>(fn: F | TaskRef<F>, ...inputsThenOptions: [...ZipInputs<TaskArgs<F>>, MapOptions]): AsyncIterableIterator<TaskResult<F>>;
  map<K extends TaskName<M> & string>(fn: K, inputs: AnyIterable<TaskInput<M[K]>>, options?: MapOptions): AsyncIterableIterator<TaskResult<M[K]>>;
  map<K extends TaskName<M> & string>(fn: K, ...inputs: ZipInputs<TaskArgs<M[K]>>): AsyncIterableIterator<TaskResult<M[K]>>;
  map<K extends TaskName<M> & string>(fn: K, ...inputsThenOptions: [...ZipInputs<TaskArgs<M[K]>>, MapOptions]): AsyncIterableIterator<TaskResult<M[K]>>;
  map(fn: unknown, ...inputsThenOptions: unknown[]): AsyncIterableIterator<unknown> {
    return this.#startMap("map", fn, inputsThenOptions);
  }

  /** Like {@link Executor.map}, but each input is an array of arguments: `fn(...input)`. */
  starmap<F extends TaskFunction>(fn: F | TaskRef<F>, inputs: AnyIterable<TaskArgs<F>>, options?: MapOptions): AsyncIterableIterator<TaskResult<F>>;
  starmap<K extends TaskName<M> & string>(fn: K, inputs: AnyIterable<TaskArgs<M[K]>>, options?: MapOptions): AsyncIterableIterator<TaskResult<M[K]>>;
  starmap(fn: unknown, ...inputsThenOptions: unknown[]): AsyncIterableIterator<unknown> {
    return this.#startMap("starmap", fn, inputsThenOptions);
  }

  /** Like {@link Executor.map}, but results come in completion order (a chunk's results together). */
  mapUnordered<F extends TaskFunction>(fn: F | TaskRef<F>, inputs: AnyIterable<TaskInput<F>>, options?: MapOptions): AsyncIterableIterator<TaskResult<F>>;
  mapUnordered<K extends TaskName<M> & string>(fn: K, inputs: AnyIterable<TaskInput<M[K]>>, options?: MapOptions): AsyncIterableIterator<TaskResult<M[K]>>;
  mapUnordered(fn: unknown, ...inputsThenOptions: unknown[]): AsyncIterableIterator<unknown> {
    return this.#startMap("mapUnordered", fn, inputsThenOptions);
  }

  // Checked here, at the call; run by map.ts, at once or once loaded (lazy-map.ts).
  #startMap(caller: MapCaller, fn: unknown, inputsThenOptions: unknown[]): AsyncIterableIterator<unknown> {
    return this.#map(this.#host, checkMapCall(this.#host, caller, fn, inputsThenOptions));
  }

  /**
   * Runs `fn(...args)` — an async generator, or a function returning an async iterable, an
   * iterable or an Observable — and gives its values as they come: an `Observable`
   * (observable-fns) that is also an async iterable, consumable once. The task starts at the call.
   * At most `highWaterMark` values travel ahead of the consumer (async generators pause there;
   * an Observable cannot be paused and queues in the worker). Unsubscribing (or `break`) stops the
   * task: its generator is returned, its signal aborted, its worker terminated after `cancelGrace`
   * if it goes on. `stream.result` is a future of what the generator returns at its end.
   */
  stream<F extends TaskFunction>(fn: F | TaskRef<F>, ...args: TaskArgs<F>): TaskStream<StreamValue<F>, StreamReturn<F>>;
  stream<K extends TaskName<M> & string>(fn: K, ...args: TaskArgs<M[K]>): TaskStream<StreamValue<M[K]>, StreamReturn<M[K]>>;
  stream(fn: unknown, ...args: unknown[]): TaskStream<unknown> {
    return this.#stream("stream", fn, args, {});
  }

  /** {@link Executor.stream} with options: `highWaterMark`, `timeout`, `signal`. */
  streamWith<F extends TaskFunction>(options: StreamOptions, fn: F | TaskRef<F>, ...args: TaskArgs<F>): TaskStream<StreamValue<F>, StreamReturn<F>>;
  streamWith<K extends TaskName<M> & string>(options: StreamOptions, fn: K, ...args: TaskArgs<M[K]>): TaskStream<StreamValue<M[K]>, StreamReturn<M[K]>>;
  streamWith(options: StreamOptions, fn: unknown, ...args: unknown[]): TaskStream<unknown> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`streamWith(options, fn, ...args): options must be an object such as { highWaterMark: 64 }, got ${describe(options)}`);
    }
    return this.#stream("streamWith", fn, args, options);
  }

  #stream(caller: string, fn: unknown, args: unknown[], options: StreamOptions): TaskStream<unknown> {
    assertTimeout(options.timeout, `${caller}: timeout`);
    checkSignal(options.signal, `${caller}: signal`);
    checkInteger(options.highWaterMark, `${caller}: highWaterMark`, 1);
    const scheduler = this.#scheduler;
    let stream!: TaskStream<unknown>;
    const future = this.#submit(caller, fn, args, options, KIND_STREAM, (task) => {
      stream = new TaskStream(task, options.highWaterMark ?? STREAM_WINDOW, {
        credit: (n) => scheduler.credit(task, n),
        stop: () => scheduler.stopStream(task),
      });
      return stream;
    });
    if (!stream) return TaskStream.failed(future);
    stream.attach(future);
    return stream;
  }

  /**
   * Stops taking work. Queued tasks still run unless `cancelFutures` is set. Safe to call again.
   * @returns with `wait` (the default), a promise that resolves when all running work has finished
   *   and every worker has exited; without it, a resolved promise.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (typeof options !== "object" || options === null) {
      return Promise.reject(new TypeError(`shutdown(options): options must be an object such as { wait: true }, got ${describe(options)}`));
    }
    const { wait = true, cancelFutures = false } = options;
    this.#shutdownCalled = true;
    this.#cancelLate ||= Boolean(cancelFutures);
    const engine = this.#scheduler;
    // Maps called before, still loading their code, submitted at their call: their tasks go in first.
    const closed =
      cancelFutures || this.#starting.size === 0 ? engine.shutdown(Boolean(cancelFutures)) : Promise.all(this.#starting).then(() => engine.shutdown(false));
    return wait ? closed : Promise.resolve();
  }

  /**
   * Stops now: workers are killed; running and pending futures end cancelled (`CancelledError`).
   * @returns a promise that resolves when every worker has exited.
   */
  terminate(): Promise<void> {
    this.#shutdownCalled = true;
    this.#cancelLate = true;
    return this.#scheduler.terminate();
  }

  /** `shutdown({ wait: true })`, for `await using pool = new ThreadPoolExecutor()`. */
  [asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /**
   * Counts of workers and tasks at this moment, and `timings`: how long the last 1,024 tasks
   * waited for a worker and ran (count, mean, p50, p90, p99, max, in ms).
   */
  stats(): ExecutorStats {
    const stats = this.#scheduler.stats();
    return stats.timings ? (stats as ExecutorStats) : { ...stats, timings: emptyTimings() };
  }

  // A future that failed before it was queued (its arguments were refused).
  #failed(error: Error): Future<unknown> {
    const future = newFuture<unknown>();
    setException(future, error);
    this.#scheduler.countSettledEarly(false);
    return future;
  }

  #checkOpen(caller: string): void {
    const broken = this.#scheduler.broken;
    if (broken) throw new BrokenExecutorError(broken.message, { cause: broken.cause });
    if (this.#shutdownCalled) {
      throw new ShutdownError(`cannot ${caller} after shutdown() or terminate() of this ${this.#kind}; create a new executor`);
    }
  }
}
