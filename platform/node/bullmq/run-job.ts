/**
 * What a worker does with one job: check its format and its tasks module against what this
 * worker serves, find the function, and run it as a call, a chunk of a map, or a stream.
 * @internal
 * @module
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { taskRef, type Executor } from "isofutures";
import { encodeError } from "../../../src/wire/error-codec.js";
import { DEF_EXPORT, DEF_SOURCE, KIND_CALL, KIND_MAP, KIND_STARMAP, KIND_STREAM, type WireError } from "../../../src/wire/protocol.js";
import { JOB_FORMAT, argsOf, pack, plain, type JobData, type JobReturn, type Outcome } from "./codec.js";
import type { Settled, TaskRouter } from "./fast-path.js";
import type { JobStop, JobStops } from "./job-stops.js";
import { runStreamJob, type StreamCredits } from "./stream-job.js";

export interface JobContext {
  pool: Executor;
  router: TaskRouter;
  /** Commands (stream values), not the subscriber. */
  redis: Redis;
  credits: StreamCredits;
  stops: JobStops;
  /** The module this worker serves (`--tasks`), as a URL. */
  tasksUrl: string | undefined;
  allowFunctionSource: boolean;
}

/**
 * BullMQ's processor for a worker. A tiny task run on this thread is done without a promise of
 * ours (BullMQ awaits whatever comes back): at thousands of jobs a second, each promise and
 * microtask per job is a visible share of the worker's time.
 */
export function jobProcessor(ctx: JobContext): (job: Job) => JobReturn | Promise<JobReturn> {
  const target = targets(ctx);
  /** Calls on the pool now (the fast path shares a call's elapsed time among them). */
  let poolCalls = 0;
  return (job) => {
    const id = job.id!;
    const stop = ctx.stops.start(id);
    const done = (): void => {
      ctx.stops.end(id);
      if (stop.aborted) nobodyReads(job);
    };
    let r: JobReturn | Promise<JobReturn>;
    try {
      r = run(job, stop);
    } catch (error) {
      done();
      return Promise.reject(error);
    }
    if (!(r instanceof Promise)) {
      done();
      return r;
    }
    return r.finally(done);
  };

  function run(job: Job, stop: JobStop): JobReturn | Promise<JobReturn> {
    const data = job.data as JobData;
    if (data?.v !== JOB_FORMAT) {
      return result({ ok: false, error: encodeError(new TypeError(`this worker reads jobs of format ${JOB_FORMAT}; the job has format ${String(data?.v)}: run the same version of isofutures on both sides`)) });
    }
    const spec = data.fn ?? exportNamed(job.name);
    const kind = data.k ?? KIND_CALL;
    const fn = target(spec, data.m);
    if (fn instanceof Error) return result({ ok: false, error: encodeError(fn) });
    const args = argsOf(data);
    // Only the pool's tasks get their signal up front; a call here makes it when it asks.
    const controls = () => ({ ...(data.t === undefined ? {} : { timeout: data.t }), signal: stop.signal() });
    if (kind === KIND_STREAM && data.s !== undefined) {
      return runStreamJob(ctx.redis, ctx.credits, ctx.pool, { id: job.id!, keys: data.s, fn, args, controls: controls(), letGo: () => nobodyReads(job) }).then(result);
    }
    const key = spec[0] === DEF_EXPORT ? spec[1] : `${spec[0]}:${spec[1]}`;
    const chunk = kind === KIND_MAP || kind === KIND_STARMAP;
    const calls = chunk ? (args[0] as unknown[]).map((item) => (kind === KIND_STARMAP ? (item as unknown[]) : [item])) : [args];
    const outcome = (settled: Settled[]): JobReturn => result(chunk ? chunkOutcome(settled) : callOutcome(settled[0]!, job, stop));
    const onPool = async (): Promise<JobReturn> => {
      const t0 = performance.now();
      const options = controls();
      const inFlight = (poolCalls += calls.length);
      const settled = await Promise.allSettled(calls.map((c) => ctx.pool.submitWith(options, fn as never, ...(c as never[]))));
      poolCalls -= calls.length;
      ctx.router.recordPool(key, performance.now() - t0, calls.length, inFlight, ctx.pool.maxWorkers);
      return outcome(settled);
    };
    if (ctx.router.here(key, calls.length, data.t !== undefined)) {
      const inline = spec[0] === DEF_SOURCE ? { key, fn } : { key, module: ctx.tasksUrl ?? data.m, name: spec[1] };
      const settled = ctx.router.run(inline, calls, stop);
      if (Array.isArray(settled)) return outcome(settled);
      return settled.then((s) => (s === undefined ? onPool() : outcome(s)));
    }
    return onPool();
  }
}

/**
 * The executor let go of this job (asked to stop it, or stopped reading its stream): nobody will
 * read its outcome, so, where the executor removes finished jobs itself, it leaves Redis as it ends.
 */
function nobodyReads(job: Job): void {
  if ((job.data as JobData | undefined)?.rm !== 1) return;
  job.opts.removeOnComplete = true;
  job.opts.removeOnFail = true;
}

function callOutcome(s: PromiseSettledResult<unknown>, job: Job, stop: JobStop): Outcome {
  if (s.status === "fulfilled") return { ok: true, value: s.value };
  // With attempts left, throw: BullMQ runs it again (after its backoff). Else it is the outcome.
  if (job.attemptsMade + 1 < (job.opts.attempts ?? 1) && !stop.aborted) throw s.reason;
  return { ok: false, error: encodeError(s.reason) };
}

function chunkOutcome(settled: PromiseSettledResult<unknown>[]): Outcome {
  const chunk: unknown[] = [];
  const errors: [number, WireError][] = [];
  settled.forEach((s, i) => {
    if (s.status === "fulfilled") chunk.push(s.value);
    else {
      chunk.push(undefined);
      errors.push([i, encodeError(s.reason)]);
    }
  });
  return { chunk, errors };
}

// What to call: an export of the worker's tasks module (checked against the executor's), of
// the executor's (per job), or source.
function targets(ctx: JobContext): (spec: [number, string], module: string | undefined) => unknown {
  const same = new Map<string, boolean>();
  return ([kind, text], module) => {
    if (kind === DEF_SOURCE) {
      if (!ctx.allowFunctionSource) {
        return new TypeError("this worker does not run functions sent as source (start it with --allow-function-source to allow it); submit the task by its export name");
      }
      try {
        return (0, eval)(`(${text}\n)`) as unknown;
      } catch (error) {
        return new SyntaxError(`the function's source could not be compiled on the worker: ${(error as Error).message}`);
      }
    }
    if (kind !== DEF_EXPORT) return new TypeError(`this worker runs tasks by name; the job asked for a function of kind ${kind}`);
    const mine = ctx.tasksUrl;
    if (mine !== undefined) {
      if (module !== undefined) {
        let ok = same.get(module);
        if (ok === undefined) same.set(module, (ok = sameModule(module, mine)));
        if (!ok) {
          return new TypeError(
            `task "${text}": this worker serves the tasks module ${mine}, but the executor's tasks is ${module}: start the worker with --tasks naming the executor's module, or give the QueueExecutor the tasks this worker serves`,
          );
        }
      }
      return text;
    }
    if (module === undefined) {
      return new TypeError(`task "${text}": this worker has no tasks module: start it with --tasks FILE, or give the QueueExecutor a tasks option`);
    }
    return taskRef(module, text);
  };
}

/** Two module URLs name the same module: equal, or `file:` URLs of one file (links resolved). */
function sameModule(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.startsWith("file:") || !b.startsWith("file:")) return false;
  try {
    return realpathSync(fileURLToPath(a)) === realpathSync(fileURLToPath(b));
  } catch {
    return false; // one of them is not there
  }
}

/** `[DEF_EXPORT, name]`, made once per name (a job leaves out `fn` for an export named as the job). */
const exportSpecs = new Map<string, [number, string]>();
function exportNamed(name: string): [number, string] {
  let spec = exportSpecs.get(name);
  if (spec === undefined) exportSpecs.set(name, (spec = [DEF_EXPORT, name]));
  return spec;
}

function result(outcome: Outcome): JobReturn {
  if ("ok" in outcome && outcome.ok && plain(outcome.value)) return outcome.value as JobReturn;
  try {
    return { r: pack(outcome) };
  } catch (error) {
    const reason = new TypeError(`the task's result cannot be sent back through the queue: ${(error as Error).message}. Return structured-cloneable data`);
    return { r: pack({ ok: false, error: encodeError(reason) } satisfies Outcome) };
  }
}
