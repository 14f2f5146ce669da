// One measurement in a fresh process: `node bench/measure.mjs <pool> <scenario> [--quick]`.
// Prints exactly one JSON line on stdout: { ok, pool, scenario, value, unit, detail } or
// { ok: false, pool, scenario, error }.
import { loadPool } from "./pools.mjs";
import { SCENARIOS, sizesFor } from "./scenarios.mjs";

const CLOSE_TIMEOUT_MS = 10_000;

const [poolName, scenarioName, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");

let emitted = false;

function emit(obj) {
  emitted = true;
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function fail(err) {
  emit({
    ok: false,
    pool: poolName,
    scenario: scenarioName,
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
  });
  process.exit(1);
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);

// If the event loop empties while a result is still awaited (a promise the pool never settles and
// nothing left to wake it), Node exits with code 13 and says nothing: say which phase it was.
let phase = "loading the pool";
process.on("exit", (code) => {
  if (!emitted) {
    emit({
      ok: false,
      pool: poolName,
      scenario: scenarioName,
      error: `exited (code ${code}) while ${phase}: a promise was never settled and nothing kept the process alive`,
    });
  }
});

try {
  const scenario = SCENARIOS[scenarioName];
  if (!scenario) throw new Error(`unknown scenario ${JSON.stringify(scenarioName)}`);
  const size = sizesFor(scenarioName, poolName, quick);
  const open = await loadPool(poolName);
  phase = "running";
  const { pool, value, detail } = await scenario.run(open, size, (p) => (phase = p));
  phase = "closing the pool";

  // Closing is not timed, but a pool that does not close is reported.
  const t0 = performance.now();
  const closed = await Promise.race([
    Promise.resolve(pool.close()).then(() => true),
    new Promise((r) => setTimeout(r, CLOSE_TIMEOUT_MS, false)),
  ]);
  if (!closed) detail.closeTimedOut = true;
  else detail.closeMs = performance.now() - t0;

  emit({ ok: true, pool: poolName, scenario: scenarioName, value, unit: scenario.unit, size, detail });
  process.exit(0);
} catch (err) {
  fail(err);
}
