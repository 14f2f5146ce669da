// Process in Chromium: kind "thread" on Web Workers (the only kind there), kind "process" refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch } from "./chromium.js";
import { serve, type StaticServer } from "./server.js";

const root = new URL("..", import.meta.url).pathname;
const TASKS = "/test-browser/fixtures/process-tasks.js";
let browser: Browser;
let server: StaticServer;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  // Not cross-origin isolated: a Process needs no shared memory (a Pipe carries what targets see).
  server = await serve({ root, isolated: false });
  page = await browser.newPage();
  await page.goto(`${server.url}/test-browser/fixtures/page.html`);
  await page.waitForFunction(() => "iso" in window);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Iso = typeof import("isofutures");

describe("Process in Chromium", () => {
  it("runs its target in a Web Worker: start, join, exitCode 0; inside, currentProcess() is the Process", async () => {
    const seen = await page.evaluate(async (tasks) => {
      const m = (window as unknown as { iso: Iso }).iso;
      const [mine, theirs] = m.Pipe();
      const p = new m.Process({ target: "report", args: [theirs], tasks, name: "reporter" });
      const before = { pid: p.pid, alive: p.isAlive(), exitCode: p.exitCode };
      p.start();
      const during = { alive: p.isAlive(), active: m.activeChildren().map((c) => c.name) };
      const inside = await mine.recv({ timeout: 10_000 });
      const joined = await p.join({ timeout: 10_000 });
      return { before, during, inside, joined, exitCode: p.exitCode, pid: p.pid, main: m.currentProcess(), parent: m.parentProcess() };
    }, TASKS);
    expect(seen.before).toEqual({ pid: undefined, alive: false, exitCode: null });
    expect(seen.during).toEqual({ alive: true, active: ["reporter"] });
    expect(seen.inside).toEqual({ current: { name: "reporter", pid: seen.pid, daemon: false }, parent: { pid: 0 }, active: 0 });
    expect(seen.pid).toBeGreaterThan(0); // a Web Worker's number; the page is 0
    expect([seen.joined, seen.exitCode]).toEqual([true, 0]);
    expect(seen.main).toEqual({ name: "MainProcess", pid: 0, daemon: false });
    expect(seen.parent).toBeNull();
  });

  it("exitCode 1 with the error when the target throws; -15 after terminate(), -9 after kill(); join times out while it runs", async () => {
    const seen = await page.evaluate(async (tasks) => {
      const m = (window as unknown as { iso: Iso }).iso;
      const failing = new m.Process({ target: "boom", tasks });
      failing.start();
      await failing.join();
      const stopped: (number | null | boolean)[] = [];
      for (const stop of ["terminate", "kill"] as const) {
        const [mine, theirs] = m.Pipe();
        const p = new m.Process({ target: "started", args: [theirs], tasks });
        p.start();
        await mine.recv({ timeout: 10_000 });
        stopped.push(await p.join({ timeout: 50 }));
        p[stop]();
        stopped.push(await p.join(), p.exitCode);
      }
      const error = failing.error as Error;
      return { code: failing.exitCode, error: `${error.constructor.name}: ${error.message}`, stopped };
    }, TASKS);
    expect(seen.code).toBe(1);
    expect(seen.error).toBe("RangeError: boom in a Web Worker");
    expect(seen.stopped).toEqual([false, true, -15, false, true, -9]);
  });

  it('kind "process" and the Node-only options throw UnsupportedError saying what to use', async () => {
    const errors = await page.evaluate(() => {
      const m = (window as unknown as { iso: Iso }).iso;
      const attempt = (options: object) => {
        try {
          new m.Process({ target: () => {}, ...options });
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      return [attempt({ kind: "process" }), attempt({ env: {} }), attempt({ kind: "thread" })];
    });
    expect(errors[0]).toMatch(/^UnsupportedError: new Process: kind "process" needs child processes, which browsers do not have; use kind "thread"/);
    expect(errors[1]).toMatch(/^UnsupportedError: new Process: env is an option of Node/);
    expect(errors[2]).toBe("no error");
  });
});
