import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launch } from "./chromium.js";
import { serve, type StaticServer } from "./server.js";

let browser: Browser;
let isolated: StaticServer;
let plain: StaticServer;
const root = new URL("..", import.meta.url).pathname;

beforeAll(async () => {
  browser = await launch();
  isolated = await serve({ root, isolated: true });
  plain = await serve({ root, isolated: false });
});
afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

it.each(["isolated", "plain"])("runs tasks on Web Workers (%s page)", async (which) => {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("pageerror", (e) => logs.push(String(e)));
  await page.goto(`${which === "isolated" ? isolated.url : plain.url}/test-browser/pages/smoke.html`);
  await page.waitForFunction(() => document.getElementById("out")?.textContent !== "running", null, { timeout: 20_000 });
  const text = await page.textContent("#out");
  expect(text, logs.join("\n")).not.toMatch(/^ERROR/);
  const result = JSON.parse(text as string);
  expect(result.r).toBe(42);
  expect(result.fs).toEqual([1, 4, 9]);
  expect(result.mapped).toEqual([2, 3, 4]);
  expect(result.info.sharedMemory).toBe(which === "isolated");
  await page.close();
});

it("a worker that calls close() fails its task and is replaced", async () => {
  const page = await browser.newPage();
  await page.goto(`${isolated.url}/test-browser/pages/crash.html`);
  await page.waitForFunction(() => document.getElementById("out")?.textContent !== "running", null, { timeout: 20_000 });
  console.log(await page.textContent("#out"));
  await page.close();
});
