import { spawn } from "node:child_process";
import { QueueExecutor } from "isofutures/bullmq";
const port = 40000 + Math.floor(Math.random() * 1000);
const redis = spawn("/usr/bin/redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 300));
const url = `redis://127.0.0.1:${port}`;
const extra = process.argv.slice(2);
const w = spawn(process.execPath, ["dist/node/cli.js", "worker", "--redis", url, "--queue", "q", "--tasks", "bench/queue/tasks.mjs", "--threads", "2", ...extra], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((r) => w.stdout.once("data", r));
const ex = new QueueExecutor({ connection: url, queue: "q" });
try {
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => ex.submit("add", i, 1)));
    console.log(extra.join(" "), "rep", rep, Math.round(1000 / ((performance.now() - t0) / 1000)), "tasks/s");
  }
} finally {
  await ex.shutdown();
  w.kill(); redis.kill();
}
