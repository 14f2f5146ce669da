// Must NOT compile: a typed executor given a task name its tasks module does not export.
import { ThreadPoolExecutor } from "isofutures";

const pool = new ThreadPoolExecutor<typeof import("./typed-tasks.js")>();
pool.submit("fibb", 1);
