// `npm start`: builds the demo site (when its sources or the package changed since the last build)
// and serves it on 127.0.0.1 with the cross-origin isolation headers; `npm start -- --node` runs the
// Node demo instead. The package itself is built before (scripts/build.mjs --if-stale).
//   --port N          port to listen on (default 8080, or $PORT; the next free one if taken)
//   --no-isolation    serve without COOP/COEP, to see what pages do without shared memory
//   --node            run the Node demo (a Mandelbrot render, serial vs pool, in the terminal)
import { existsSync } from "node:fs";
import { hashInputs, isUpToDate, recordBuild } from "../scripts/up-to-date.mjs";
import { SITE_DIST, SITE_INPUTS, SITE_OUTPUT, buildSite } from "./web/build.mjs";
import { serve } from "./web/server.mjs";

const args = process.argv.slice(2);
const known = new Set(["--node", "--no-isolation", "--port", "--help"]);
for (let i = 0; i < args.length; i++) {
  if (!known.has(args[i])) usage(`unknown option ${JSON.stringify(args[i])}`);
  if (args[i] === "--port") i++;
}
if (args.includes("--help")) usage();

if (args.includes("--node")) {
  await import("./node/demo.mjs");
} else {
  const at = args.indexOf("--port");
  const wanted = at >= 0 ? Number(args[at + 1]) : Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) usage(`--port needs a port number (0–65535), got ${JSON.stringify(at >= 0 ? args[at + 1] : process.env.PORT)}`);
  const isolated = !args.includes("--no-isolation");
  await buildSiteIfStale();
  const server = await listen(SITE_DIST, wanted, isolated);
  console.log(`\n  isofutures demo: ${server.url}/\n`);
  console.log(isolated ? "  Cross-origin isolated (COOP/COEP headers sent): the shared-memory page works." : "  Served WITHOUT cross-origin isolation (--no-isolation): the shared-memory page explains why it cannot run.");
  console.log("  Ctrl-C stops the server. `npm start -- --node` runs the Node demo instead.\n");
  const stop = () => server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Builds the site with Vite unless demo/web/dist/ was built from these very sources and package. */
async function buildSiteIfStale() {
  const inputs = hashInputs(SITE_INPUTS, [SITE_OUTPUT]);
  if (isUpToDate("demo-site", inputs, SITE_OUTPUT)) {
    console.log("demo: the site in demo/web/dist/ is up to date with its sources and dist/browser/");
    return;
  }
  console.log("demo: building the site with Vite…");
  const started = performance.now();
  await buildSite({ quiet: true });
  if (!existsSync(`${SITE_DIST}/index.html`)) throw new Error(`the build left no ${SITE_DIST}index.html`);
  recordBuild("demo-site", inputs, SITE_OUTPUT);
  console.log(`demo: site built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Listens on `port`, or on the next free one of the ten after it. */
async function listen(root, port, isolated) {
  for (let p = port; ; p++) {
    try {
      return await serve({ root, isolated, port: p });
    } catch (e) {
      if (e.code !== "EADDRINUSE" || port === 0 || p >= port + 10) throw e;
      console.log(`  port ${p} is taken, trying ${p + 1}`);
    }
  }
}

function usage(problem) {
  if (problem) console.error(`npm start: ${problem}\n`);
  (problem ? console.error : console.log)("usage: npm start [-- --port N] [-- --no-isolation] [-- --node]");
  process.exit(problem ? 2 : 0);
}
