// A sample app: the three ways of getting task code into the workers of a bundled app, a map, and a
// shared object coming back from a worker.
import { ThreadPoolExecutor } from "isofutures";

const out = {};
async function attempt(name, makePool, run) {
  const pool = makePool();
  try {
    out[name] = await run(pool);
  } catch (e) {
    out[name] = `ERROR ${e.name}: ${e.message}`;
  } finally {
    await pool.shutdown();
  }
}

// 1. A tasks module by URL: the executor's bootstrap imports it.
await attempt("tasks", () => new ThreadPoolExecutor({ tasks: new URL("./tasks.js", import.meta.url) }), (p) => p.submit("fib", 20));
// 2. A worker file calling serve(), started the way bundlers recognise.
await attempt(
  "worker",
  () => new ThreadPoolExecutor({ worker: () => new Worker(new URL("./tasks.worker.js", import.meta.url), { type: "module" }) }),
  (p) => p.submit("fib", 20),
);
// 3. A self-contained function: no file at all.
await attempt(
  "function",
  () => new ThreadPoolExecutor(),
  (p) => p.submit((n) => {
    const fib = (k) => (k < 2 ? k : fib(k - 1) + fib(k - 2));
    return fib(n);
  }, 20),
);

// 4. map over a tasks module: its iteration is a chunk of its own, loaded on the first map.
await attempt("map", () => new ThreadPoolExecutor({ tasks: new URL("./tasks.js", import.meta.url) }), async (p) => {
  const results = [];
  for await (const r of p.map("fib", [10, 20])) results.push(r);
  return results[1];
});

// 5. A shared object made in a worker comes back: a pipe's end (Connection), whose class this app
// never imports; the page loads it when it arrives.
await attempt(
  "shared",
  () => new ThreadPoolExecutor({ worker: () => new Worker(new URL("./tasks.worker.js", import.meta.url), { type: "module" }) }),
  async (p) => (await p.submit("pipeEnd", 20)).recv(),
);

document.body.dataset.results = JSON.stringify(out);
document.body.append(JSON.stringify(out));
