/**
 * Web Workers for a `Process`, which starts its worker at once (`start()`), maybe before the code
 * that spawns workers has loaded (web-worker.ts): the worker is then started as soon as it has.
 * @internal
 * @module
 */
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/pool/endpoint.js";
import { webWorkerFactory, type Spawn } from "./web-worker.js";
import { nextThreadId } from "./thread-ids.js";

/** A factory of one Process's Web Worker. */
export function processWorkerFactory(resolveModule: (spec: string | URL) => string): WorkerFactory {
  return webWorkerFactory({}, resolveModule, deferred);
}

/**
 * A worker asked for before its code has loaded: started once it has. Messages sent meanwhile are
 * copied at once (what they transfer moves now, and what cannot be sent throws now, as a post
 * would) and sent when the worker exists.
 */
function deferred(loading: Promise<Spawn>, request: SpawnRequest, events: EndpointEvents): Endpoint {
  const threadId = nextThreadId();
  const queue: { m: unknown[]; t: object[] }[] = [];
  let inner: Endpoint | undefined;
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    queueMicrotask(() => events.exit(error === undefined ? {} : { error }));
  };
  loading.then(
    (spawn) => {
      if (ended) return;
      try {
        inner = spawn(request, events, threadId);
        for (const { m, t } of queue.splice(0)) inner.post(m, t);
      } catch (error) {
        inner?.terminate();
        end(error);
      }
    },
    (error: unknown) => end(new Error(`the worker's code could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
  );
  return {
    post(message, transfer) {
      if (inner) return inner.post(message, transfer);
      // The list moves inside the copy: its entries are then the copy's own buffers and ports.
      queue.push(structuredClone({ m: message, t: [...transfer] }, { transfer: transfer as never }));
    },
    terminate() {
      if (inner) return inner.terminate();
      end();
    },
    setBusy() {},
    threadId,
  };
}
