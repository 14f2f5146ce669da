// Real bundlers build the same sample app (test-browser/apps/common): Vite, rollup, webpack 5 and
// esbuild, each in its own folder; Chromium loads each build and the app reports, for each of the
// three ways of getting task code into workers, the result it got.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
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
};

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
  it.each(["tasks", "worker", "function"])("gets results through %s", async (way) => {
    const r = await results[bundler];
    expect(r?.[way]).toBe(FIB_20);
  }, 180_000);
});
