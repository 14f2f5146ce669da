// The scenarios: what each measures, in which unit, for which pools, and with which sizes.
// `run(open, size)` runs inside a fresh `measure.mjs` process and returns { value, detail }.
import { POOLS, kindOf } from "./pools.mjs";
import { burn } from "./work.mjs";
import { lockCost, queueRate, ringRate } from "./primitives.mjs";
import { processNotes, processStartJoin } from "./process.mjs";

// The pool a measurement is for (measure.mjs runs one pool per process).
const currentPool = () => process.argv[2];

const MiB = 1024 * 1024;
const now = () => performance.now();

const ALL = ["isofutures", "raw", "raw-batched", "piscina", "tinypool", "poolifier", "workerpool", "threads"];
/** Pools of 2 child processes: only in the scenarios where a process pool is worth measuring. */
const PROCESSES = ["isofutures-process", "workerpool-process", "tinypool-process"];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function check(cond, what) {
  if (!cond) throw new Error(`wrong result: ${what}`);
}

async function burst(pool, n) {
  const all = new Array(n);
  for (let i = 0; i < n; i++) all[i] = pool.submit("echo", i + 1);
  const out = await Promise.all(all);
  check(out.length === n && out[0] === 1 && out[n - 1] === n, "echo burst");
}

/** Iterations of `burn` that take about `ms` on this thread. */
function calibrate(ms) {
  for (let i = 0; i < 5; i++) burn(200_000);
  let iters = 100_000;
  for (;;) {
    const t0 = now();
    burn(iters);
    const dt = now() - t0;
    if (dt >= 20) return Math.max(1, Math.round((iters * ms) / dt));
    iters *= 2;
  }
}

export const SCENARIOS = {
  burst: {
    title: "burst",
    unit: "tasks/s",
    better: "higher",
    describe: (s) =>
      `${s.n.toLocaleString("en")} echo tasks submitted at once, await all, after ${s.warmRounds} warm-up burst${s.warmRounds > 1 ? "s" : ""} of the same size (steady state)`,
    pools: [...ALL, ...PROCESSES],
    sizes: {
      full: { n: 50_000, warmRounds: 3 },
      quick: { n: 2_000, warmRounds: 1 },
      // threads.js runs one task per worker message round trip and is much slower: capped.
      "full:threads": { n: 5_000, warmRounds: 1 },
      "quick:threads": { n: 500, warmRounds: 1 },
      // Process pools pass every task through a pipe (about 4 s for 50,000): one warm-up burst,
      // which is enough to reach their steady state, keeps the run short.
      "full:process": { n: 50_000, warmRounds: 1 },
    },
    async run(open, s, phase) {
      const pool = open();
      for (let r = 0; r < s.warmRounds; r++) {
        phase(`warming up (burst ${r + 1} of ${s.warmRounds})`);
        await burst(pool, s.n);
      }
      phase(`awaiting the timed burst (${s.n} tasks)`);
      const t0 = now();
      await burst(pool, s.n);
      const ms = now() - t0;
      return { pool, value: (s.n / ms) * 1000, detail: { n: s.n, ms } };
    },
  },

  "burst-cold": {
    title: "burst-cold",
    unit: "tasks/s",
    better: "higher",
    describe: (s) =>
      `${s.n.toLocaleString("en")} echo tasks submitted at once, await all, after only ${s.warm.toLocaleString("en")} warm-up tasks (code not yet optimised by V8)`,
    pools: [...ALL, ...PROCESSES],
    sizes: {
      full: { n: 50_000, warm: 5_000 },
      quick: { n: 2_000, warm: 200 },
      "full:threads": { n: 5_000, warm: 500 },
      "quick:threads": { n: 500, warm: 50 },
    },
    async run(open, s, phase) {
      const pool = open();
      phase(`warming up (${s.warm} tasks)`);
      await burst(pool, s.warm);
      phase(`awaiting the timed burst (${s.n} tasks)`);
      const t0 = now();
      await burst(pool, s.n);
      const ms = now() - t0;
      return { pool, value: (s.n / ms) * 1000, detail: { n: s.n, ms } };
    },
  },

  latency: {
    title: "latency",
    unit: "µs/task",
    better: "lower",
    describe: (s) => `one echo task at a time, ${s.n.toLocaleString("en")} round trips, median`,
    pools: [...ALL, ...PROCESSES],
    sizes: {
      full: { n: 2_000, warm: 200 },
      quick: { n: 200, warm: 20 },
    },
    async run(open, s) {
      const pool = open();
      for (let i = 0; i < s.warm; i++) await pool.submit("echo", i + 1);
      const times = new Float64Array(s.n);
      const t0 = now();
      for (let i = 0; i < s.n; i++) {
        const t = now();
        const v = await pool.submit("echo", i + 1);
        times[i] = now() - t;
        if (v !== i + 1) check(false, "echo");
      }
      const total = now() - t0;
      return {
        pool,
        value: median(times) * 1000,
        detail: { n: s.n, meanUs: (total / s.n) * 1000, p99Us: percentile(times, 0.99) * 1000 },
      };
    },
  },

  cpu: {
    title: "cpu",
    unit: "× speedup",
    better: "higher",
    describe: (s) => `${s.tasks} tasks × ${s.ms} ms of CPU on 2 workers, serial time / parallel time`,
    pools: [...ALL, ...PROCESSES],
    sizes: {
      full: { tasks: 16, ms: 50 },
      quick: { tasks: 4, ms: 10 },
    },
    async run(open, s) {
      const iters = calibrate(s.ms);
      const expected = burn(iters);
      const pool = open();
      // Start the workers and let their JIT see the loop.
      const warm = Math.max(1, Math.round(iters / 5));
      await Promise.all(Array.from({ length: 4 }, () => pool.submit("burn", warm)));
      let t0 = now();
      for (let i = 0; i < s.tasks; i++) check(burn(iters) === expected, "serial burn");
      const serialMs = now() - t0;
      t0 = now();
      const out = await Promise.all(Array.from({ length: s.tasks }, () => pool.submit("burn", iters)));
      const parallelMs = now() - t0;
      check(out.every((v) => v === expected), "parallel burn");
      return {
        pool,
        value: serialMs / parallelMs,
        detail: { tasks: s.tasks, iters, serialMs, parallelMs },
      };
    },
  },

  transfer: {
    title: "transfer",
    unit: "ms/round trip",
    better: "lower",
    describe: (s) => `${s.bytes / MiB} MiB ArrayBuffer moved to a worker and back, ${s.n} round trips, median`,
    pools: [...ALL],
    sizes: {
      full: { bytes: 16 * MiB, n: 50, warm: 5 },
      quick: { bytes: 1 * MiB, n: 5, warm: 1 },
    },
    run: (open, s) => roundTrips(open, s, true),
  },

  copy: {
    title: "copy",
    unit: "ms/round trip",
    better: "lower",
    describe: (s) => `${s.bytes / MiB} MiB ArrayBuffer cloned to a worker and back, ${s.n} round trips, median`,
    pools: ["isofutures", "raw"],
    sizes: {
      full: { bytes: 16 * MiB, n: 50, warm: 5 },
      quick: { bytes: 1 * MiB, n: 5, warm: 1 },
    },
    run: (open, s) => roundTrips(open, s, false),
  },

  map: {
    title: "map",
    unit: "items/s",
    better: "higher",
    describe: (s) =>
      `map(inc) over ${s.n.toLocaleString("en")} numbers, for-await (raw-batched: same chunks by hand)`,
    pools: ["isofutures", "raw-batched"],
    sizes: {
      full: { n: 1_000_000, warm: 100_000 },
      quick: { n: 20_000, warm: 2_000 },
    },
    async run(open, s) {
      const pool = open();
      const input = Array.from({ length: s.n }, (_, i) => i);
      await consume(pool.map("inc", input.slice(0, s.warm)), s.warm);
      const t0 = now();
      await consume(pool.map("inc", input), s.n);
      const ms = now() - t0;
      return { pool, value: (s.n / ms) * 1000, detail: { n: s.n, ms } };
    },
  },

  ring: {
    title: "ring",
    unit: "messages/s",
    better: "higher",
    describe: (s) => `${s.n.toLocaleString("en")} small messages (one number each) from a worker thread to the main thread: RingBuffer (isofutures) vs postMessage (raw)`,
    pools: ["isofutures", "raw"],
    sizes: { full: { n: 2_000_000 }, quick: { n: 50_000 } },
    run: (_open, s) => ringRate(currentPool(), s.n),
  },

  queue: {
    title: "queue",
    unit: "items/s",
    better: "higher",
    describe: (s) => `${s.n.toLocaleString("en")} small objects through a Queue from a worker thread to the main thread`,
    pools: ["isofutures"],
    sizes: { full: { n: 300_000 }, quick: { n: 10_000 } },
    run: (_open, s) => queueRate(s.n),
  },

  lock: {
    title: "lock",
    unit: "ns/op",
    better: "lower",
    describe: (s) => `uncontended Lock acquireSync + release, ${s.n.toLocaleString("en")} times`,
    pools: ["isofutures"],
    sizes: { full: { n: 10_000_000 }, quick: { n: 100_000 } },
    run: (_open, s) => lockCost(s.n),
  },

  process: {
    title: "process",
    unit: "ms",
    better: "lower",
    describe: (s) =>
      `${s.rounds * s.perRound} × Process start + join of a trivial target (a self-contained function): isofutures = kind "thread", ` +
      `isofutures-process = kind "process", beside Python's spawn Process in the same measurement`,
    pools: ["isofutures", "isofutures-process"],
    sizes: { full: { rounds: 5, perRound: 4 }, quick: { rounds: 2, perRound: 2 } },
    run: (_open, s) => processStartJoin(currentPool() === "isofutures-process" ? "process" : "thread", s),
    notes: processNotes,
  },

  startup: {
    title: "startup",
    unit: "ms",
    better: "lower",
    describe: () => "construct the pool → first echo result (worker start included, imports not)",
    pools: [...ALL, ...PROCESSES],
    sizes: { full: {}, quick: {} },
    async run(open) {
      const t0 = now();
      const pool = open();
      const v = await pool.submit("echo", 7);
      const ms = now() - t0;
      check(v === 7, "echo");
      return { pool, value: ms, detail: {} };
    },
  },
};

// A baseline build (ISOFUTURES_BASELINE, see pools.mjs) runs wherever this build does.
for (const scenario of Object.values(SCENARIOS)) {
  if (!POOLS.includes("baseline")) break;
  const pools = scenario.pools;
  if (pools.includes("isofutures")) pools.splice(pools.indexOf("isofutures") + 1, 0, "baseline");
  if (pools.includes("isofutures-process")) pools.splice(pools.indexOf("isofutures-process") + 1, 0, "baseline-process");
}

/** A scenario's sizes for a pool: `full:<pool>`, else `full:process` for a process pool, else `full`. */
export function sizesFor(scenario, pool, quick) {
  const sz = SCENARIOS[scenario].sizes;
  const mode = quick ? "quick" : "full";
  return sz[`${mode}:${pool}`] ?? sz[`${mode}:${kindOf(pool)}`] ?? sz[mode];
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function roundTrips(open, s, move) {
  const pool = open();
  let buf = new ArrayBuffer(s.bytes);
  new Uint8Array(buf).fill(7);
  const once = async () => {
    const out = await pool.submit(move ? "roundtrip" : "copy", buf, move ? [buf] : undefined);
    check(out instanceof ArrayBuffer && out.byteLength === s.bytes, "buffer round trip");
    buf = out;
  };
  for (let i = 0; i < s.warm; i++) await once();
  const times = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const t = now();
    await once();
    times[i] = now() - t;
  }
  check(new Uint8Array(buf)[s.bytes - 1] === 7, "buffer contents");
  return { pool, value: median(times), detail: { n: s.n, bytes: s.bytes, meanMs: times.reduce((a, b) => a + b) / s.n } };
}

async function consume(iter, n) {
  let count = 0;
  let last;
  for await (const v of iter) {
    last = v;
    count++;
  }
  check(count === n && last === n, "map results");
}
