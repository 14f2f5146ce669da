// The demo site (demo/web), built by its own build script and served by its own server, driven in
// Chromium like a visitor would: every page loads without console errors and does what it shows.
// Screenshots of each page go to test-browser/screenshots/ (git-ignored) for a person to look at.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch } from "./chromium.js";
import { buildSite } from "../demo/web/build.mjs";
import { serve, type StaticServer as Server } from "./server.js";

const OUT = new URL(".build/demo/", import.meta.url).pathname;
const SHOTS = new URL("screenshots/", import.meta.url).pathname;
let browser: Browser;
let isolated: Server;
let plain: Server;
let cores = 1;

interface Visit {
  page: Page;
  /** Console errors and uncaught exceptions so far. */
  problems: string[];
}

async function visit(server: Server, path: string, viewport = { width: 1200, height: 900 }): Promise<Visit> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${String(e)}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) problems.push(`external request: ${r.url()}`);
  });
  await page.goto(`${server.url}/${path}`);
  return { page, problems };
}

/** What else #status must show: a data-* value equal to a string, or different from `{ not }`. */
type StatusMatch = Record<string, string | { not: string }>;

/** Waits until #status has one of these data-state values (and matches `where`); returns it. */
async function settled(page: Page, states: string[], { timeout = 60_000, where = {} }: { timeout?: number; where?: StatusMatch } = {}): Promise<string> {
  await page.waitForFunction(
    ([s, w]) => {
      const data = document.getElementById("status")?.dataset;
      return s.includes(data?.state ?? "") && Object.entries(w).every(([key, want]) => (typeof want === "string" ? data?.[key] === want : data?.[key] !== want.not));
    },
    [states, where] as const,
    { timeout },
  );
  return page.evaluate(() => document.getElementById("status")!.dataset.state!);
}

async function statusData(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => ({ ...document.getElementById("status")!.dataset, text: document.getElementById("status")!.textContent ?? "" }) as Record<string, string>);
}

/** SHA-256 of a canvas's pixels, computed here, not by the page. */
function canvasHash(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const c = document.getElementById("canvas") as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    const digest = await crypto.subtle.digest("SHA-256", data);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  });
}

/** How many distinct colours a canvas shows (a blank or one-colour picture has 1). */
function colourCount(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.getElementById("canvas") as HTMLCanvasElement;
    const d = new Uint32Array(c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data.buffer);
    return new Set(d).size;
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

async function finish(v: Visit): Promise<void> {
  await v.page.close();
  expect(v.problems).toEqual([]);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await buildSite({ outDir: OUT, quiet: true });
  browser = await launch();
  isolated = await serve({ root: OUT, isolated: true });
  plain = await serve({ root: OUT, isolated: false });
  const probe = await browser.newPage();
  cores = await probe.evaluate(() => navigator.hardwareConcurrency || 1);
  await probe.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe("demo site", () => {
  it("the overview links every page, with no console errors", async () => {
    const v = await visit(isolated, "index.html");
    const links = await v.page.$$eval("header nav a", (as) => as.map((a) => a.getAttribute("href")));
    expect(links).toEqual(["index.html", "fractal.html", "speedup.html", "shared.html", "timeline.html", "processes.html", "platform.html"]);
    expect(await v.page.$$eval(".card", (cs) => cs.length)).toBe(6);
    await shot(v.page, "overview");
    await finish(v);
  });

  it("fractal explorer: the picture drawn by N workers is pixel-identical to the 1-worker one", async () => {
    const v = await visit(isolated, "fractal.html");
    const n = Math.min(cores, 4);
    // The first render uses every core; pick N explicitly.
    await settled(v.page, ["done"]);
    await shot(v.page, "fractal");
    await v.page.check("#show-workers");
    await v.page.selectOption("#workers", String(n));
    await settled(v.page, ["done"], { where: { workers: String(n) } });
    const many = await statusData(v.page);
    const manyHash = await canvasHash(v.page);
    expect(Number(many.workersUsed)).toBe(n); // every worker drew tiles
    expect(await colourCount(v.page)).toBeGreaterThan(50);
    // The legend of the overlay's colours: one entry per worker, its tiles adding up to the picture's.
    expect(await v.page.isVisible("#legend")).toBe(true);
    const legend = await v.page.$$eval("#legend li", (items) =>
      items.map((li) => ({ text: li.textContent ?? "", colour: getComputedStyle(li.querySelector(".swatch")!).backgroundColor })),
    );
    expect(legend.map((l) => l.text.replace(/ · .*/, ""))).toEqual(Array.from({ length: n }, (_, i) => `worker ${i + 1}`));
    expect(new Set(legend.map((l) => l.colour)).size).toBe(n);
    const tiles = legend.reduce((sum, l) => sum + Number(/· (\d+) tiles?$/.exec(l.text)![1]), 0);
    expect(String(tiles)).toBe(many.text.match(/^(\d+) tiles/)![1]);
    await shot(v.page, "fractal-workers");
    await v.page.uncheck("#show-workers");
    expect(await v.page.isHidden("#legend")).toBe(true);

    await v.page.selectOption("#workers", "1");
    await settled(v.page, ["done"], { where: { workers: "1" } });
    const one = await statusData(v.page);
    expect(one.workersUsed).toBe("1");
    expect(await canvasHash(v.page)).toBe(manyHash);
    expect(one.fingerprint).toBe(many.fingerprint);
    // Each render is listed.
    expect(await v.page.$$eval("#history tr", (rows) => rows.length)).toBeGreaterThanOrEqual(3);

    // Zooming in draws a different picture.
    await v.page.click("#overlay", { position: { x: 300, y: 250 } });
    await settled(v.page, ["done"], { where: { fingerprint: { not: one.fingerprint! } } });
    expect(await canvasHash(v.page)).not.toBe(manyHash);
    await finish(v);
  }, 120_000);

  it("fractal explorer: each worker count keeps its warm pool, and 2 workers render no slower than 1", async () => {
    const v = await visit(isolated, "fractal.html");
    await settled(v.page, ["done"]);
    const counts = cores >= 2 ? ["1", "2"] : ["1"];
    /** Selects (or re-renders with) `workers`; resolves with the render's status. */
    const render = async (workers: string) => {
      const before = Number((await statusData(v.page)).renders);
      if ((await v.page.$eval("#workers", (s) => (s as HTMLSelectElement).value)) === workers) await v.page.click("#render");
      else await v.page.selectOption("#workers", workers);
      await settled(v.page, ["done"], { where: { renders: String(before + 1) } });
      return statusData(v.page);
    };
    const names = new Map<string, string>();
    const best = new Map<string, number>();
    for (let round = 0; round < 2; round++) {
      for (const n of counts) {
        const done = await render(n);
        expect(done.workers).toBe(n);
        // The same workers as the first time this count was chosen: its pool was kept, not remade.
        if (!names.has(n)) names.set(n, done.workerNames!);
        expect(done.workerNames).toBe(names.get(n));
        best.set(n, Math.min(best.get(n) ?? Infinity, Number(done.time)));
      }
    }
    // Timing on a shared machine: a generous bound. Warm pools on both sides, so 2 workers must not
    // come out slower than 1 (they are about twice as fast on an idle 2-core machine).
    if (cores >= 2) expect(best.get("2")!).toBeLessThan(best.get("1")! * 1.5);
    await finish(v);
  }, 120_000);

  it("speedup: one point per worker count, in both charts, and the same picture each time", async () => {
    const v = await visit(isolated, "speedup.html");
    const max = Math.min(cores, 4);
    await v.page.fill("#max-workers", String(max));
    await v.page.fill("#repeats", "1");
    await v.page.click("#run");
    expect(await settled(v.page, ["done", "error"], { timeout: 120_000 })).toBe("done");
    const points = await v.page.$$eval("#speedup-chart .series-speedup circle.point", (cs) => cs.map((c) => Number(c.getAttribute("data-x"))));
    expect(points).toEqual(Array.from({ length: max }, (_, i) => i + 1));
    expect(await v.page.$$eval("#time-chart circle.point", (cs) => cs.length)).toBe(max);
    const first = await v.page.$eval('#speedup-chart .series-speedup circle.point[data-x="1"]', (c) => Number(c.getAttribute("data-y")));
    expect(first).toBe(1);
    // The ideal line, axes and labels are drawn.
    expect(await v.page.$$eval("#speedup-chart .series-ideal polyline", (ls) => ls.length)).toBe(max > 1 ? 1 : 0);
    expect(await v.page.$eval("#speedup-chart", (s) => s.textContent)).toContain("workers");
    const same = await v.page.$$eval("#results tr", (rows) => rows.map((r) => r.cells[4]!.textContent));
    expect(same).toEqual(Array.from({ length: max }, () => "yes"));
    await shot(v.page, "speedup");
    await finish(v);
  }, 180_000);

  it("shared memory: N workers and a Barrier paint the same picture as one worker; Stop frees them", async () => {
    const v = await visit(isolated, "shared.html");
    expect(await v.page.isHidden("#unsupported")).toBe(true);
    const n = Math.min(cores, 4);
    await v.page.selectOption("#workers", String(n));
    await v.page.click("#run");
    expect(await settled(v.page, ["done", "error", "stopped"])).toBe("done");
    const many = await statusData(v.page);
    expect(await v.page.$$eval(".passes progress", (ps) => ps.map((p) => (p as HTMLProgressElement).value))).toEqual([1, 1, 1]);
    expect(await colourCount(v.page)).toBeGreaterThan(50);
    await shot(v.page, "shared");

    await v.page.selectOption("#workers", "1");
    await v.page.click("#run");
    expect(await settled(v.page, ["done", "error", "stopped"])).toBe("done");
    expect((await statusData(v.page)).fingerprint).toBe(many.fingerprint);

    // Pause, then stop: the workers leave the barrier and the pause, and the next run works.
    await v.page.selectOption("#workers", String(n));
    await v.page.fill("#iterations", "20000");
    await v.page.click("#run");
    await v.page.waitForFunction(() => (document.getElementById("pass1") as HTMLProgressElement).value > 0, null, { timeout: 30_000 });
    await v.page.click("#pause");
    expect(await settled(v.page, ["paused"], { timeout: 5_000 })).toBe("paused");
    expect((await statusData(v.page)).text).toMatch(/^Paused: /);
    expect(await v.page.textContent("#pause")).toBe("Resume");
    await v.page.click("#pause");
    expect(await settled(v.page, ["running"], { timeout: 5_000 })).toBe("running");
    expect((await statusData(v.page)).text).toMatch(/^Running on /);
    await v.page.click("#pause");
    await v.page.click("#stop");
    expect(await settled(v.page, ["done", "error", "stopped"])).toBe("stopped");
    await v.page.fill("#iterations", "500");
    await v.page.click("#run");
    expect(await settled(v.page, ["done", "error", "stopped"])).toBe("done");
    await finish(v);
  }, 120_000);

  it("shared memory without cross-origin isolation explains why, with the library's error", async () => {
    const v = await visit(plain, "shared.html");
    expect(await settled(v.page, ["unsupported", "done", "error"])).toBe("unsupported");
    expect(await v.page.isVisible("#unsupported")).toBe(true);
    expect(await v.page.textContent("#unsupported-error")).toMatch(/^UnsupportedError: .*cross-origin isolat/);
    expect(await v.page.isDisabled("#run")).toBe(true);
    await shot(v.page, "shared-not-isolated");
    await finish(v);
  });

  it("futures timeline: each kind of task ends as it should; wait and asCompleted are marked", async () => {
    const v = await visit(isolated, "timeline.html");
    expect(await settled(v.page, ["done", "error"])).toBe("done");
    const states = await v.page.$$eval("#rows tr", (rows) => Object.fromEntries(rows.map((r) => [r.dataset.task, [r.dataset.state, r.cells[3]!.textContent]])));
    expect(states).toEqual({
      "fast-1": ["ok", "→ 150"],
      slow: ["ok", expect.stringMatching(/^→ \d+$/)],
      "fast-2": ["ok", "→ 200"],
      failing: ["failed", "RangeError: no such pixel"],
      "timed-out": ["failed", expect.stringMatching(/^TimeoutError: /)],
      cancelled: ["cancelled", "cancelled"],
      aborted: ["failed", "AbortError: the user gave up"],
      "fast-3": ["ok", "→ 100"],
    });
    const markers = await v.page.$$eval("#timeline [data-marker]", (ms) => ms.map((m) => m.getAttribute("data-marker")));
    expect(markers.sort()).toEqual(["wait(ALL_COMPLETED)", "wait(FIRST_COMPLETED)", "wait(FIRST_EXCEPTION)"]);
    const order = await v.page.$$eval("#timeline .order-n", (ns) => ns.map((n) => Number(n.textContent)).sort((a, b) => a - b));
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The drawing agrees with the table.
    const drawn = await v.page.$$eval("#timeline g.track", (gs) => gs.map((g) => g.getAttribute("data-state")));
    expect(drawn).toEqual(["ok", "ok", "ok", "failed", "failed", "cancelled", "failed", "ok"]);
    await shot(v.page, "timeline");
    await finish(v);
  }, 60_000);

  it("at phone width (375 px) no page is wider than the screen, and the timeline keeps its text readable", async () => {
    const phone = { width: 375, height: 800 };
    for (const [path, waitFor] of [["index.html"], ["fractal.html", "done"], ["speedup.html"], ["shared.html"], ["timeline.html", "done"], ["platform.html", "done"]] as const) {
      const v = await visit(isolated, path, phone);
      if (waitFor) await settled(v.page, [waitFor]);
      const width = await v.page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(phone.width);
      if (path === "timeline.html") {
        // The drawing is not shrunk to fit: its task names are as tall as text elsewhere.
        const label = await v.page.$eval("#timeline g.track text", (t) => t.getBoundingClientRect().height);
        expect(label).toBeGreaterThanOrEqual(10);
        // The table fits too (each task a card, no scrolling sideways), and says everything.
        expect(await v.page.$eval("#timeline-table", (t) => t.scrollWidth <= t.clientWidth)).toBe(true);
        expect(await v.page.$$eval("#rows tr", (rows) => rows.length)).toBe(8);
        await shot(v.page, "timeline-phone");
      }
      await finish(v);
    }
  }, 120_000);

  it("platform panel: platformInfo(), the cores and the isolation status, and live figures", async () => {
    for (const [server, isolation] of [[isolated, "true"], [plain, "false"]] as const) {
      const v = await visit(server, "platform.html");
      expect(await settled(v.page, ["done", "error"])).toBe("done");
      const value = (key: string) => v.page.$eval(`td[data-key="${key}"]`, (td) => td.firstChild?.textContent ?? "");
      expect(await value("runtime")).toBe("browser");
      expect(await value("cpuCount")).toBe(String(cores));
      expect(await value("sharedMemory")).toBe(isolation);
      expect(await value("crossOriginIsolated")).toBe(isolation);
      expect(await value("throughput")).toMatch(/^[\d,]+ tasks\/s$/);
      if (isolation === "true") await shot(v.page, "platform");
      await finish(v);
    }
  }, 60_000);
});
