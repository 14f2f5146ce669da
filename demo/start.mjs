// `npm start`: builds the demo site and serves it on 127.0.0.1 with the cross-origin isolation
// headers; `npm start -- --node` runs the Node demo instead.
//   --port N          port to listen on (default 8080, or $PORT; the next free one if taken)
//   --no-isolation    serve without COOP/COEP, to see what pages do without shared memory
//   --node            run the Node demo (a Mandelbrot render, serial vs pool, in the terminal)
import { existsSync } from "node:fs";

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
  const { buildSite, SITE_DIST } = await import("./web/build.mjs");
  const { serve } = await import("./web/server.mjs");
  console.log("Building the demo site…");
  await buildSite({ quiet: true });
  if (!existsSync(`${SITE_DIST}/index.html`)) throw new Error(`the build left no ${SITE_DIST}index.html`);
  const server = await listen(serve, SITE_DIST, wanted, isolated);
  console.log(`\n  isofutures demo: ${server.url}/\n`);
  console.log(isolated ? "  Cross-origin isolated (COOP/COEP headers sent): the shared-memory page works." : "  Served WITHOUT cross-origin isolation (--no-isolation): the shared-memory page explains why it cannot run.");
  console.log("  Ctrl-C stops the server. `npm start -- --node` runs the Node demo instead.\n");
  const stop = () => server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Listens on `port`, or on the next free one of the ten after it. */
async function listen(serve, root, port, isolated) {
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
