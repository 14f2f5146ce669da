// A plain BullMQ worker, the baseline: `add` jobs processed on the worker's own thread.
import { Worker } from "bullmq";

const [port, queue, concurrency] = process.argv.slice(2);
const worker = new Worker(queue, async (job) => job.data.a + job.data.b, {
  connection: { host: "127.0.0.1", port: Number(port), maxRetriesPerRequest: null },
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
console.log("ready");
process.on("SIGTERM", () => worker.close().then(() => process.exit(0)));
