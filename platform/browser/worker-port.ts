/**
 * The worker runtime's port inside a Web Worker (the library's own bootstrap, or a file calling
 * `serve()`): `self.postMessage` and `message` events. It holds the Web Lock the executor names in
 * `INIT` for as long as the worker lives, and says READY only once it holds it.
 * @internal
 * @module
 */
import { OP_INIT, OP_READY, type WorkerInit } from "../../src/wire/protocol.js";
import type { WorkerPort } from "../../src/worker/runtime.js";
import { web } from "./dom.js";

export function selfPort(): WorkerPort {
  let locked: Promise<void> = Promise.resolve();
  const post = (message: unknown[], transfer: readonly object[]) => web.postMessage?.(message, transfer);
  return {
    post(message, transfer) {
      if (message[0] === OP_READY) locked.then(() => post(message, transfer));
      else post(message, transfer);
    },
    onMessage(handler) {
      web.addEventListener?.("message", (event) => {
        const message = event.data as unknown[];
        if (message[0] === OP_INIT) {
          const lock = (message[1] as WorkerInit).lock;
          const locks = web.navigator?.locks;
          if (lock && locks) {
            locked = new Promise((held) => {
              void locks.request(lock, () => {
                held();
                return new Promise(() => {}); // released only when this worker ends
              });
            });
          }
        }
        handler(message);
      });
    },
    exit() {
      web.close?.();
    },
  };
}
