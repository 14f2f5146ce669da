/**
 * Stream tasks on a queue, the worker's side: the task's values, taken from the local pool's
 * stream as the executor's consumer grants credit, go to the executor's values stream in Redis.
 * A value is written only while the stream's state key exists (one script), so once the executor
 * has let go nothing more is written, and the worker stops the generator (the local stream's
 * `break`: the generator is returned, its `currentTask().signal` aborted).
 * @internal
 * @module
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { WorkerCrashedError, type Executor } from "isofutures";
import { encodeError } from "../../../src/wire/error-codec.js";
import { STREAM_WINDOW } from "../../../src/wire/protocol.js";
import { pack, type Outcome } from "./codec.js";

// KEYS: state. -1: the consumer is gone; 0: another run already took this stream; 1: ours.
const START = `if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'r', ARGV[1])`;

// KEYS: state, values; ARGV: job id, value. 0: the consumer is gone, nothing written.
const PUSH = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'j', ARGV[1], 'v', ARGV[2])
return 1`;

/** How often a worker out of credit looks at the state itself (pub/sub may miss a message). */
const POLL_MS = 1000;

interface Credit {
  granted: number;
  wake: (() => void) | undefined;
}

/** The credit of the stream jobs running here, raised by the executors' `{ id, credit }` messages. */
export class StreamCredits {
  readonly #jobs = new Map<string, Credit>();

  grant(id: string, total: number): void {
    const c = this.#jobs.get(id);
    if (c === undefined || total <= c.granted) return;
    c.granted = total;
    c.wake?.();
  }

  open(id: string): Credit {
    const c: Credit = { granted: STREAM_WINDOW, wake: undefined };
    this.#jobs.set(id, c);
    return c;
  }

  close(id: string): void {
    this.#jobs.delete(id);
  }
}

/** Waits until `sent` < the credit; false once the consumer is gone or the job is stopped. */
async function until(c: Credit, sent: number, redis: Redis, state: string, signal: AbortSignal | undefined): Promise<boolean> {
  while (c.granted <= sent) {
    if (signal?.aborted) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const polled = await new Promise<boolean>((resolve) => {
      c.wake = () => resolve(false);
      timer = setTimeout(() => resolve(true), POLL_MS);
    });
    clearTimeout(timer);
    c.wake = undefined;
    if (polled) {
      const credit = await redis.hget(state, "c");
      if (credit === null) return false;
      c.granted = Math.max(c.granted, Number(credit));
    }
  }
  return true;
}

export interface StreamJob {
  id: string;
  /** `[values key, state key]` */
  keys: [string, string];
  fn: unknown;
  args: unknown[];
  controls: { timeout?: number; signal?: AbortSignal };
  /** Called when the executor is found to have let go of the stream (its state is gone). */
  letGo(): void;
}

export async function runStreamJob(redis: Redis, credits: StreamCredits, pool: Executor, job: StreamJob): Promise<Outcome> {
  const [valuesKey, state] = job.keys;
  const started = (await redis.eval(START, 1, state, `${job.id}:${randomUUID()}`)) as number;
  if (started === -1) {
    job.letGo();
    return { ok: true, value: undefined }; // let go before it started: nothing to do
  }
  if (started === 0) {
    const why = "this stream's job already ran on a worker that stopped without ending it (it died, or lost its lock); a stream is not run twice, since its values would repeat";
    return { ok: false, error: encodeError(new WorkerCrashedError(why)) };
  }
  const credit = credits.open(job.id);
  const signal = job.controls.signal;
  let sent = 0;
  let gone = false;
  let last: Promise<unknown> = Promise.resolve();
  try {
    // Back-pressure on this side too: the local stream holds at most its window of values.
    for await (const value of pool.streamWith(job.controls, job.fn as never, ...(job.args as never[]))) {
      if (gone || !(await until(credit, sent, redis, state, signal)) || gone) {
        job.letGo();
        break;
      }
      const packed = pack(value);
      sent++;
      // Not awaited one by one: the writes go out in order, pipelined; a refused one stops the loop.
      last = redis.eval(PUSH, 2, state, valuesKey, job.id, packed).then((written) => {
        if (written === 0) gone = true;
      });
    }
    await last;
    return { ok: true, value: undefined };
  } catch (error) {
    await last.catch(() => {});
    return { ok: false, error: encodeError(error) };
  } finally {
    credits.close(job.id);
  }
}
