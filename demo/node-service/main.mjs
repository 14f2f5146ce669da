// `npm run demo:service`: starts the service on 127.0.0.1 and prints its URL. SIGTERM or SIGINT
// (Ctrl-C) shuts it down gracefully; a second one stops it at once.
import { USAGE, UsageError, parseFlags } from "./flags.mjs";
import { createService } from "./service.mjs";

let flags;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`error: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const service = createService(flags.service);
const { executor, workers, maxQueue, capacity, timeout } = service.config;
const where = { inline: "inline, on the event loop", thread: `on a ThreadPoolExecutor of ${workers} worker threads`, process: `on a ProcessPoolExecutor of ${workers} child processes` }[executor];
let url;
try {
  url = await service.listen(flags.port, flags.host);
} catch (error) {
  const hint = error.code === "EADDRINUSE" ? " (pass --port 0 for any free port)" : "";
  console.error(`error: cannot listen on ${flags.host}:${flags.port}: ${error.message}${hint}`);
  await service.terminate();
  process.exit(1);
}
// Start the workers before announcing the URL, so the first requests do not pay for it.
await Promise.all(Array.from({ length: workers }, () => service.executor.submit("whereAmI")));

console.log(`isofutures service: heavy work ${where}; queue bound ${maxQueue} (503 past ${capacity} heavy requests in progress); task time limit ${timeout} ms`);
console.log(`listening on ${url}`);
console.log(`  curl ${url}/health
  curl -X POST ${url}/hash -d '{"password":"correct horse battery staple"}'
  curl -o tile.png ${url}/tile/2/1/1.png?iter=1000
  curl ${url}/stats      # counts, and pool.timings: how long recent tasks waited for a worker and ran`);

let signals = 0;
const stop = async (signal) => {
  if (++signals > 1) {
    console.log(`${signal} again: stopping now`);
    await service.terminate();
    process.exit(1);
  }
  const n = service.stats().inFlight;
  console.log(`${signal}: shutting down (${n} request${n === 1 ? "" : "s"} in progress; new ones get 503)`);
  await service.close();
  console.log("stopped");
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
