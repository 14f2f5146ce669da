// The `process` scenario: a Process's start + join of a trivial target, for kind "process" beside
// Python's spawn Process (measured by bench/process-spawn.py in the same measurement, interleaved
// round by round), and for kind "thread".
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const PYTHON_SCRIPT = fileURLToPath(new URL("./process-spawn.py", import.meta.url));
const closed = { close() {} };
const now = () => performance.now();

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** ms of `n` start + join of a Process doing nothing. */
async function ours(Process, options, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const p = new Process({ target: () => {}, ...options });
    p.start();
    await p.join();
    times.push(now() - t0);
    if (p.exitCode !== 0) throw new Error(`wrong result: a Process ended with exitCode ${p.exitCode}`);
  }
  return times;
}

/** Python's times for `n` spawn start + join, or null when there is no python3. */
function python(n) {
  return new Promise((resolve) => {
    execFile("python3", [PYTHON_SCRIPT, String(n)], { timeout: 60_000 }, (error, stdout) => {
      if (error) return resolve(error.code === "ENOENT" ? null : Promise.reject(new Error(`python3 ${PYTHON_SCRIPT}: ${error.message}`)));
      resolve(JSON.parse(stdout));
    });
  });
}

/**
 * Medians of start + join. Kind "process": also Python's in the same rounds and, where
 * NODE_EXTRA_CA_CERTS is set (every new Node process then loads those certificates before running
 * anything), ours with it left out of the child's environment.
 */
export async function processStartJoin(kind, s) {
  const { Process } = await import("isofutures");
  await ours(Process, { kind }, 1); // the first start reads the files from disk: not timed
  const mine = [];
  if (kind === "thread") {
    for (let r = 0; r < s.rounds; r++) mine.push(...(await ours(Process, { kind }, s.perRound)));
    return { pool: closed, value: median(mine), detail: { n: mine.length } };
  }
  const { NODE_EXTRA_CA_CERTS: certs, ...withoutCerts } = process.env;
  const py = [];
  const noCerts = [];
  let hasPython = true;
  for (let r = 0; r < s.rounds; r++) {
    const times = hasPython ? await python(s.perRound) : null;
    if (times === null) hasPython = false;
    else py.push(...times);
    mine.push(...(await ours(Process, { kind }, s.perRound)));
    if (certs !== undefined) noCerts.push(...(await ours(Process, { kind, env: withoutCerts }, s.perRound)));
  }
  const value = median(mine);
  const pythonMs = median(py);
  return {
    pool: closed,
    value,
    detail: {
      n: mine.length,
      pythonMs,
      vsPython: pythonMs === null ? null : pythonMs / value,
      ...(certs === undefined ? {} : { withoutExtraCaCertsMs: median(noCerts) }),
    },
  };
}

/** Lines under the scenario's tables: Python's figure, measured in the same runs. */
export function processNotes(slots) {
  const details = slots["isofutures-process"]?.details ?? [];
  if (details.length === 0) return [];
  const py = median(details.map((d) => d.pythonMs).filter((v) => v !== null));
  const lines = [];
  if (py === null) lines.push("  Python: python3 not found, not measured");
  else {
    const ours = median(details.map((d) => d.vsPython).filter((v) => v !== null));
    lines.push(`  Python spawn Process start + join, same measurements (interleaved): ${py.toFixed(1)} ms; isofutures-process ${ours.toFixed(2)}× Python's speed`);
  }
  const bare = details.map((d) => d.withoutExtraCaCertsMs).filter((v) => v !== undefined);
  if (bare.length > 0) {
    lines.push(
      `  NODE_EXTRA_CA_CERTS is set here: each new Node process loads those certificates before anything else; ` +
        `without it in the child's env, ${median(bare).toFixed(1)} ms`,
    );
  }
  return lines;
}
