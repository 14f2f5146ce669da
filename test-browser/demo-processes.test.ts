// The demo's producers-and-consumers page (demo/web/processes.html), built and served as `npm start`
// does, driven in Chromium like a visitor: Processes of kind "thread" talking through a Queue.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch } from "./chromium.js";
import { buildSite } from "../demo/web/build.mjs";
import { serve, type StaticServer as Server } from "./server.js";

// A build of its own: test files run at the same time, and demo.test.ts builds into .build/demo/.
const OUT = new URL(".build/demo-processes/", import.meta.url).pathname;
const SHOTS = new URL("screenshots/", import.meta.url).pathname;
let browser: Browser;
let isolated: Server;
let plain: Server;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await buildSite({ outDir: OUT, quiet: true });
  browser = await launch();
  isolated = await serve({ root: OUT, isolated: true });
  plain = await serve({ root: OUT, isolated: false });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

/** Opens the page; `problems` collects console errors and uncaught exceptions. */
async function visit(server: Server): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${String(e)}`));
  await page.goto(`${server.url}/processes.html`);
  return { page, problems };
}

const status = (page: Page) => page.evaluate(() => ({ ...document.getElementById("status")!.dataset, text: document.getElementById("status")!.textContent ?? "" }) as Record<string, string>);

async function settings(page: Page, values: Record<string, number>): Promise<void> {
  for (const [id, value] of Object.entries(values)) await page.fill(`#${id}`, String(value));
}

describe("demo: producers and consumers", () => {
  it("every item is consumed exactly once; the counts and the queue's fill show live; names and exit codes per Process", async () => {
    const { page, problems } = await visit(isolated);
    // Consumers far slower than producers: the queue fills to its size while they work.
    await settings(page, { producers: 2, consumers: 3, items: 1500, maxsize: 40, work: 1000 });
    await page.click("#run");
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "running" && document.getElementById("queued")!.textContent === "40");
    const during = await status(page);
    expect(Number(during.consumed)).toBeLessThan(3000);
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state !== "running", undefined, { timeout: 60_000 });
    const done = await status(page);
    expect(done.state).toBe("done");
    expect([done.produced, done.consumed, done.checksum, done.exitCodes]).toEqual(["3000", "3000", "ok", "0,0,0,0,0"]);
    const rows = await page.$$eval("#worker-rows tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    expect(rows.map((r) => r[1])).toEqual(["producer", "producer", "consumer", "consumer", "consumer"]);
    expect(rows.every((r) => /^Process-\d+$/.test(r[0]!) && Number(r[2]) > 0 && r[4] === "no" && r[5] === "0")).toBe(true);
    expect(rows.slice(0, 2).map((r) => r[3])).toEqual(["1,500", "1,500"]);
    expect(rows.slice(2).reduce((n, r) => n + Number(r[3]!.replace(/,/g, "")), 0)).toBe(3000);
    await page.screenshot({ path: `${SHOTS}processes.png`, fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });

  it("Terminate all ends every Process with exitCode -15", async () => {
    const { page, problems } = await visit(isolated);
    await settings(page, { producers: 1, consumers: 2, items: 100_000, maxsize: 100, work: 2000 });
    await page.click("#run");
    await page.waitForFunction(() => Number(document.getElementById("status")!.dataset.consumed) > 0);
    await page.click("#stop");
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "stopped", undefined, { timeout: 30_000 });
    expect((await status(page)).exitCodes).toBe("-15,-15,-15");
    expect(await page.$$eval("#worker-rows tr", (trs) => trs.map((tr) => tr.cells[4]!.textContent))).toEqual(["no", "no", "no"]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("without cross-origin isolation, it explains why, with the library's error", async () => {
    const { page, problems } = await visit(plain);
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "unsupported");
    expect(await page.textContent("#unsupported-error")).toMatch(/^UnsupportedError: /);
    await page.close();
    expect(problems).toEqual([]);
  });
});
