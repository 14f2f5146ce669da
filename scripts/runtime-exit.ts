// A program that uses a thread pool and a process pool, stops a runaway task with a timeout, and
// ends without shutdown(): idle workers must not hold it open. scripts/test-matrix.mjs runs it in
// each runtime and checks that it ends by itself, soon after its last line.
import { ProcessPoolExecutor, ThreadPoolExecutor } from "isofutures";

const tasks = new URL("../test-shared/tasks.js", import.meta.url);
const threads = new ThreadPoolExecutor({ tasks, maxWorkers: 2 });
const processes = new ProcessPoolExecutor({ tasks, maxWorkers: 1 });
const results = await Promise.all([
  threads.submit("add", 1, 2),
  processes.submit("add", 2, 3),
  threads.submitWith({ timeout: 50 }, "forever").catch((e: Error) => e.name),
  processes.submitWith({ timeout: 50 }, "forever").catch((e: Error) => e.name),
]);
console.log(JSON.stringify(results));
