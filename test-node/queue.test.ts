// QueueExecutor (isofutures/bullmq) against a real redis-server and real `isofutures worker`
// processes: the executor's semantics across machines, values and errors through the queue,
// cancellation, timeouts, signals, a worker killed mid-job, a graceful worker stop, Redis restarts
// and outages, the tasks option's forms, streams, tiny tasks on the worker's thread, and chaos.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { BrokenExecutorError, CancelledError, FIRST_COMPLETED, TimeoutError, asCompleted, wait, type Future } from "isofutures";
import { QueueExecutor } from "isofutures/bullmq";
import { keysLeft, settle, startRedis, startWorker, tempDir, until, type RedisServer, type WorkerProcess } from "./helpers/redis.js";
import type * as QueueTasks from "./fixtures/queue-stream-tasks.mjs";

type Tasks = typeof QueueTasks;
const TASKS_URL = new URL("fixtures/queue-tasks.mjs", import.meta.url);
const TASKS = fileURLToPath(TASKS_URL);
const STREAM_TASKS = fileURLToPath(new URL("fixtures/queue-stream-tasks.mjs", import.meta.url));
const OTHER_TASKS = new URL("fixtures/queue-other-tasks.mjs", import.meta.url);
// Short locks, so that a killed worker's job is run again within seconds.
const FAST_STALL = ["--lock-duration", "1500", "--stalled-interval", "500"];

let redis: RedisServer;
const workers: WorkerProcess[] = [];
const executors: QueueExecutor<Tasks>[] = [];
let queueNo = 0;

function executor(queue: string, options: Partial<ConstructorParameters<typeof QueueExecutor>[0]> = {}): QueueExecutor<Tasks> {
  const ex = new QueueExecutor<Tasks>({ connection: redis.url, queue, ...options });
  executors.push(ex);
  return ex;
}

/** A fresh queue name with `n` workers on it (serving `tasks`; `null`: started without --tasks). */
async function queueWith(n: number, extra: string[] = [], tasks: string | null = TASKS): Promise<[string, WorkerProcess[]]> {
  const name = `q${++queueNo}`;
  const ws: WorkerProcess[] = [];
  for (let i = 0; i < n; i++) {
    ws.push(await startWorker(["--redis", redis.url, "--queue", name, ...(tasks === null ? [] : ["--tasks", tasks]), "--threads", "2", ...FAST_STALL, ...extra]));
  }
  workers.push(...ws);
  return [name, ws];
}

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(executors.map((e) => e.terminate()));
  for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  await redis?.stop();
});

describe("QueueExecutor: the executor's semantics through Redis", () => {
  let q: string;
  let ex: QueueExecutor<Tasks>;
  let started: WorkerProcess[];
  beforeAll(async () => {
    [q, started] = await queueWith(2);
    ex = executor(q);
  }, 30_000);

  it("each worker says what it runs: its pool, and twice as many jobs at once by default", () => {
    for (const w of started) expect(w.output()).toMatch(new RegExp(`queue "${q}" on redis://127\\.0\\.0\\.1:\\d+, 2 threads, 4 jobs at once, tasks `));
  });

  it("submit runs the task on a worker process and gives its result", async () => {
    expect(await ex.submit("add", 2, 3)).toBe(5);
    const pids = new Set(await Promise.all(Array.from({ length: 12 }, () => ex.submit("pid"))));
    expect(pids.has(process.pid)).toBe(false);
    expect(pids.size).toBeGreaterThanOrEqual(1);
  });

  it("values round-trip with structured-clone fidelity", async () => {
    const value = {
      map: new Map<unknown, unknown>([[1, "a"], ["k", new Set([1, 2])]]),
      big: 12345678901234567890n,
      date: new Date(1_700_000_000_000),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([0.5, -0]),
      re: /x+/gi,
      nested: [{ deep: [undefined, null, NaN] }],
    };
    const back = (await ex.submit("echo", value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.is(back.floats[1], -0)).toBe(true);
  });

  it("a task's error keeps its class, name, message, code, other fields, cause and worker stack", async () => {
    const r = await settle(ex.submit("fail", "no such row"));
    expect(r.ok).toBe(false);
    const e = (r as { error: RangeError & { code: string; detail: { n: bigint } } }).error;
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("no such row");
    expect(e.code).toBe("E_QUEUE");
    expect(e.detail).toEqual({ n: 1n });
    expect((e.cause as Error).message).toBe("the cause");
    expect(e.stack).toContain("queue-tasks.mjs");
  });

  it("map, starmap and mapUnordered", async () => {
    const out: number[] = [];
    for await (const x of ex.map("add", [1, 2, 3, 4, 5].map((n) => n), { chunksize: 2 })) out.push(x as number);
    expect(out).toEqual([NaN, NaN, NaN, NaN, NaN]); // add(n) with one argument: n + undefined
    const star: number[] = [];
    for await (const x of ex.starmap("add", [[1, 2], [3, 4], [5, 6]] as [number, number][])) star.push(x);
    expect(star).toEqual([3, 7, 11]);
    const unordered: number[] = [];
    for await (const x of ex.mapUnordered("sleep", [300, 10, 150])) unordered.push(x as number);
    expect(unordered.sort((a, b) => a - b)).toEqual([10, 150, 300]);
  });

  it("a map item's error is thrown at its place, with its class", async () => {
    const it = ex.map("echo", [1, 2]);
    expect((await it.next()).value).toBe(1);
    const it2 = ex.starmap("fail", [["bad item"]] as [string][]);
    await expect(it2.next()).rejects.toThrow(RangeError);
  });

  it("wait and asCompleted work on its futures", async () => {
    const slow = ex.submit("sleep", 800);
    const fast = ex.submit("sleep", 50);
    const { done, notDone } = await wait([slow, fast], { returnWhen: FIRST_COMPLETED });
    expect(done.has(fast as Future<number>)).toBe(true);
    expect(notDone.has(slow as Future<number>)).toBe(true);
    await slow; // every pool thread free again: the next two run side by side, wherever they land
    const order: number[] = [];
    for await (const f of asCompleted([ex.submit("sleep", 400), ex.submit("sleep", 30)])) order.push((await f) as number);
    expect(order).toEqual([30, 400]);
  });

  it("a future is pending while its job waits in Redis, running once a worker takes it", async () => {
    const dir = tempDir();
    // 2 workers × 2 threads, each taking twice its pool's size (4 jobs) at once by default:
    // eight long jobs are taken (running: four run, four wait on their worker, as Python's
    // process pool holds one call more than it has workers); the ninth waits in Redis.
    const busy = Array.from({ length: 8 }, (_, i) => ex.submit("marked", dir, `busy${i}`, 700));
    await until(() => busy.every((f) => f.running()), "the eight jobs to be taken");
    const waiting = ex.submit("marked", dir, "waiting", 10);
    await new Promise((r) => setTimeout(r, 200));
    expect(waiting.state).toBe("pending");
    expect(ex.stats().tasks).toMatchObject({ queued: 1, running: 8 });
    // cancel() of a waiting job takes it out of Redis: it never runs.
    expect(waiting.cancel()).toBe(true);
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await Promise.all(busy);
    const later = await ex.submit("marked", dir, "after", 10);
    expect(typeof later).toBe("number");
    expect(readdirSync(dir).filter((f) => f.startsWith("waiting"))).toEqual([]);
  });

  it("timeout: the future fails at the deadline and the worker is told to stop the task", async () => {
    const started = Date.now();
    await expect(ex.submitWith({ timeout: 300 }, "sleep", 10_000)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    // A task that ignores its signal is stopped by the worker's own pool (it runs with the same timeout).
    await expect(ex.submitWith({ timeout: 300 }, "spin", 20_000)).rejects.toBeInstanceOf(TimeoutError);
    // The workers are free again: four jobs at once still run together.
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 4 }, () => ex.submit("sleep", 300)));
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("signal: aborting a running job fails its future with the reason and stops the task", async () => {
    const controller = new AbortController();
    const f = ex.submitWith({ signal: controller.signal }, "sleep", 10_000);
    await until(() => f.running(), "the job to start");
    controller.abort(new Error("the user left"));
    await expect(f).rejects.toThrow("the user left");
    expect(await ex.submit("add", 1, 1)).toBe(2);
  });

  it("functions sent as source are refused unless both sides allow them", async () => {
    await expect(ex.submit((x: number) => x * 2, 21)).rejects.toThrow(/allowFunctionSource: true here and start the workers with --allow-function-source/);
    const [open] = await queueWith(1, ["--allow-function-source"]);
    const allowed = executor(open, { allowFunctionSource: true });
    expect(await allowed.submit((x: number) => x * 2, 21)).toBe(42);
    // An executor that allows them, on a worker that does not:
    const refused = executor(q, { allowFunctionSource: true });
    await expect(refused.submit((x: number) => x * 2, 21)).rejects.toThrow(/does not run functions sent as source/);
  });

  it("bad options and arguments are refused clearly", () => {
    expect(() => new QueueExecutor({ connection: "http://x", queue: "a" })).toThrow(/redis:\/\//);
    expect(() => new QueueExecutor({ connection: redis.url, queue: "" })).toThrow(/queue must be a non-empty name/);
    expect(() => new QueueExecutor({ connection: redis.url, queue: "a", defaultJobOptions: { jobId: "x" } })).toThrow(/jobId cannot be set/);
    expect(() => new QueueExecutor({ connection: redis.url, queue: "a", maxWorkers: 0 })).toThrow(RangeError);
  });

  it("arguments that cannot travel fail their future, not the executor", async () => {
    await expect(ex.submit("echo", { f: () => 1 })).rejects.toThrow(/cannot be sent through the queue/);
    await expect(ex.submit("echo", new SharedArrayBuffer(8))).rejects.toThrow(/cannot be passed to a QueueExecutor/);
    expect(await ex.submit("add", 2, 2)).toBe(4);
  });

  it("attempts > 1 re-runs a failing task; the future gets the last outcome", async () => {
    const retrying = executor(q, { defaultJobOptions: { attempts: 3 } });
    const dir = tempDir();
    expect(await retrying.submit("flaky", dir, 2)).toBe(3);
    const dir2 = tempDir();
    await expect(retrying.submit("flaky", dir2, 5)).rejects.toThrow("flaky call 3");
  });

  it("results do not pile up in Redis, and the stats add up", async () => {
    const before = ex.stats().tasks;
    await Promise.all(Array.from({ length: 20 }, (_, i) => ex.submit("add", i, 1)));
    const after = ex.stats().tasks;
    expect(after.completed - before.completed).toBe(20);
    expect(after.running + after.queued).toBe(0);
    // Finished jobs leave Redis in batches, within milliseconds of their outcome being read.
    const queue = new Queue(q, { connection: { host: "127.0.0.1", port: redis.port } });
    let counts: Record<string, number> = {};
    await until(async () => (counts = await queue.getJobCounts("completed", "failed", "waiting", "active")).completed === 0, "the finished jobs to leave Redis", 5000);
    await queue.close();
    expect(counts).toEqual({ completed: 0, failed: 0, waiting: 0, active: 0 });
  });
});

describe("QueueExecutor: workers that die or stop", () => {
  it("a worker killed (SIGKILL) mid-job: the job runs again on the other, and its future resolves once", async () => {
    const [q, [a, b]] = await queueWith(2);
    const ex = executor(q);
    const dir = tempDir();
    const f = ex.submit("marked", dir, "job", 1500);
    await until(() => readdirSync(dir).length === 1, "the job to start");
    const firstPid = Number(readdirSync(dir)[0]!.split("-")[1]);
    const victim = [a!, b!].find((w) => w.pid === firstPid);
    expect(victim).toBeDefined();
    victim!.child.kill("SIGKILL");
    const settled: unknown[] = [];
    f.addDoneCallback(() => settled.push(f.state));
    const survivor = await f;
    expect(survivor).not.toBe(firstPid);
    expect([a!.pid, b!.pid]).toContain(survivor);
    expect(readdirSync(dir)).toHaveLength(2); // at least once: it ran twice
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toEqual(["finished"]);
  }, 30_000);

  it("SIGTERM: the worker finishes its running jobs, takes no new ones, and exits; nothing is lost", async () => {
    const [q, [a, b]] = await queueWith(2);
    const ex = executor(q);
    const dir = tempDir();
    const futures = Array.from({ length: 8 }, (_, i) => ex.submit("marked", dir, `t${i}`, 600));
    await until(() => readdirSync(dir).some((f) => f.includes(`-${a!.pid}-`)), "worker A to take a job");
    a!.child.kill("SIGTERM");
    const results = await Promise.all(futures);
    expect(results).toHaveLength(8);
    expect(await a!.exited).toBe(0);
    expect(a!.output()).toMatch(/SIGTERM: taking no new jobs/);
    expect(a!.output()).toMatch(/stopped/);
    // Each task ran exactly once: a graceful stop re-runs nothing.
    expect(readdirSync(dir)).toHaveLength(8);
    expect(results).toContain(b!.pid);
  }, 30_000);
});

describe("QueueExecutor: Redis going away", () => {
  it("a Redis restart within the reconnect window: pending and running futures still resolve", async () => {
    const [q] = await queueWith(1);
    const ex = executor(q);
    expect(await ex.submit("add", 1, 2)).toBe(3);
    const running = ex.submit("sleep", 1500, "slept");
    await until(() => running.running(), "the job to start");
    await redis.stop();
    const submittedWhileDown = ex.submit("add", 20, 22);
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    expect(await running).toBe("slept");
    expect(await submittedWhileDown).toBe(42);
  }, 60_000);

  it("a job Redis lost (it came back empty) fails its future instead of leaving it waiting", async () => {
    const ex = executor(`nobody${++queueNo}`); // no worker: the job waits in Redis
    const f = ex.submit("add", 1, 1);
    const queue = new Queue(`nobody${queueNo}`, { connection: { host: "127.0.0.1", port: redis.port } });
    await until(async () => (await queue.getJobCounts("waiting")).waiting === 1, "the job to reach Redis");
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.stop();
    await redis.start();
    await expect(f).rejects.toThrow(/is no longer in Redis .* its outcome is unknown/);
  }, 30_000);

  it("an outage longer than reconnectWindow fails the futures with BrokenExecutorError, and submit throws it", async () => {
    const [q] = await queueWith(1);
    const ex = executor(q, { reconnectWindow: 500 });
    expect(await ex.submit("add", 1, 1)).toBe(2);
    const pending = ex.submit("sleep", 5000);
    await until(() => pending.running(), "the job to start");
    await redis.stop();
    try {
      await expect(pending).rejects.toBeInstanceOf(BrokenExecutorError);
      await expect(pending).rejects.toThrow(/lost the connection to Redis .*\(reconnectWindow\)/);
      expect(() => ex.submit("add", 1, 1)).toThrow(BrokenExecutorError);
    } finally {
      await redis.start();
    }
  }, 30_000);
});

describe("QueueExecutor: the tasks option takes the local pools' forms", () => {
  it("a file: URL, a URL string and a relative path all name the module the workers serve", async () => {
    const [q] = await queueWith(1);
    for (const tasks of [TASKS_URL, TASKS_URL.href, relative(process.cwd(), TASKS), TASKS]) {
      expect(await executor(q, { tasks }).submit("add", 2, 3)).toBe(5);
    }
  }, 30_000);

  it("a worker started without --tasks imports the executor's module (a file: URL: that path on the workers)", async () => {
    const [q] = await queueWith(1, [], null);
    expect(await executor(q, { tasks: OTHER_TASKS }).submit("add", 2, 3)).toBe("other 5");
    await expect(executor(q).submit("add", 2, 3)).rejects.toThrow(/this worker has no tasks module: start it with --tasks FILE, or give the QueueExecutor a tasks option/);
  }, 30_000);

  it("a worker serving another module fails the job with an error naming both", async () => {
    const [q] = await queueWith(1);
    const f = executor(q, { tasks: OTHER_TASKS }).submit("add", 2, 3);
    await expect(f).rejects.toThrow(`this worker serves the tasks module ${TASKS_URL.href}, but the executor's tasks is ${OTHER_TASKS.href}`);
    expect(() => executor(q, { tasks: 42 as never })).toThrow(/tasks must be a URL or a path string/);
  }, 30_000);
});

describe("QueueExecutor: streams through Redis", () => {
  let q: string;
  let ex: QueueExecutor<Tasks>;
  beforeAll(async () => {
    [q] = await queueWith(1, [], STREAM_TASKS);
    ex = executor(q, { tasks: pathToFileURL(STREAM_TASKS) });
  }, 30_000);

  it("values arrive in order, structured-cloned, past the first window; nothing of the stream stays in Redis", async () => {
    const got: { i: number; map: Map<number, string> }[] = [];
    for await (const v of ex.stream("count", 50)) got.push(v);
    expect(got.map((v) => v.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(got[7]!.map).toEqual(new Map([[7, "7"]]));
    await until(async () => (await keysLeft(redis, q)).length === 0, "the stream's keys to leave Redis");
  });

  it("back-pressure: a consumer that stops taking values stops the generator within the credit", async () => {
    const dir = tempDir();
    const it = ex.stream("endless", dir)[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    await new Promise((r) => setTimeout(r, 1000)); // unbounded, it would produce thousands meanwhile
    const produced = Number(readFileSync(join(dir, "produced"), "utf8"));
    // The executor's window (16) plus the worker's local stream's window (16) and one in hand.
    expect(produced).toBeLessThanOrEqual(40);
    const taken: number[] = [];
    for (let i = 0; i < 60; i++) taken.push((await it.next()).value as number);
    expect(taken).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await it.return!();
  });

  it("break stops the remote generator: its signal aborts, its finally runs; nothing stays in Redis", async () => {
    const dir = tempDir();
    const stream = ex.stream("endless", dir);
    for await (const v of stream) if (v === 3) break;
    await until(() => existsSync(join(dir, "finally")) && existsSync(join(dir, "aborted")), "the generator to stop");
    await until(async () => (await keysLeft(redis, q)).length === 0, "the stream's keys to leave Redis");
    expect(await ex.submit("add", 1, 1)).toBe(2); // the worker goes on
  });

  it("unsubscribing an Observable subscription stops it the same way", async () => {
    const dir = tempDir();
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const sub = ex.stream("endless", dir).subscribe((v) => {
        seen.push(v);
        if (v === 2) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    await until(() => existsSync(join(dir, "finally")), "the generator to stop");
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("a generator's error ends the stream with it, after the values before it", async () => {
    const got: number[] = [];
    const r = await settle((async () => {
      for await (const v of ex.stream("breaks")) got.push(v);
    })());
    expect(got).toEqual([1]);
    expect(r.ok).toBe(false);
    expect((r as { error: Error }).error).toBeInstanceOf(RangeError);
    expect((r as { error: Error }).error.message).toBe("the stream broke");
  });
});

describe("QueueExecutor: tiny tasks run on the worker's own thread", () => {
  const threads = async (ex: QueueExecutor<Tasks>, ms: number) => {
    const seen: number[] = [];
    for (let i = 0; i < 40; i++) seen.push((await ex.submit("where", ms)).thread);
    return seen;
  };

  it("once measured well under 1 ms (currentTask() works there); longer ones and --pool-only stay on the pool", async () => {
    const [q] = await queueWith(1, [], STREAM_TASKS);
    const ex = executor(q);
    const tiny = await threads(ex, 0);
    expect(tiny[0]).not.toBe(0); // first on the pool…
    expect(tiny.slice(-10)).toEqual(Array(10).fill(0)); // …then here
    expect(await ex.submit("where")).toEqual({ thread: 0, aborted: false });
    const slow = await threads(ex, 3); // 3 ms: back to the pool, tried here once more at most
    expect(slow.filter((t) => t === 0).length).toBeLessThanOrEqual(4);
    expect(slow.slice(-10)).not.toContain(0);
    const [pooled] = await queueWith(1, ["--pool-only"], STREAM_TASKS);
    expect(await threads(executor(pooled), 0)).not.toContain(0);
  }, 30_000);
});

describe("QueueExecutor: events the reader missed", () => {
  /** Caps the queue's event stream at `maxLen` entries, as a BullMQ `Queue` with `streams.events.maxLen` does. */
  async function capEvents(queue: string, maxLen: number): Promise<{ trimmed(): Promise<boolean>; close(): void }> {
    const client = new Redis(redis.port, "127.0.0.1");
    await client.hset(`bull:${queue}:meta`, "opts.maxLenEvents", maxLen);
    return {
      // Entries left the stream: Redis 7 counts every entry ever added.
      trimmed: async () => {
        const info = (await client.xinfo("STREAM", `bull:${queue}:events`)) as unknown[];
        return Number(info[info.indexOf("entries-added") + 1]) > Number(info[info.indexOf("length") + 1]);
      },
      close: () => client.disconnect(),
    };
  }

  it("a burst of 30,000 jobs on an event stream capped at 100 entries: every result arrives, nothing is left in Redis", async () => {
    const [q] = await queueWith(1);
    const ex = executor(q);
    expect(await ex.submit("add", 1, 1)).toBe(2); // the executor's queue has written its meta: the cap below holds
    const cap = await capEvents(q, 100);
    try {
      const n = 30_000;
      const got: number[] = [];
      const items = Array.from({ length: n }, (_, i) => [i, 1] as [number, number]);
      for await (const x of ex.starmap("add", items, { chunksize: 1, buffersize: n })) got.push(x);
      expect(got).toHaveLength(n);
      expect(got.every((x, i) => x === i + 1)).toBe(true);
      expect(await cap.trimmed()).toBe(true); // events were dropped before the executor read them
      expect(ex.stats().tasks).toMatchObject({ queued: 0, running: 0 });
      await until(async () => (await keysLeft(redis, q)).length === 0, "the finished jobs to leave Redis");
    } finally {
      cap.close();
    }
  }, 120_000);

  it("finished jobs that an executor which died never removed are removed an hour later by the next one; other finished jobs stay", async () => {
    const [q] = await queueWith(1);
    const client = new Redis(redis.port, "127.0.0.1");
    try {
      // Two jobs that ended over an hour ago (the clock cannot be moved: they are written as BullMQ leaves them).
      const old = Date.now() - 3_700_000;
      await client.zadd(`bull:${q}:completed`, old, "orphan", old, "kept");
      await client.hset(`bull:${q}:orphan`, "name", "add", "data", JSON.stringify({ v: 3, j: [1, 1], rm: 1 }), "finishedOn", old, "returnvalue", "2");
      await client.hset(`bull:${q}:kept`, "name", "add", "data", JSON.stringify({ a: 1 }), "finishedOn", old, "returnvalue", "2");
      expect(await executor(q).submit("add", 1, 1)).toBe(2);
      await until(async () => (await client.exists(`bull:${q}:orphan`)) === 0, "the orphan to leave Redis", 5000);
      expect(await client.zrange(`bull:${q}:completed`, 0, -1)).toEqual(["kept"]);
      expect(await client.exists(`bull:${q}:kept`)).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 30_000);

  it("when both an event and its job are gone (removeOnComplete: a count), the future fails saying so instead of waiting for ever", async () => {
    const [q] = await queueWith(1);
    const ex = executor(q, { defaultJobOptions: { removeOnComplete: 10 } });
    expect(await ex.submit("add", 1, 1)).toBe(2);
    const cap = await capEvents(q, 100);
    try {
      const n = 10_000;
      const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => settle(ex.submit("add", i, 1))));
      outcomes.forEach((o, i) => {
        if (o.ok) expect(o.value).toBe(i + 1);
        else expect(o.error.message).toMatch(/is unknown: the queue's event stream \(capped by BullMQ's streams.events.maxLen\) was trimmed before this executor read the job's events, and the job is no longer in Redis/);
      });
    } finally {
      cap.close();
    }
  }, 120_000);
});

describe("QueueExecutor: chaos", () => {
  it("Redis restarted mid-map of 1,000 items, one of two workers SIGKILLed: each result once or a clear error, nothing hangs, nothing left", async () => {
    const [q, [a, b]] = await queueWith(2);
    const ex = executor(q);
    const outcomes: ({ value: unknown } | { error: Error })[] = [];
    const items = Array.from({ length: 1000 }, (_, i) => [5, i] as [number, number]);
    const consumed = (async () => {
      const it = ex.starmap("sleep", items, { chunksize: 10 });
      for (;;) {
        try {
          const r = await it.next();
          if (r.done) return;
          outcomes.push({ value: r.value });
        } catch (error) {
          outcomes.push({ error: error as Error });
        }
      }
    })();
    await until(() => outcomes.length >= 100, "the first results");
    a!.child.kill("SIGKILL");
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    await consumed;
    expect(outcomes).toHaveLength(1000);
    outcomes.forEach((o, i) => {
      if ("value" in o) expect(o.value).toBe(i);
      else expect(o.error.message).toMatch(/failed in queue|no longer in Redis|lost the connection to Redis/);
    });
    expect(outcomes.filter((o) => "value" in o).length).toBeGreaterThan(500); // most survive: the rest ran out of retries
    await ex.shutdown();
    b!.child.kill("SIGTERM");
    await b!.exited;
    expect(await keysLeft(redis, q)).toEqual([]);
  }, 120_000);
});
