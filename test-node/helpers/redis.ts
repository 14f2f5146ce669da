// A real redis-server for the queue tests, on a free 127.0.0.1 port, in a temporary folder (with
// an append-only file, so that a restart keeps what was in it), and `isofutures worker` processes.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CANDIDATES = [process.env.REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"];

export function findRedisServer(): string {
  const found = CANDIDATES.find((p) => p && existsSync(p));
  if (!found) throw new Error("no redis-server found: `npm test` installs Debian's (apt-get install -y redis-server); or set REDIS_SERVER to one");
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Resolves when `child` prints a line matching `pattern` (rejects if it exits first or `ms` pass). */
export function waitForLine(child: ChildProcess, pattern: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${ms} ms; output so far:\n${seen}`)), ms);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) done(undefined, line);
    };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before printing ${pattern}; output:\n${seen}`));
    function done(error?: Error, line?: string) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(line!);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM: it writes its data out first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "isofutures-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    await waitForLine(child, /Ready to accept connections/);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((ok) => {
      c.once("exit", () => ok());
      c.kill("SIGTERM");
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}

const CLI = fileURLToPath(new URL("../../dist/node/cli.js", import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `isofutures worker` with these arguments; resolves once it says it runs. */
export async function startWorker(args: string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, "worker", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  await waitForLine(child, /^isofutures worker \d+: queue/);
  return { child, pid: child.pid!, output: () => out, exited };
}

/** Resolves when `check()` is true (polled; bounded). */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The keys of queue `queue` in Redis, but BullMQ's bookkeeping of the queue itself (its id
 * counter, meta, event log, stall-check marker): jobs, job lists, and isofutures' stream keys.
 */
export async function keysLeft(server: RedisServer, queue: string): Promise<string[]> {
  const { Redis } = await import("ioredis");
  const client = new Redis(server.port, "127.0.0.1");
  try {
    const keys = await client.keys(`bull:${queue}:*`);
    return keys.filter((k) => !/^bull:[^:]+:(id|meta|events|stalled-check)$/.test(k)).sort();
  } finally {
    client.disconnect();
  }
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), "isofutures-queue-"));

export async function settle<T>(f: PromiseLike<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await f };
  } catch (error) {
    return { ok: false, error };
  }
}
