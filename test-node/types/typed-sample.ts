// Compiles cleanly: every `@ts-expect-error` line must be an error, every other line must not.
import { ThreadPoolExecutor, InlineExecutor, asCompleted, taskRef, transfer, wait, type Executor, type Future } from "isofutures";
import { currentTask } from "isofutures/worker";

type Tasks = typeof import("./typed-tasks.js");
const pool = new ThreadPoolExecutor<Tasks>({ tasks: new URL("./typed-tasks.js", import.meta.url) });

const a: Future<number> = pool.submit("fib", 30);
const b: Future<string> = pool.submit("greet", "x", 2);
const p: Future<string> = pool.submit("describePoint", { x: 1, y: 2 });
// @ts-expect-error: wrong argument type
pool.submit("fib", "30");
// @ts-expect-error: no such task
pool.submit("fob", 30);
// @ts-expect-error: missing argument
pool.submit("greet", "x");
// @ts-expect-error: not a function export
pool.submit("notATask");
// @ts-expect-error: wrong result type
const wrong: Future<string> = pool.submit("fib", 1);

const c: Future<number> = pool.submit((x: number) => x * 2, 2);
// @ts-expect-error: wrong argument for a self-contained function
pool.submit((x: number) => x * 2, "2");

const ref = taskRef<(s: string) => number>(new URL("./m.js", import.meta.url), "len");
const d: Future<number> = pool.submitWith({ timeout: 100 }, ref, "abc");
// @ts-expect-error: wrong argument for a taskRef
pool.submit(ref, 1);

const buf = new ArrayBuffer(8);
const e: Future<number> = pool.submit((x: ArrayBuffer) => x.byteLength, transfer(buf, [buf]));

async function iterate(ex: Executor<Tasks>): Promise<void> {
  for await (const n of ex.map("fib", [1, 2, 3])) {
    const x: number = n;
    void x;
  }
  for await (const s of ex.starmap("greet", [["a", 1], ["b", 2]])) {
    const x: string = s;
    void x;
  }
  // @ts-expect-error: map feeds the first parameter
  ex.map("fib", ["one"]);
  // @ts-expect-error: starmap needs argument tuples
  ex.starmap("greet", [["a", "b"]]);
  // Several iterables are zipped: one per parameter, each of that parameter's type.
  for await (const s of ex.map("greet", ["a", "b"], [1, 2], { chunksize: 1 })) {
    const x: string = s;
    void x;
  }
  for await (const n of ex.map((x: number, y: number) => x * y, [1, 2], new Set([3, 4]))) {
    const x: number = n;
    void x;
  }
  // @ts-expect-error: the second iterable feeds the second parameter (a number)
  ex.map("greet", ["a"], ["b"]);
  // @ts-expect-error: a task of one parameter takes one iterable
  ex.map("fib", [1], [2]);
  // Events and timings.
  ex.addEventListener("workerexit", (event) => {
    const crashed: boolean = event.detail.crashed;
    const code: number | null = event.detail.code;
    void [crashed, code];
  });
  ex.addEventListener("workerstart", (event) => void (event.detail.pid ?? event.detail.threadId));
  const p99: number = ex.stats().timings.run.p99;
  void p99;
  const { done } = await wait([a, c]);
  void done;
}

async function streams(ex: Executor<Tasks>): Promise<void> {
  for await (const t of ex.stream("ticks", 3)) {
    const x: number = t;
    void x;
  }
  // @ts-expect-error: wrong argument for a stream task
  ex.stream("ticks", "3");
  const sub = ex.streamWith({ highWaterMark: 32 }, "ticks", 2).subscribe({ next: (v: number) => void v });
  sub.unsubscribe();
}

async function completed(): Promise<void> {
  // The loop gives the futures themselves (not their results), and says so.
  const left = new Set<Future<number>>([a, c]);
  for await (const f of asCompleted(left)) {
    const r: number = await f.result();
    const error: unknown = await f.exception();
    if (f.cancelled()) continue;
    left.delete(f);
    void [r, error];
  }
}

async function disposable(): Promise<void> {
  await using ex = new InlineExecutor<Tasks>({ tasks: "./typed-tasks.js" });
  const r: number = await ex.submit("fib", 3);
  void r;
}

const untyped = new ThreadPoolExecutor();
const u: Future<unknown> = untyped.submit("anything", 1, "two");
const signal: AbortSignal = currentTask().signal;

void [b, p, wrong, d, e, u, signal, iterate, disposable, streams, completed];
