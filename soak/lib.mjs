// What the soak programs share: arguments, the figures they print, and what a process holds
// (threads, children, handles), read from the operating system.
import { readFileSync, readdirSync } from "node:fs";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "isofutures";

export const TASKS = new URL("./tasks.mjs", import.meta.url);

/** `--name value` from the command line, else `fallback`. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export function poolClass(kind) {
  if (kind === "thread") return ThreadPoolExecutor;
  if (kind === "process") return ProcessPoolExecutor;
  throw new TypeError(`--kind must be "thread" or "process", got ${kind}`);
}

/** Threads of this process right now (the main thread, Node's own, and worker threads). @returns {number} */
export function threadCount() {
  return readdirSync("/proc/self/task").length;
}

/** Pids of this process's children right now. @returns {number[]} */
export function childPids() {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether the process `pid` still exists. @param {number} pid @returns {boolean} */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Handles and requests keeping the event loop alive, counted by type. */
export function resources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** RSS of this process's children together, in MiB (0 without children). */
export function childrenRss() {
  let kib = 0;
  for (const pid of childPids()) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round((kib / 1024) * 10) / 10;
}

const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** RSS after a full collection (when --expose-gc is on), in MiB. */
export function settledRss() {
  globalThis.gc?.();
  globalThis.gc?.();
  return mb(process.memoryUsage().rss);
}

/** A small deterministic random generator (mulberry32), so that a failing storm can be replayed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Polls a condition no event announces (a thread or child going away); false after `ms`.
 * @param {() => boolean} check
 * @param {number} [ms]
 * @returns {Promise<boolean>}
 */
export async function eventually(check, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/**
 * Once the pools are shut down: waits for this process to be back to `threadsBefore` threads and
 * without children. Returns the failure to report when it is not, else undefined.
 * @param {number} threadsBefore
 * @returns {Promise<string | undefined>}
 */
export async function strayFailure(threadsBefore) {
  if (await eventually(() => threadCount() <= threadsBefore && childPids().length === 0)) return undefined;
  return `left behind: ${threadCount() - threadsBefore} threads, children ${childPids().join(", ") || "none"}`;
}

/**
 * Prints the figures as one JSON line (`SOAK {...}`), read by the test suite and by soak/run.mjs,
 * and sets the exit code: 0 when no check failed. The program then ends by itself.
 */
export function finish(name, figures, failures) {
  const line = { soak: name, ok: failures.length === 0, failures, ...figures };
  console.log(`SOAK ${JSON.stringify(line)}`);
  if (failures.length > 0) process.exitCode = 1;
}

/**
 * The figures a soak program printed (its `SOAK {...}` line) in `stdout`, or undefined without one.
 * @param {string} stdout
 * @returns {Record<string, any> | undefined}
 */
export function figuresOf(stdout) {
  const line = stdout.split("\n").find((l) => l.startsWith("SOAK "));
  return line ? JSON.parse(line.slice(5)) : undefined;
}
