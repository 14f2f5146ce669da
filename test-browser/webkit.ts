// Starts WebKitGTK (Debian's MiniBrowser, `--automation`) through WebKitWebDriver: the W3C WebDriver
// HTTP protocol, of which the tests need five commands, sent with fetch. WebKitGTK needs a display:
// each browser gets an Xvfb of its own. `npm test` runs scripts/setup.mjs --browser, which installs
// webkit2gtk-driver and xvfb when they are missing.
//
// WebKitGTK leaves SharedArrayBuffer undefined even on a cross-origin isolated page unless
// JavaScriptCore's option useSharedArrayBuffer is on (the environment variable
// JSC_useSharedArrayBuffer=1), and with it on, defines it on every page, isolated or not. A page
// opened with `sharedMemory: true` gets a MiniBrowser with it on, else one with it off: like Safari,
// which has SharedArrayBuffer on isolated pages only.
//
// One WebDriver session drives one page at a time, and a script that awaits holds the session: so
// each page open at the same time has a session (a MiniBrowser) of its own; a closed page's
// session serves the next page that wants the same setting.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import type { PageOptions, TestBrowser, TestPage } from "./browsers.js";

const DRIVERS = ["/usr/bin/WebKitWebDriver", "/usr/local/bin/WebKitWebDriver"];
const XVFB = ["/usr/bin/Xvfb", "/usr/local/bin/Xvfb"];

function find(what: string, env: string, candidates: string[], pkg: string): string {
  const fromEnv = process.env[env];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no ${what} found: install Debian's ${pkg} (apt-get install -y ${pkg}), or set ${env}; \`npm test\` runs scripts/setup.mjs --browser, which installs it when it can`,
    );
  }
  return found;
}

/** Debian's MiniBrowser lives in the WebKitGTK library folder, named by architecture and API version. */
function miniBrowsers(): string[] {
  const out: string[] = [];
  for (const base of ["/usr/lib", "/usr/libexec", "/usr/local/lib", "/usr/local/libexec"]) {
    if (!existsSync(base)) continue;
    for (const dir of [base, ...readdirSync(base).filter((d) => d.endsWith("-linux-gnu")).map((d) => `${base}/${d}`)]) {
      for (const api of ["webkit2gtk-4.1", "webkit2gtk-4.0", "webkitgtk-6.0"]) out.push(`${dir}/${api}/MiniBrowser`);
    }
  }
  return out;
}

/** A free TCP port on 127.0.0.1 (closed again at once: WebKitWebDriver takes it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on the first free display (it writes the number to fd 3). */
async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const bin = find("Xvfb", "XVFB", XVFB, "xvfb");
  const proc = spawn(bin, ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr?.on("data", (d: Buffer) => (log += d));
  const display = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdio[3]?.on("data", (d: Buffer) => {
      out += d;
      if (out.includes("\n")) resolve(`:${out.trim()}`);
    });
    proc.on("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it had a display: ${log.trim()}`)));
  });
  return { display, proc };
}

interface Session {
  sharedMemory: boolean;
  driver: ChildProcess;
  base: string;
  id: string;
}

class WebKitSession implements TestPage {
  constructor(
    readonly session: Session,
    private readonly release: (s: Session) => Promise<void>,
  ) {}

  async #command(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await fetch(`${this.session.base}/session/${this.session.id}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await r.json()) as { value: unknown };
    if (!r.ok) {
      const e = answer.value as { error?: string; message?: string } | null;
      throw new Error(`WebDriver ${method} ${path}: ${e?.error}: ${e?.message}`);
    }
    return answer.value;
  }

  async goto(url: string): Promise<void> {
    await this.#command("POST", "/url", { url });
  }

  async evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    // The page's result or error comes back as JSON through the async script's callback.
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn.toString()})(...Array.prototype.slice.call(arguments, 0, -1)))
        .then((value) => done({ value }), (e) => done({ error: String(e && e.stack ? e.name + ": " + e.message + "\\n" + e.stack : e) }));`;
    const out = (await this.#command("POST", "/execute/async", { script, args: arg === undefined ? [] : [arg] })) as { value?: R; error?: string };
    if (out.error !== undefined) throw new Error(`in the page: ${out.error}`);
    return out.value as R;
  }

  async waitFor(fn: () => unknown, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await this.evaluate(fn))) {
      if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${fn.toString()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** What the page recorded itself (WebDriver classic has no event for uncaught errors). */
  async errors(): Promise<string[]> {
    return this.evaluate(() => (window as unknown as { __pageErrors?: string[] }).__pageErrors ?? []);
  }

  async close(): Promise<void> {
    await this.release(this.session);
  }
}

export async function launchWebKit(): Promise<TestBrowser> {
  const driverBin = find("WebKitWebDriver", "WEBKIT_DRIVER", DRIVERS, "webkit2gtk-driver");
  const miniBrowser = find("WebKitGTK MiniBrowser", "WEBKIT_MINIBROWSER", miniBrowsers(), "webkit2gtk-driver");
  const xvfb = await startXvfb();
  const idle: Session[] = [];
  const all = new Set<Session>();
  let version = "";
  const killAll = () => {
    for (const s of all) s.driver.kill("SIGKILL");
    xvfb.proc.kill("SIGKILL");
  };
  process.once("exit", killAll);

  async function startSession(sharedMemory: boolean): Promise<Session> {
    const port = await freePort();
    const env = { ...process.env, DISPLAY: xvfb.display, JSC_useSharedArrayBuffer: sharedMemory ? "1" : "0" };
    const driver = spawn(driverBin, [`--port=${port}`, "--host=127.0.0.1"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    driver.stderr?.on("data", (d: Buffer) => (log += d));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        await fetch(`${base}/status`);
        break;
      } catch {
        if (i > 200 || driver.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${log.trim()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const r = await fetch(`${base}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: {
            "webkitgtk:browserOptions": { binary: miniBrowser, args: ["--automation"] },
            timeouts: { script: 600_000, pageLoad: 60_000 },
          },
        },
      }),
    });
    const answer = (await r.json()) as { value: { sessionId: string; capabilities: { browserVersion: string }; message?: string } };
    if (!r.ok) {
      driver.kill();
      throw new Error(`WebKitWebDriver refused a session: ${answer.value.message ?? JSON.stringify(answer)}; ${log.trim()}`);
    }
    version = answer.value.capabilities.browserVersion;
    const session = { sharedMemory, driver, base, id: answer.value.sessionId };
    all.add(session);
    return session;
  }

  async function endSession(s: Session): Promise<void> {
    await fetch(`${s.base}/session/${s.id}`, { method: "DELETE" }).catch(() => undefined);
    s.driver.kill();
    all.delete(s);
  }

  const release = async (s: Session) => {
    // A page that is closed leaves about:blank behind it, so that its workers end with it.
    const r = await fetch(`${s.base}/session/${s.id}/url`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "about:blank" }),
    }).catch(() => undefined);
    if (r?.ok) idle.push(s);
    else await endSession(s);
  };

  // The first session tells the version, and serves the first page.
  idle.push(await startSession(true));
  return {
    engine: "webkit",
    name: "WebKitGTK",
    version: `MiniBrowser ${version}`,
    async newPage({ sharedMemory = true }: PageOptions = {}) {
      const i = idle.findIndex((s) => s.sharedMemory === sharedMemory);
      const session = i >= 0 ? idle.splice(i, 1)[0] : undefined;
      return new WebKitSession(session ?? (await startSession(sharedMemory)), release);
    },
    async close() {
      await Promise.all([...all].map(endSession));
      xvfb.proc.kill();
      process.removeListener("exit", killAll);
    },
  };
}
