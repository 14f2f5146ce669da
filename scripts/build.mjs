// `npm run build`: builds dist/ with rollup.config.mjs, printing each output as it is written (the
// whole build takes 10–20 s), and records what it was built from. With --if-stale (what `npm start`
// runs) it builds only when the inputs changed since the last build, or dist/ did.
import { ROOT, hashInputs, isUpToDate, recordBuild } from "./up-to-date.mjs";

/** What dist/ is made from: a changed byte in any of these rebuilds it. */
const PACKAGE_INPUTS = ["src", "platform", "types", "rollup.config.mjs", "tsconfig.json", "tsconfig.queue.json", "package.json", "package-lock.json", "scripts/build.mjs"];

const ifStale = process.argv.includes("--if-stale");
const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const inputs = hashInputs(PACKAGE_INPUTS);

if (ifStale && isUpToDate("package", inputs, "dist")) {
  console.log("build: dist/ is up to date with src/ and platform/ (`npm run build` rebuilds it anyway)");
} else {
  await build();
  recordBuild("package", inputs, "dist");
  console.log(`build: dist/ built in ${seconds(started)}`);
}

async function build() {
  process.chdir(ROOT); // the config's paths are relative to the repository
  const { rollup } = await import("rollup");
  const { loadConfigFile } = await import("rollup/loadConfigFile");
  console.log("build: building dist/ (JavaScript for Node and browsers, then the type declarations)…");
  // Warnings are left unprinted, as `rollup -c --silent` did: the known ones come from a bundled
  // dependency's compiled helpers.
  const { options } = await loadConfigFile(`${ROOT}/rollup.config.mjs`, {});
  for (const [i, config] of options.entries()) {
    const since = performance.now();
    const where = config.output.map((o) => `${o.file ?? `${o.dir}/`} (${o.file?.endsWith(".d.ts") ? "types" : o.format})`).join(", ");
    const step = `build: ${String(i + 1).padStart(2)}/${options.length} ${where}`;
    // In a terminal the step shows while it runs, and its time replaces the ellipsis when it is done.
    if (process.stdout.isTTY) process.stdout.write(`${step}…`);
    const bundle = await rollup(config);
    try {
      await Promise.all(config.output.map((output) => bundle.write(output)));
    } finally {
      await bundle.close();
    }
    console.log(`${process.stdout.isTTY ? "\r" : ""}${step} ${seconds(since)}`);
  }
}
