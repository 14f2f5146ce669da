/**
 * `Manager` for Node: its dictionaries and lists live in this thread's broker thread, which threads
 * reach through ports and child processes through its socket.
 * @module
 */
import { Manager as BaseManager } from "../../src/remote/manager.js";
import { Broker } from "./remote/broker.js";

/**
 * Serves dictionaries and lists that any thread or child process can use through proxies (pass a
 * proxy as a task argument or a `Process` arg), like Python's `multiprocessing.Manager()`. Values
 * are structured-cloned. `shutdown()` (or `await using`) ends it; later calls fail with
 * `ShutdownError`.
 * @example
 * ```ts
 * await using manager = new Manager();
 * const totals = manager.dict<number>();
 * await Promise.all(files.map((f) => pool.submit("countWords", totals, f)));
 * console.log(await totals.entries());
 * ```
 */
export class Manager extends BaseManager {
  constructor() {
    super(() => Broker.current().managerHost());
  }
}
