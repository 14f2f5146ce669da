/**
 * The worker side: receives batches of tasks, resolves each task's function, runs the tasks in
 * order, and sends all results of one turn back in one message. Platform-neutral: the platform's
 * entry point (thread, process, Web Worker, or the calling thread) hands it a {@link WorkerPort}.
 * @module
 */
import { decodeError, encodeError } from "../wire/error-codec.js";
import {
  DEF_EXPORT,
  DEF_REF,
  DEF_SOURCE,
  ARGS_ARRAY,
  CODE_HANDLE_SHIFT,
  CODE_SHARED,
  KIND_MAP,
  KIND_STARMAP,
  KIND_STREAM,
  OP_CREDIT,
  OP_ABORT,
  OP_CLOSE,
  OP_INIT,
  OP_INIT_FAILED,
  OP_READY,
  OP_RESULTS,
  OP_RUN,
  ST_CHUNK,
  ST_CHUNK_ERRORS,
  ST_ERROR,
  ST_ITEM,
  ST_OK,
  ST_OK_SHARED,
  ST_CHUNK_SHARED,
  STREAM_WINDOW,
  type FnDefWire,
  type WireError,
  type WorkerInit,
} from "../wire/protocol.js";
import { isTransfer } from "../wire/transfer.js";
import { setNesting } from "../util/nesting.js";
import { encodeShared, holdsShared, reviveShared } from "../shared/revive.js";
import { isShareable, sharedSeenInThread, toWire } from "../shared/shareable.js";
import {
  Unavailable,
  evaluate,
  functionName,
  importModule,
  invoke,
  isThenable,
  messageOf,
  moduleError,
  pick,
  withClosureHint,
  type Fn,
  type Namespace,
} from "./functions.js";

/** How the runtime talks to its executor. */
export interface WorkerPort {
  post(message: unknown[], transfer: readonly object[]): void;
  onMessage(handler: (message: unknown[]) => void): void;
  /** Leave: end the thread / process / Web Worker. */
  exit(): void;
  /**
   * Optional: block briefly (with `Atomics.wait` on `ctl[CTL_SLEEP]`) for the next message, and
   * return it, or `undefined` when none came in time. Called only when no task is in progress, so
   * nothing of ours waits on the event loop meanwhile.
   */
  waitForWork?(ctl: Int32Array): unknown[] | undefined;
  /** The runtime runs on the caller's own thread (inline): the thread is not a worker. */
  callerThread?: boolean;
}


type FnEntry = Fn | Promise<unknown> | Unavailable;

/** What `currentTask()` gives a task. */
export interface CurrentTask {
  /** Aborted when the caller asks the task to stop (its signal fired or its timeout passed). */
  readonly signal: AbortSignal;
}

/** The registry slot through which `currentTask()` (in any copy of the library) finds the runtime. */
export const CURRENT_TASK_KEY = Symbol.for("isofutures.currentTask");

interface RunningTask {
  seq: number;
  controllers: Map<number, AbortController>;
}

/** The task whose function is executing synchronously right now (one per thread; inline runtimes share it). */
let running: RunningTask | undefined;

function installCurrentTask(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[CURRENT_TASK_KEY]) return;
  g[CURRENT_TASK_KEY] = {
    current(): CurrentTask | undefined {
      if (running === undefined) return undefined;
      let c = running.controllers.get(running.seq);
      if (!c) running.controllers.set(running.seq, (c = new AbortController()));
      return { signal: c.signal };
    },
  };
}

/**
 * Starts the runtime on `port`.
 * @param served - task functions given to `serve()`, used in place of a tasks module.
 */
/** What the platform's entry may do with a started runtime. */
export interface WorkerRuntime {
  /** Aborts the `currentTask()` signal of every task. */
  abortAll(reason: unknown): void;
  /**
   * Starts no more tasks (the worker is dying) and returns how many it started: the tasks numbered
   * below this ran or are running, the others never will.
   */
  halt(): number;
}

export function startWorkerRuntime(port: WorkerPort, served?: Namespace): WorkerRuntime {
  let init: WorkerInit | undefined;
  let ctl: Int32Array | null = null;
  let tasksModule: Promise<Namespace> | undefined = served ? Promise.resolve(served) : undefined;
  let tasksNs: Namespace | undefined = served;
  let tasksError: unknown;
  const modules = new Map<string, Promise<Namespace>>();
  const fns: FnEntry[] = [];
  const fromSource: boolean[] = [];
  const sourceCache = new Map<string, FnEntry>();

  // Tasks waiting for their function to load: [seq, code, args, …] (args always as one array).
  // Tasks start strictly in order.
  let waiting: unknown[] = [];
  let waitingHead = 0;
  /** The seq of the waiting task claimed while its code loads (see resumeWhenLoaded). */
  let headClaimed = -1;

  let outbox: unknown[] = [OP_RESULTS];
  let outTransfer: object[] = [];
  let recordTransfers: Map<number, readonly object[]> | undefined;
  let flushQueued = false;

  // currentTask(): signals asked for so far, by seq.
  const controllers = new Map<number, AbortController>();
  const self: RunningTask = { seq: -1, controllers };
  installCurrentTask();

  /** Tasks started and not finished (async ones included). */
  let active = 0;
  /** Stream tasks in progress, by seq. */
  const streams = new Map<number, StreamState>();
  let idling = false;
  let closed = false;
  /** Set by halt(): no task starts any more. */
  let halted = false;
  /** Tasks claimed so far (where there is no control word to count them). */
  let claimed = 0;

  const handle = (msg: unknown[]): void => {
    switch (msg[0]) {
      case OP_RUN:
        return receiveTasks(msg);
      case OP_INIT:
        return start(msg[1] as WorkerInit);
      case OP_ABORT: {
        const seq = msg[1] as number;
        // A task not started yet (its function still loading) finds its signal already aborted.
        let c = controllers.get(seq);
        if (!c) controllers.set(seq, (c = new AbortController()));
        c.abort(decodeError(msg[2] as WireError));
        const stream = streams.get(seq);
        if (stream) {
          stream.stopped = true;
          stream.stop?.();
          stream.resume?.();
        }
        return;
      }
      case OP_CREDIT: {
        const stream = streams.get(msg[1] as number);
        if (stream) {
          stream.credit += msg[2] as number;
          const resume = stream.resume;
          stream.resume = undefined;
          resume?.();
        }
        return;
      }
      case OP_CLOSE:
        closed = true;
        flush();
        return port.exit();
    }
  };
  port.onMessage(handle);

  return {
    abortAll(reason) {
      for (const c of controllers.values()) c.abort(reason);
    },
    halt() {
      halted = true;
      return ctl === null ? claimed : Atomics.load(ctl, 0);
    },
  };

  function start(data: WorkerInit): void {
    init = data;
    ctl = data.ctl;
    const worker = port.callerThread !== true;
    if (worker) setNesting(data.depth, null);
    if (data.tasks !== null && !served) {
      const url = data.tasks;
      // While it loads, nothing else runs in this worker (tasks wait for READY): an executor made
      // meanwhile comes from the module's top level, and would recur in every worker (nesting.ts).
      if (worker) setNesting(data.depth, url);
      tasksModule = importModule(url).then(
        (ns) => {
          if (worker) setNesting(data.depth, null);
          return (tasksNs = ns);
        },
        (error: unknown) => {
          if (worker) setNesting(data.depth, null);
          tasksError = error;
          throw error;
        },
      );
      tasksModule.catch(() => {}); // reported to each task that needs it
    }
    // Ready once the tasks module has loaded (or failed to: the tasks that need it say so) and the
    // initializer has run, so that a worker that dies loading its code counts as failing to start.
    const loaded = tasksModule?.then(noop, noop);
    if (data.initializer === null) {
      if (loaded) void loaded.then(() => port.post([OP_READY], []));
      else port.post([OP_READY], []);
      return;
    }
    const [kind, a, b] = data.initializer;
    Promise.resolve(loaded)
      .then(() => resolveDef(kind, a, b))
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

  function receiveTasks(msg: unknown[]): void {
    const defs = msg[1] as FnDefWire[] | 0;
    if (defs) for (const d of defs) define(d);
    let seq = msg[2] as number;
    const n = msg.length;
    let i = 3;
    if (waitingHead === waiting.length) {
      while (i < n) {
        const code = msg[i] as number;
        const fn = fns[code >>> CODE_HANDLE_SHIFT];
        if (typeof fn !== "function" && !(fn instanceof Unavailable)) break; // still loading
        const nargs = (code >> 2) & 15;
        if (claim(seq)) run(seq, fn, code, msg, i + 1);
        i += nargs === ARGS_ARRAY ? 2 : 1 + nargs;
        seq++;
      }
    }
    if (i < n) {
      while (i < n) {
        const code = msg[i] as number;
        const nargs = (code >> 2) & 15;
        const args = nargs === ARGS_ARRAY ? msg[i + 1] : msg.slice(i + 1, i + 1 + nargs);
        waiting.push(seq++, code | (ARGS_ARRAY << 2), args);
        i += nargs === ARGS_ARRAY ? 2 : 1 + nargs;
      }
      resumeWhenLoaded();
    }
  }

  function resumeWhenLoaded(): void {
    while (waitingHead < waiting.length) {
      const seq = waiting[waitingHead] as number;
      const code = waiting[waitingHead + 1] as number;
      const fn = fns[code >>> CODE_HANDLE_SHIFT];
      if (typeof fn !== "function" && !(fn instanceof Unavailable)) {
        // The task at the head waits for its code: it counts as started from now on, so that a
        // worker that dies loading that code (a module that ends the process) fails this task
        // instead of passing it on to the next worker, and the next, forever.
        if (headClaimed !== seq) {
          if (!claim(seq)) {
            waitingHead += 3; // taken back by the executor
            waiting[waitingHead - 1] = undefined;
            continue;
          }
          headClaimed = seq;
        }
        (fn as Promise<unknown>).then(resumeWhenLoaded, resumeWhenLoaded);
        return;
      }
      const at = waitingHead + 2;
      waitingHead += 3;
      if (headClaimed === seq || claim(seq)) run(seq, fn, code, waiting, at);
      waiting[at] = undefined;
    }
    waiting = [];
    waitingHead = 0;
  }

  // Claims the right to start task `seq` (see CTL_CLOSED): false if the executor took the task back
  // (it went to another worker) or is stopping this worker. Skipped tasks get no reply.
  function claim(seq: number): boolean {
    if (halted) return false;
    if (ctl !== null) return Atomics.compareExchange(ctl, 0, seq, seq + 1) === seq;
    claimed = seq + 1;
    return true;
  }

  // Runs a task whose arguments are `src[at…]` as its code says (see protocol.ts).
  function run(seq: number, fn: Fn | Unavailable, code: number, src: unknown[], at: number): void {
    active++;
    if (fn instanceof Unavailable) {
      pushError(seq, fn.error, false);
      return;
    }
    const handle = code >>> CODE_HANDLE_SHIFT;
    const kind = code & 3;
    if (kind === KIND_MAP || kind === KIND_STARMAP) {
      // A chunk has one argument, the items (inside an argument array if it waited for loading).
      const arg = src[at] as unknown[];
      const items = ((code >> 2) & 15) === ARGS_ARRAY ? (arg[0] as unknown[]) : arg;
      if ((code & CODE_SHARED) !== 0) reviveShared(items);
      runChunk(seq, fn, code & 3, items, handle);
      return;
    }
    let result: unknown;
    const nargs = (code >> 2) & 15;
    if ((code & CODE_SHARED) !== 0) {
      if (nargs === ARGS_ARRAY) reviveShared(src[at] as unknown[]);
      else reviveShared(src, at, at + nargs);
    }
    self.seq = seq;
    running = self;
    try {
      result = invoke(fn, nargs, src, at);
    } catch (error) {
      running = undefined;
      pushError(seq, error, fromSource[handle] === true);
      return;
    }
    running = undefined;
    if (kind === KIND_STREAM) {
      void runStream(seq, result, fromSource[handle] === true);
    } else if (isThenable(result)) {
      (result as PromiseLike<unknown>).then(
        (value) => pushOk(seq, value),
        (error: unknown) => pushError(seq, error, fromSource[handle] === true),
      );
    } else {
      pushOk(seq, result);
    }
  }

  // Streams: values go out as ST_ITEM records, no more than the consumer's credit ahead of it.
  async function runStream(seq: number, source: unknown, isSource: boolean): Promise<void> {
    const stream: StreamState = { credit: STREAM_WINDOW, resume: undefined, stop: undefined, stopped: false };
    streams.set(seq, stream);
    try {
      let produced = await source;
      if (isObservable(produced)) produced = observableToIterable(produced, stream);
      const it = iteratorOf(produced);
      if (!it) {
        pushError(seq, new TypeError(`a stream task must return an async iterable, an iterable or an Observable; it returned ${typeof produced === "object" ? "an object without Symbol.asyncIterator" : typeof produced}`), false);
        return;
      }
      stream.stop = () => void it.return?.();
      for (;;) {
        while (stream.credit <= 0 && !stream.stopped) await new Promise<void>((r) => (stream.resume = r));
        if (stream.stopped) {
          await it.return?.();
          break;
        }
        // The generator's body runs inside next(): currentTask() there finds this task.
        self.seq = seq;
        running = self;
        let pending: Promise<IteratorResult<unknown>> | IteratorResult<unknown>;
        try {
          pending = it.next();
        } finally {
          running = undefined;
        }
        const step = await pending;
        if (step.done || stream.stopped) {
          if (stream.stopped) await it.return?.();
          break;
        }
        stream.credit--;
        pushItem(seq, step.value);
      }
      pushOk(seq, undefined);
    } catch (error) {
      pushError(seq, error, isSource);
    } finally {
      streams.delete(seq);
    }
  }

  function pushItem(seq: number, value: unknown): void {
    let item = value;
    if (isTransfer(item)) {
      (recordTransfers ??= new Map()).set(outbox.length, item.list);
      outTransfer.push(...item.list);
      item = item.value;
    }
    outbox.push(seq, ST_ITEM, item);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  }

  function runChunk(seq: number, fn: Fn, kind: number, items: unknown[], handle: number): void {
    const n = items.length;
    const out = new Array<unknown>(n);
    let errors: unknown[] | undefined;
    let pending: Promise<unknown>[] | undefined;
    const isSource = fromSource[handle] === true;
    self.seq = seq;
    running = self;
    for (let i = 0; i < n; i++) {
      let r: unknown;
      try {
        r = kind === KIND_MAP ? fn(items[i]) : fn.apply(undefined, items[i] as unknown[]);
      } catch (error) {
        (errors ??= []).push(i, encodeError(withClosureHint(error, isSource)));
        continue;
      }
      if (typeof r === "object" && r !== null) {
        if (isThenable(r)) {
          const at = i;
          (pending ??= []).push(
            Promise.resolve(r).then(
              (v) => {
                out[at] = unwrap(v);
              },
              (error: unknown) => {
                (errors ??= []).push(at, encodeError(withClosureHint(error, isSource)));
              },
            ),
          );
          continue;
        }
        r = unwrap(r);
      }
      out[i] = r;
    }
    running = undefined;
    const finish = () => {
      controllers.delete(seq);
      if (sharedSeenInThread() && holdsShared(out)) {
        const moved: object[] = [];
        encodeShared(out, moved);
        if (moved.length > 0) {
          (recordTransfers ??= new Map()).set(outbox.length, moved);
          outTransfer.push(...moved);
        }
        push(seq, ST_CHUNK_SHARED, [out, errors ?? null]);
      } else if (errors) push(seq, ST_CHUNK_ERRORS, [out, errors]);
      else push(seq, ST_CHUNK, out);
    };
    if (pending) Promise.all(pending).then(finish);
    else finish();
  }

  function unwrap(value: unknown): unknown {
    if (!isTransfer(value)) return value;
    outTransfer.push(...value.list);
    return value.value;
  }

  function pushOk(seq: number, value: unknown): void {
    controllers.delete(seq);
    if (typeof value === "object" && value !== null) {
      if (isTransfer(value)) {
        (recordTransfers ??= new Map()).set(outbox.length, value.list);
        outTransfer.push(...value.list);
        value = value.value;
      } else if (isShareable(value)) {
        const moved: object[] = [];
        value = toWire(value, moved);
        if (moved.length > 0) {
          (recordTransfers ??= new Map()).set(outbox.length, moved);
          outTransfer.push(...moved);
        }
      } else if (sharedSeenInThread() && holdsShared([value])) {
        const moved: object[] = [];
        const box = [value];
        encodeShared(box, moved);
        if (moved.length > 0) {
          (recordTransfers ??= new Map()).set(outbox.length, moved);
          outTransfer.push(...moved);
        }
        push(seq, ST_OK_SHARED, box[0]);
        return;
      }
    }
    push(seq, ST_OK, value);
  }

  function pushError(seq: number, error: unknown, isSource: boolean): void {
    controllers.delete(seq);
    push(seq, ST_ERROR, encodeError(withClosureHint(error, isSource)));
  }

  function push(seq: number, status: number, value: unknown): void {
    active--;
    outbox.push(seq, status, value);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  }

  // One message per turn with every result ready by then.
  function flush(): void {
    flushQueued = false;
    if (outbox.length === 1) return;
    const msg = outbox;
    const transfer = outTransfer;
    const perRecord = recordTransfers;
    outbox = [OP_RESULTS];
    outTransfer = [];
    recordTransfers = undefined;
    try {
      port.post(msg, transfer);
    } catch {
      postOneByOne(msg, perRecord);
    }
    if (active === 0 && waitingHead === waiting.length) waitForWork();
  }

  // Nothing in progress: rather than go back to the event loop (a slow wake-up for the next task),
  // wait a moment on the control word, which the executor notifies when it sends work. Tasks that
  // arrive meanwhile run here, and their results go out at once.
  function waitForWork(): void {
    if (idling || closed || ctl === null || port.waitForWork === undefined) return;
    idling = true;
    try {
      for (;;) {
        const msg = port.waitForWork(ctl);
        if (msg === undefined) return;
        handle(msg);
        if (closed) return;
        flush();
        if (active !== 0 || waitingHead !== waiting.length) return;
      }
    } finally {
      idling = false;
    }
  }

  // A result that cannot be cloned fails its own future only.
  function postOneByOne(msg: unknown[], perRecord: Map<number, readonly object[]> | undefined): void {
    for (let i = 1; i < msg.length; i += 3) {
      const record = [OP_RESULTS, msg[i], msg[i + 1], msg[i + 2]];
      try {
        port.post(record, perRecord?.get(i) ?? []);
      } catch (error) {
        const failure = new TypeError(
          `the task's result could not be sent back to the caller: ${messageOf(error)}. ` +
            "Return structured-cloneable data (primitives, plain objects, arrays, Map, Set, Date, typed arrays, " +
            "ArrayBuffers); functions, symbols and class instances with methods cannot cross between threads.",
        );
        port.post([OP_RESULTS, msg[i], ST_ERROR, encodeError(failure)], []);
      }
    }
  }

  function define(def: FnDefWire): void {
    const [handle, kind, a, b] = def;
    fromSource[handle] = kind === DEF_SOURCE;
    const entry = resolveDef(kind, a, b);
    fns[handle] = entry;
    if (entry instanceof Promise) {
      entry.then(
        (fn) => (fns[handle] = fn as Fn | Unavailable),
        (error: unknown) => (fns[handle] = new Unavailable(error)),
      );
    }
  }

  function resolveDef(kind: number, a: string, b?: string): FnEntry {
    if (kind === DEF_SOURCE) {
      let entry = sourceCache.get(a);
      if (!entry) sourceCache.set(a, (entry = compile(a)));
      return entry;
    }
    if (kind === DEF_EXPORT) {
      if (tasksNs) return pick(tasksNs, a, init?.tasks ?? "the served functions");
      if (tasksError !== undefined) return new Unavailable(moduleError(init?.tasks ?? "", tasksError));
      if (!tasksModule) {
        return new Unavailable(
          new TypeError(`"${a}" names a task, but the executor was given no tasks module: pass { tasks: new URL("./tasks.js", import.meta.url) }, or submit a function or a taskRef`),
        );
      }
      return tasksModule.then(
        (ns) => pick(ns, a, init?.tasks ?? ""),
        (error: unknown) => new Unavailable(moduleError(init?.tasks ?? "", error)),
      );
    }
    if (kind === DEF_REF) {
      let mod = modules.get(a);
      if (!mod) modules.set(a, (mod = importModule(a)));
      return mod.then(
        (ns) => pick(ns, b as string, a),
        (error: unknown) => new Unavailable(moduleError(a, error)),
      );
    }
    return new Unavailable(new TypeError(`unknown function definition kind ${kind}`));
  }

  function compile(source: string): FnEntry {
    if (init && !init.allowSource) {
      return new Unavailable(new TypeError("this executor does not accept functions sent as source; use tasks or serve()"));
    }
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      return new Unavailable(
        new TypeError("a native or bound function cannot be sent to a worker as source: wrap it in a self-contained function, or export it from a tasks module"),
      );
    }
    // A sourceURL names the function in stack traces instead of "eval at evaluate (…)".
    const url = `\n//# sourceURL=isofutures:function/${functionName(source)}`;
    try {
      return evaluate(`return (${source}\n);${url}`) as Fn;
    } catch (error) {
      if (error instanceof SyntaxError) {
        // Method shorthand (`fib(n) { … }`) is not an expression; an object literal makes it one.
        try {
          const holder = evaluate(`return ({ ${source}\n});${url}`) as Record<string, unknown>;
          const fn = Object.values(holder)[0];
          if (typeof fn === "function") return fn as Fn;
        } catch {
          // fall through to the original error
        }
        return new Unavailable(new SyntaxError(`the function's source could not be compiled in the worker: ${error.message}`));
      }
      if (error instanceof EvalError || /unsafe-eval|Content Security Policy/i.test(messageOf(error))) {
        return new Unavailable(
          new EvalError(
            "this page's Content-Security-Policy forbids compiling functions from source ('unsafe-eval'), which " +
              "self-contained functions need; give the executor a tasks module (tasks: new URL(\"./tasks.js\", import.meta.url)) " +
              "or a worker that calls serve() instead",
          ),
        );
      }
      return new Unavailable(error);
    }
  }
}

function noop(): void {}

interface StreamState {
  /** Values it may send before the consumer takes more. */
  credit: number;
  resume: (() => void) | undefined;
  stop: (() => void) | undefined;
  stopped: boolean;
}

function isObservable(value: unknown): value is { subscribe(observer: object): { unsubscribe(): void } } {
  return typeof value === "object" && value !== null && typeof (value as { subscribe?: unknown }).subscribe === "function" &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== "function";
}

function iteratorOf(value: unknown): AsyncIterator<unknown> | Iterator<unknown> | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const v = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> };
  if (typeof v[Symbol.asyncIterator] === "function") return v[Symbol.asyncIterator]!();
  if (typeof v[Symbol.iterator] === "function") return v[Symbol.iterator]!();
  return undefined;
}

// An Observable pushes: its values queue here (it cannot be paused) and are pulled like an iterator's.
function observableToIterable(source: { subscribe(observer: object): { unsubscribe(): void } }, state: StreamState): AsyncIterable<unknown> {
  const queue: unknown[] = [];
  let ended: { error?: unknown } | undefined;
  let wake: (() => void) | undefined;
  const subscription = source.subscribe({
    next: (v: unknown) => {
      queue.push(v);
      wake?.();
    },
    error: (error: unknown) => {
      ended = { error };
      wake?.();
    },
    complete: () => {
      ended = {};
      wake?.();
    },
  });
  state.stop = () => subscription.unsubscribe();
  return {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<unknown>> {
        for (;;) {
          if (queue.length > 0) return { value: queue.shift(), done: false };
          if (ended) {
            if ("error" in ended) throw ended.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<unknown>> {
        subscription.unsubscribe();
        return { value: undefined, done: true };
      },
    }),
  };
}
