// The browsers the browser tests run in, behind one small page interface: Chromium (playwright-core,
// chromium.ts), Firefox (puppeteer-core over WebDriver BiDi: Playwright cannot drive a stock
// Firefox) and WebKitGTK (WebKitWebDriver, webkit.ts). All three are Debian's packages, which
// `npm test` installs when they are missing (scripts/setup.mjs --browser).
// ISOFUTURES_BROWSERS=chromium,firefox runs the tests in only those.
import { existsSync } from "node:fs";
import type { Page as PlaywrightPage } from "playwright-core";
import type { Page as PuppeteerPage } from "puppeteer-core";
import { launch as launchChromium } from "./chromium.js";
import { launchWebKit } from "./webkit.js";

export type Engine = "chromium" | "firefox" | "webkit";

/** A page, as the tests drive it. Functions given to `evaluate` run in the page: self-contained. */
export interface TestPage {
  goto(url: string): Promise<void>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Resolves once `fn()` is truthy in the page. */
  waitFor(fn: () => unknown, timeoutMs?: number): Promise<void>;
  /** Uncaught errors and unhandled rejections of the page so far. */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface PageOptions {
  /**
   * Should the engine offer SharedArrayBuffer? Only WebKitGTK asks (a MiniBrowser with or without
   * JSC_useSharedArrayBuffer=1): the others decide by the page's cross-origin isolation, as Safari
   * does. Open isolated pages with `true` and plain ones with `false`. @defaultValue true
   */
  sharedMemory?: boolean;
}

export interface TestBrowser {
  readonly engine: Engine;
  /** For test names: "Chromium", "Firefox", "WebKitGTK". */
  readonly name: string;
  readonly version: string;
  newPage(options?: PageOptions): Promise<TestPage>;
  close(): Promise<void>;
}

const ALL: Engine[] = ["chromium", "firefox", "webkit"];

/** The engines to test in: all, or those named in ISOFUTURES_BROWSERS. */
export function engines(): Engine[] {
  const wanted = process.env.ISOFUTURES_BROWSERS?.split(",").map((s) => s.trim()).filter(Boolean);
  if (!wanted) return ALL;
  const unknown = wanted.filter((w) => !ALL.includes(w as Engine));
  if (unknown.length) throw new Error(`ISOFUTURES_BROWSERS: unknown browser ${unknown.join(", ")}; known: ${ALL.join(", ")}`);
  return wanted as Engine[];
}

/** Opens the fixture page (`test-browser/fixtures/page.html`) served at `baseUrl`, once the library is loaded as `window.iso`. */
export async function openFixture(browser: TestBrowser, baseUrl: string, sharedMemory: boolean): Promise<TestPage> {
  const page = await browser.newPage({ sharedMemory });
  await page.goto(`${baseUrl}/test-browser/fixtures/page.html`);
  await page.waitFor(() => "iso" in window);
  return page;
}

export const NAMES: Record<Engine, string> = { chromium: "Chromium", firefox: "Firefox", webkit: "WebKitGTK" };

export function launch(engine: Engine): Promise<TestBrowser> {
  if (engine === "chromium") return chromium();
  if (engine === "firefox") return firefox();
  return launchWebKit();
}

async function chromium(): Promise<TestBrowser> {
  const browser = await launchChromium();
  return {
    engine: "chromium",
    name: NAMES.chromium,
    version: browser.version(),
    async newPage() {
      return wrapPlaywright(await browser.newPage());
    },
    close: () => browser.close(),
  };
}

function wrapPlaywright(page: PlaywrightPage): TestPage {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return {
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    waitFor: async (fn, timeout = 10_000) => void (await page.waitForFunction(fn, null, { timeout })),
    errors: async () => errors,
    close: () => page.close(),
  };
}

const FIREFOXES = ["/usr/bin/firefox-esr", "/usr/bin/firefox", "/usr/local/bin/firefox"];

async function firefox(): Promise<TestBrowser> {
  const executablePath = [process.env.FIREFOX_PATH, ...FIREFOXES].find((p): p is string => !!p && existsSync(p));
  if (!executablePath) {
    throw new Error(
      "no Firefox found: install Debian's (apt-get install -y firefox-esr), or set FIREFOX_PATH; `npm test` runs scripts/setup.mjs --browser, which installs it when it can",
    );
  }
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
  const version = await browser.version();
  return {
    engine: "firefox",
    name: NAMES.firefox,
    version,
    async newPage() {
      return wrapPuppeteer(await browser.newPage());
    },
    close: () => browser.close(),
  };
}

function wrapPuppeteer(page: PuppeteerPage): TestPage {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return {
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    waitFor: async (fn, timeout = 10_000) => void (await page.waitForFunction(fn, { timeout })),
    errors: async () => errors,
    close: () => page.close(),
  };
}
