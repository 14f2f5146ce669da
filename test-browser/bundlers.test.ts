// Real bundlers build the same sample app (test-browser/apps/common): Vite, rollup, webpack 5 and
// esbuild (with and without code splitting), each in its own folder; Chromium loads each build, served
// from that folder alone, and the app reports, for each of the three ways of getting task code into
// workers, for a map and for a shared object coming back from one, the result it got. The package's
// later parts (the scheduler, the worker's bootstrap, map's iteration) must be files the bundler
// emitted, not in the app's entry.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launch } from "./chromium.js";
import { serve, type StaticServer } from "./server.js";

const APP = new URL("apps/common/", import.meta.url).pathname;
const BUILD = new URL(".build/apps/", import.meta.url).pathname;
const FIB_20 = 6765;

function fresh(name: string): string {
  const dir = join(BUILD, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Rollup and esbuild do not follow `new URL(file, import.meta.url)`: the app builds its worker file
// as a second entry point, and copies its tasks module beside the bundle.
function copyAppFiles(out: string, files: string[]): void {
  for (const f of files) copyFileSync(join(APP, f), join(out, f));
}

const BUILDERS: Record<string, (out: string) => Promise<void>> = {
  async vite(out) {
    const { build } = await import("vite");
    await build({ root: APP, base: "./", configFile: false, logLevel: "error", build: { outDir: out, emptyOutDir: true } });
  },
  async webpack(out) {
    const { default: webpack } = await import("webpack");
    await new Promise<void>((resolve, reject) => {
      webpack(
        {
          mode: "production",
          context: APP,
          entry: "./main.js",
          output: { path: out, filename: "main.js" },
          target: "web",
          devtool: false,
        },
        (error, stats) => {
          if (error) reject(error);
          else if (stats?.hasErrors()) reject(new Error(stats.toString("errors-only")));
          else resolve();
        },
      );
    });
    copyAppFiles(out, ["index.html"]);
  },
  async rollup(out) {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const bundle = await rollup({
      input: { main: join(APP, "main.js"), "tasks.worker": join(APP, "tasks.worker.js") },
      plugins: [nodeResolve({ browser: true })],
      onwarn: () => {},
    });
    await bundle.write({ dir: out, format: "es", entryFileNames: "[name].js" });
    await bundle.close();
    copyAppFiles(out, ["index.html", "tasks.js"]);
  },
  async esbuild(out) {
    const { build } = await import("esbuild");
    await build({
      entryPoints: { main: join(APP, "main.js"), "tasks.worker": join(APP, "tasks.worker.js") },
      bundle: true,
      format: "esm",
      platform: "browser",
      outdir: out,
      logLevel: "error",
    });
    copyAppFiles(out, ["index.html", "tasks.js"]);
  },
  // The same with code splitting: what the package loads later becomes chunks of the app.
  async "esbuild --splitting"(out) {
    const { build } = await import("esbuild");
    await build({
      entryPoints: { main: join(APP, "main.js"), "tasks.worker": join(APP, "tasks.worker.js") },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      outdir: out,
      logLevel: "error",
    });
    copyAppFiles(out, ["index.html", "tasks.js"]);
  },
};

/** Bundlers that split: the app's entry file, and the text of every script of the build. */
const SPLITTING = ["vite", "webpack", "rollup", "esbuild --splitting"];

function scripts(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".js")) found.set(join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), "utf8"));
  }
  return found;
}

function entryScript(bundler: string, dir: string): string {
  if (bundler !== "vite") return join(dir, "main.js");
  const src = /<script type="module"[^>]*src="\.\/([^"]+)"/.exec(readFileSync(join(dir, "index.html"), "utf8"))?.[1];
  if (!src) throw new Error("the vite build's index.html names no module script");
  return join(dir, src);
}

// Text only the scheduler (lifecycle.ts), only the worker's bootstrap (definitions.ts) and only map's
// iteration (map.ts) hold.
const SCHEDULER_MARK = "a worker could not be started";
const BOOTSTRAP_MARK = "unknown function definition kind";
const MAP_MARK = "the tasks not started were cancelled";

let browser: Browser;
let server: StaticServer;
const results: Record<string, Promise<Record<string, unknown>>> = {};

beforeAll(async () => {
  browser = await launch();
  server = await serve({ root: BUILD, isolated: false });
  for (const [name, builder] of Object.entries(BUILDERS)) {
    results[name] = (async () => {
      await builder(fresh(name));
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${server.url}/${name}/index.html`);
      await page.waitForFunction(() => document.body?.dataset.results !== undefined, null, { timeout: 30_000 }).catch(() => {});
      const text = await page.evaluate(() => document.body?.dataset.results ?? null);
      await page.close();
      if (text === null) throw new Error(`the ${name} build did not report (page errors: ${errors.join("; ") || "none"})`);
      return JSON.parse(text) as Record<string, unknown>;
    })();
    results[name].catch(() => {});
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each(Object.keys(BUILDERS))("an app bundled by %s", (bundler) => {
  it.each(["tasks", "worker", "function", "map", "shared"])("gets results through %s", async (way) => {
    const r = await results[bundler];
    expect(r?.[way]).toBe(FIB_20);
  }, 180_000);

  it.runIf(SPLITTING.includes(bundler))("keeps the scheduler, the worker's bootstrap and map's iteration out of the app's entry, in files of the build", async () => {
    await results[bundler];
    const dir = join(BUILD, bundler);
    const all = scripts(dir);
    const entry = all.get(entryScript(bundler, dir));
    expect(entry).toBeDefined();
    for (const mark of [SCHEDULER_MARK, BOOTSTRAP_MARK, MAP_MARK]) {
      expect(entry).not.toContain(mark);
      expect([...all.values()].some((text) => text.includes(mark))).toBe(true);
    }
  }, 180_000);
});
