// The Node service demo (demo/node-service), tested the way it runs: the real service in a child
// process, real pools, real HTTP clients, and autocannon for the load run. Timing figures belong
// to `npm run bench:service`; here only generous bounds prove that something stopped.
import { createHash, scryptSync } from "node:crypto";
import { request, type ClientRequest } from "node:http";
import { inflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { alive, childPids, fetchRaw, getStats, loadRun, startService, statsUntil, stopService } from "../demo/node-service/load.mjs";
import { sampleOrders } from "../demo/node-service/orders.mjs";
import { runNode } from "./helpers/programs.js";
import { until } from "./helpers/strays.js";

const MAIN = fileURLToPath(new URL("../demo/node-service/main.mjs", import.meta.url));
const KINDS = ["inline", "thread", "process"] as const;
/** A tile that takes many seconds (almost all of it inside the set, 100,000 iterations a pixel). */
const LONG_TILE = "/tile/3/4/3.png?iter=100000";
const QUICK_TILE = "/tile/0/0/0.png?iter=50";

type Service = { url: string; pid: number; output: () => string; exited: Promise<{ code: number | null; signal: string | null }> };
const started: Service[] = [];
const clients: ClientRequest[] = [];

async function start(args: string[], options: { detached?: boolean } = {}): Promise<Service> {
  const s: Service = await startService(args, options);
  started.push(s);
  return s;
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of started.splice(0)) {
    for (const pid of [...childPids(s.pid), s.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
});

/** Sends a request and leaves it open (its answer, if any, is ignored). */
function hold(url: string, options: { method?: string; headers?: Record<string, string | number> } = {}): ClientRequest {
  const req = request(url, options);
  req.on("error", () => {});
  req.on("response", (res) => res.resume());
  clients.push(req);
  return req;
}

/** The status and body of the answer to a request sent with `hold`. */
function answerOf(req: ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
  });
}

function json(r: { body: Buffer }): any {
  return JSON.parse(r.body.toString());
}

/** SIGTERM, then the exit, within a bound that only a hang exceeds. */
function stop(s: Service): Promise<{ code: number | null; signal: string | null }> {
  return stopService(s, 10_000);
}

/** The chunks of a PNG file, each CRC checked; the pixels inflated. */
function readPng(bytes: Buffer): { width: number; height: number; colourType: number; pixels: Buffer } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = new Map<string, Buffer[]>();
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    const crc = crcOf(bytes.subarray(at + 4, at + 8 + length));
    expect(bytes.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(crc);
    chunks.set(type, [...(chunks.get(type) ?? []), data]);
    at += 12 + length;
  }
  const ihdr = chunks.get("IHDR")![0]!;
  expect(chunks.has("IEND")).toBe(true);
  return { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), colourType: ihdr[9]!, pixels: inflateSync(Buffer.concat(chunks.get("IDAT")!)) };
}
// CRC-32 computed here, independently of the service's encoder.
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crcOf(b: Buffer): number {
  let c = 0xffffffff;
  for (const byte of b) c = CRC[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const runMain = (args: string[]) => runNode([MAIN, ...args]); // killed after 20 s

describe("Node service: command line", () => {
  it("bad flags get a message naming the flag, the usage, and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--executor", "fibers"], /--executor must be one of inline, thread, process \(got "fibers"\)/],
      [["--workers", "0"], /--workers must be an integer from 1 to 1024 \(got "0"\)/],
      [["--executor", "inline", "--workers", "3"], /--workers does not apply to --executor inline/],
      [["--max-queue", "-1"], /--max-queue/],
      [["--timeout", "soon"], /--timeout must be an integer/],
      [["--port", "70000"], /--port must be an integer from 0 to 65535/],
      [["--turbo"], /Unknown option '--turbo'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runMain(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(" ")).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stderr).toMatch(/usage: /);
    });
    const help = await runMain(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--executor inline\|thread\|process/);
  });
});

describe("Node service: endpoints", () => {
  it("inline, thread pool and process pool give the same, correct answers", async () => {
    const orders = sampleOrders(500);
    const body = JSON.stringify(orders);
    const items = orders.orders.reduce((n: number, o: { items: unknown[] }) => n + o.items.length, 0);
    const answers: string[] = [];
    for (const kind of KINDS) {
      const s = await start(["--executor", kind, "--workers", "1"]);
      const health = await fetchRaw(`${s.url}/health`);
      expect(health.status).toBe(200);
      expect(json(health)).toEqual({ status: "ok" });

      const hashed = await fetchRaw(`${s.url}/hash`, { method: "POST", body: JSON.stringify({ password: "pässword", salt: "00112233445566778899aabb", N: 1024, r: 4 }) });
      expect(hashed.status).toBe(200);
      const expected = scryptSync("pässword", Buffer.from("00112233445566778899aabb", "hex"), 32, { N: 1024, r: 4, p: 1 }).toString("hex");
      expect(json(hashed)).toEqual({ algorithm: "scrypt", N: 1024, r: 4, p: 1, salt: "00112233445566778899aabb", hash: expected });

      const tile = await fetchRaw(`${s.url}/tile/2/1/1.png?iter=300`);
      expect(tile.status).toBe(200);
      expect(tile.headers["content-type"]).toBe("image/png");
      const png = readPng(tile.body);
      expect([png.width, png.height, png.colourType]).toEqual([256, 256, 3]);
      expect(png.pixels.length).toBe(256 * (256 + 1));
      expect(new Set(png.pixels).size).toBeGreaterThan(20); // a picture, not a flat colour

      const valid = await fetchRaw(`${s.url}/validate`, { method: "POST", body });
      expect(valid.status).toBe(200);
      const summary = json(valid);
      expect(summary).toMatchObject({ valid: true, orders: 500 });
      expect(summary.items).toBe(items);

      answers.push(createHash("sha256").update(tile.body).update(valid.body).digest("hex"));
      expect((await stop(s)).code).toBe(0);
    }
    expect(new Set(answers).size).toBe(1);
  });

  it("bad input gets 400 (or 404, 405, 413) with a JSON error that names what is wrong", async () => {
    const s = await start(["--executor", "thread", "--workers", "1"]);
    const post = (path: string, body: string) => fetchRaw(`${s.url}${path}`, { method: "POST", body });
    const cases: [Promise<{ status: number; body: Buffer }>, number, RegExp][] = [
      [post("/hash", "{nope"), 400, /the body is not valid JSON/],
      [post("/hash", "[1]"), 400, /must be a JSON object/],
      [post("/hash", JSON.stringify({ password: "" })), 400, /password must be a string of 1 to 1024/],
      [post("/hash", JSON.stringify({ password: "x", N: 1000 })), 400, /N must be a power of 2/],
      [post("/hash", JSON.stringify({ password: "x", N: 65536, r: 16 })), 400, /N × r must be at most/],
      [post("/hash", JSON.stringify({ password: "x", salt: "xyz" })), 400, /salt must be 8 to 64 bytes in hex/],
      [post("/hash", JSON.stringify({ password: "x", pepper: 1 })), 400, /unknown field "pepper"/],
      [post("/hash", JSON.stringify({ password: "x".repeat(20_000) })), 413, /larger than 16384 bytes/],
      [fetchRaw(`${s.url}/tile/2/4/1.png`), 400, /x must be an integer from 0 to 3 at zoom 2 \(got "4"\)/],
      [fetchRaw(`${s.url}/tile/31/0/0.png`), 400, /z must be an integer from 0 to 30/],
      [fetchRaw(`${s.url}/tile/1/0/0.png?iter=0`), 400, /iter must be an integer from 1 to 100000/],
      [fetchRaw(`${s.url}/tile/1/0/0.png?zoom=2`), 400, /unknown query parameter "zoom"/],
      [post("/validate", ""), 400, /the body is empty/],
      [post("/validate", '{"orders": [}'), 400, /the body is not valid JSON: Unexpected token/],
      [fetchRaw(`${s.url}/nowhere`), 404, /no route GET \/nowhere; the routes are/],
      [fetchRaw(`${s.url}/hash`), 405, /\/hash takes POST, not GET/],
    ];
    for (const [response, status, message] of cases) {
      const r = await response;
      expect(r.status, message.source).toBe(status);
      expect(json(r).error).toMatch(message);
    }
    // A document that parses but breaks rules: each problem has its JSON pointer.
    const doc = sampleOrders(3);
    doc.orders[1].items[0].qty = 0;
    doc.orders[2].currency = "XYZ";
    doc.orders[2].id = "o-1";
    const broken = await post("/validate", JSON.stringify(doc));
    expect(broken.status).toBe(400);
    expect(json(broken)).toMatchObject({
      error: "the orders document breaks 3 rules",
      problems: [
        { path: "/orders/1/items/0/qty", message: "must be an integer from 1 to 1000" },
        { path: "/orders/2/id", message: 'repeats the id "o-1"' },
        { path: "/orders/2/currency", message: expect.stringMatching(/must be one of EUR/) },
      ],
    });
    // Nothing above reached a worker but the two /validate documents, and none failed.
    const stats = await getStats(s.url);
    expect(stats.pool.tasks).toMatchObject({ completed: 3, failed: 0 }); // warm-up + 2
    // /stats shows the pool's timings: how long those tasks waited for a worker and ran.
    expect(stats.pool.timings.run).toMatchObject({ count: 3 });
    expect(stats.pool.timings.run.max).toBeGreaterThan(0);
    expect((await stop(s)).code).toBe(0);
  });
});

describe("Node service: load, limits and stopping", () => {
  for (const kind of KINDS) {
    it(`a short load run past capacity: only right 200s and 503s with Retry-After; SIGTERM leaves nothing running (${kind})`, async () => {
      const run = await loadRun({
        executor: kind,
        endpoint: "hash",
        args: ["--workers", kind === "inline" ? "1" : "2"],
        phases: [{ name: "overload", connections: 8, duration: 1.2 }],
      });
      const [phase] = run.phases;
      expect(phase.problems).toEqual([]);
      expect(phase.ok).toBeGreaterThan(0);
      expect(phase.errors).toBe(0);
      expect(Object.keys(phase.statuses).filter((s) => s !== "200" && s !== "503")).toEqual([]);
      expect(phase.ok + phase.rejected).toBe(Object.values(phase.statuses as Record<string, number>).reduce((a, b) => a + b, 0));
      expect(phase.health.count).toBeGreaterThan(0);
      expect(run.exit).toEqual({ code: 0, signal: null });
      expect(run.output).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
      expect(run.leftovers).toEqual([]);
    });
  }

  for (const kind of ["thread", "process"] as const) {
    it(`a client that disconnects mid-task frees its worker: the next request is served at once, by as many workers (${kind})`, async () => {
      const s = await start(["--executor", kind, "--workers", "1"]);
      const before = childPids(s.pid);
      const long = hold(`${s.url}${LONG_TILE}`);
      long.end();
      await statsUntil(s.url, (st: any) => st.pool.tasks.running === 1, "the long task to start");
      long.destroy();
      await statsUntil(s.url, (st: any) => st.aborted === 1 && st.inFlight === 0, "the service to see the disconnect");
      // The long task would take many seconds more: an answer within 5 s means its worker was freed.
      const next = await fetchRaw(`${s.url}${QUICK_TILE}`, { timeout: 5000 });
      expect(next.status).toBe(200);
      const after = await getStats(s.url);
      expect(after.pool.workers.live).toBe(1);
      expect(after.pool.tasks).toMatchObject({ running: 0, queued: 0 });
      if (kind === "process") {
        // The child that ran the long task was stopped and replaced.
        expect(before).toHaveLength(1);
        const now = childPids(s.pid);
        expect(now).toHaveLength(1);
        expect(now).not.toEqual(before);
        await until(() => !alive(before[0]), "the stopped child to be gone");
      }
      expect((await stop(s)).code).toBe(0);
    });
  }

  it("a full queue answers 503 with Retry-After at once; /health stays up; freed slots admit again", async () => {
    const s = await start(["--executor", "thread", "--workers", "1", "--max-queue", "1"]);
    const a = hold(`${s.url}${LONG_TILE}`);
    a.end();
    const b = hold(`${s.url}${LONG_TILE}`);
    b.end();
    await statsUntil(s.url, (st: any) => st.pool.tasks.running === 1 && st.pool.tasks.queued === 1, "one running and one queued");
    const rejected = await fetchRaw(`${s.url}${QUICK_TILE}`, { timeout: 5000 });
    expect(rejected.status).toBe(503);
    expect(rejected.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(json(rejected).error).toMatch(/at capacity: 2 requests in progress or queued \(limit 2\)/);
    expect((await fetchRaw(`${s.url}/health`, { timeout: 5000 })).status).toBe(200);
    a.destroy();
    b.destroy();
    await statsUntil(s.url, (st: any) => st.inFlight === 0 && st.aborted === 2, "both to be given up");
    const stats = await getStats(s.url);
    expect(stats.pool.tasks.cancelled).toBe(1); // the queued one never started
    expect((await fetchRaw(`${s.url}${QUICK_TILE}`, { timeout: 5000 })).status).toBe(200);
    expect((await stop(s)).code).toBe(0);
  });

  it("a task past the time limit gets 504, and the pool goes on", async () => {
    const s = await start(["--executor", "thread", "--workers", "1", "--timeout", "200"]);
    const r = await fetchRaw(`${s.url}${LONG_TILE}`, { timeout: 5000 });
    expect(r.status).toBe(504);
    expect(json(r).error).toBe("the work took longer than the limit of 200 ms");
    expect((await fetchRaw(`${s.url}${QUICK_TILE}`, { timeout: 5000 })).status).toBe(200);
    expect((await getStats(s.url)).pool.workers.live).toBe(1);
    expect((await stop(s)).code).toBe(0);
  });

  it("SIGTERM: the request in flight is answered, new ones get 503, then the process exits with no child left", async () => {
    const s = await start(["--executor", "process", "--workers", "2"]);
    const children = childPids(s.pid);
    expect(children).toHaveLength(2);
    // A request in flight: half of its body is sent when SIGTERM comes.
    const body = Buffer.from(JSON.stringify(sampleOrders(200)));
    const req = hold(`${s.url}/validate`, { method: "POST", headers: { "content-length": body.length } });
    const answer = answerOf(req);
    req.write(body.subarray(0, 1000));
    await statsUntil(s.url, (st: any) => st.inFlight === 1, "the request to be admitted");
    process.kill(s.pid, "SIGTERM");
    await statsUntil(s.url, (st: any) => st.draining, "the service to drain");

    const late = await fetchRaw(`${s.url}/hash`, { method: "POST", body: '{"password":"x"}' });
    expect(late.status).toBe(503);
    expect(late.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(late.headers.connection).toBe("close");
    expect(json(late).error).toBe("the service is shutting down");
    expect((await fetchRaw(`${s.url}/health`)).status).toBe(503);

    req.end(body.subarray(1000));
    const r = await answer;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ valid: true, orders: 200 });
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.output()).toMatch(/SIGTERM: shutting down \(1 request in progress; new ones get 503\)\nstopped/);
    expect(children.filter(alive)).toEqual([]);
  });

  it("Ctrl-C in a terminal (SIGINT to the whole process group): the running task finishes on its child, its request is answered", async () => {
    const s = await start(["--executor", "process", "--workers", "1"], { detached: true });
    const req = hold(`${s.url}/tile/3/4/3.png?iter=3000`);
    const answer = answerOf(req);
    req.end();
    await statsUntil(s.url, (st: any) => st.pool.tasks.running === 1, "the task to start");
    process.kill(-s.pid, "SIGINT");
    expect((await answer).status).toBe(200);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.output()).toMatch(/SIGINT: shutting down \(1 request in progress; new ones get 503\)\nstopped/);
  });
});
