// Builds the demo site with Vite into demo/web/dist/: one page per HTML file, the worker file
// bundled as a worker. `isofutures` resolves to this package (node_modules/isofutures links to the
// repository), through its "browser" export, exactly as in an app that installed it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SITE_ROOT = fileURLToPath(new URL(".", import.meta.url));
export const SITE_DIST = fileURLToPath(new URL("./dist/", import.meta.url));
/** What the site is made of (paths from the repository's root): its sources, the package's browser build, Vite. */
export const SITE_INPUTS = ["demo/web", "dist/browser", "package.json", "package-lock.json"];
/** Folders under SITE_INPUTS that are not inputs: the site's own output. */
export const SITE_OUTPUT = "demo/web/dist";

/** Builds the site; resolves with the output folder. */
export async function buildSite({ outDir = SITE_DIST, quiet = false } = {}) {
  const { build } = await import("vite");
  // Every page of the site: the HTML files at its root.
  const pages = readdirSync(SITE_ROOT).filter((f) => f.endsWith(".html"));
  await build({
    root: SITE_ROOT,
    base: "./",
    configFile: false,
    logLevel: quiet ? "error" : "warn",
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      rolldownOptions: { input: Object.fromEntries(pages.map((f) => [f.slice(0, -".html".length), join(SITE_ROOT, f)])) },
    },
  });
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildSite();
  console.log(`demo site built in ${out}`);
}
