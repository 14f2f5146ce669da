// Must NOT compile: a typed executor given a wrong argument type.
import { ThreadPoolExecutor } from "isofutures";

const pool = new ThreadPoolExecutor<typeof import("./typed-tasks.js")>();
pool.submit("fib", "thirty");
