// Retakes the screenshots of the demo site that the README shows (docs/images/demo-*.png): builds the
// site, serves it cross-origin isolated, drives each page in Chromium (playwright-core; Debian's
// chromium, or CHROMIUM_PATH) until it has done what it shows, and prints each page's status line,
// whose figures the README's captions quote. Run it on an otherwise idle machine: the speedup
// figures are real. `npm run build` first.
//   node demo/screenshots.mjs                  every page
//   node demo/screenshots.mjs timeline speedup  only these (fractal, speedup, shared, timeline, timeline-phone, processes, platform)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { buildSite } from "./web/build.mjs";
import { serve } from "./web/server.mjs";

const IMAGES = fileURLToPath(new URL("../docs/images/", import.meta.url));
const CHROMIUMS = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome"];

/** Waits until the page's #status has one of these data-state values; returns its text. */
async function settled(page, states, timeout = 180_000) {
  await page.waitForFunction((s) => s.includes(document.getElementById("status")?.dataset.state ?? ""), states, { timeout });
  return page.textContent("#status");
}

/** What to do on each page before its picture is taken. */
const PAGES = [
  ["fractal", { width: 1200, height: 900 }, async (page) => {
    await settled(page, ["done"]);
    await page.check("#show-workers"); // the overlay of which worker drew what, and its legend
    return page.textContent("#status");
  }],
  ["speedup", { width: 1200, height: 900 }, async (page) => {
    await page.fill("#repeats", "5");
    await page.click("#run");
    return settled(page, ["done"]);
  }],
  ["shared", { width: 1200, height: 900 }, async (page) => {
    await page.click("#run");
    return settled(page, ["done"]);
  }],
  ["timeline", { width: 1200, height: 900 }, (page) => settled(page, ["done"])],
  ["timeline-phone", { width: 375, height: 800 }, (page) => settled(page, ["done"])],
  ["processes", { width: 1200, height: 900 }, async (page) => {
    await page.click("#run");
    return settled(page, ["done"]);
  }],
  ["platform", { width: 1200, height: 900 }, (page) => settled(page, ["done"])],
];

const executablePath = CHROMIUMS.find((p) => p && existsSync(p));
if (!executablePath) throw new Error("no Chromium found: install Debian's (apt-get install -y chromium), or set CHROMIUM_PATH");
const site = mkdtempSync(join(tmpdir(), "isofutures-site-"));
const server = await serve({ root: await buildSite({ outDir: site, quiet: true }), isolated: true });
// The flags this kind of machine needs (no sandbox as root, no GPU); the same as the browser tests'.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
});
try {
  const wanted = process.argv.slice(2);
  for (const [name, viewport, act] of PAGES.filter(([name]) => wanted.length === 0 || wanted.includes(name))) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${server.url}/${name.replace(/-phone$/, "")}.html`);
    const status = await act(page);
    const file = join(IMAGES, `demo-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}\n  ${status}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(site, { recursive: true, force: true });
}
