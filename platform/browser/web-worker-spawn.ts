/**
 * The Web Worker adapter's spawning half: one module Web Worker as an {@link Endpoint}. It comes in
 * a chunk of its own with the scheduler (thread-engine.ts), so an app's main bundle does not carry it.
 *
 * Web Workers report no exit: a worker that calls `close()` or is ended by the browser just goes
 * quiet. Each worker therefore holds a Web Lock for as long as it lives; once it is READY, the
 * executor asks for the same lock, and getting it means the worker is gone. Where Web Locks are
 * missing (insecure contexts), such a death goes unnoticed: its tasks time out only if a `timeout`
 * was given.
 * @internal
 * @module
 */
import type { Endpoint, EndpointEvents, SpawnRequest } from "../../src/pool/endpoint.js";
import { UnsupportedError } from "../../src/futures/errors.js";
import { OP_CLOSE, OP_INIT, OP_READY, type WorkerInit } from "../../src/wire/protocol.js";
import type { threadsProtocol } from "../../src/pool/threads-protocol.js";
import { web, type WebWorker, type WebWorkerOptions } from "./dom.js";
import type { BrowserThreadOptions, Spawn } from "./web-worker.js";
import { nextThreadId } from "./thread-ids.js";

// The front this chunk shares with the app comes as one file (front.ts).
export { FRONT } from "./front.js";

/** What was loaded beside this module: the bootstrap's source (no `worker` option), the threads.js translator (its protocol). */
export interface SpawnExtras {
  bootstrap?: string | undefined;
  threads?: typeof threadsProtocol | undefined;
}

let bootstrapUrl: string | undefined;

function bootstrap(source: string): string {
  const { Blob } = web;
  const create = web.URL.createObjectURL;
  if (!Blob || !create) throw new UnsupportedError("this environment cannot make Blob URLs for the worker bootstrap; use the worker option with serve()");
  bootstrapUrl ??= create(new Blob([source], { type: "text/javascript" }));
  return bootstrapUrl;
}

/** Starts one worker for a thread pool with these options. */
export function webWorkerSpawner(options: BrowserThreadOptions, extras: SpawnExtras): Spawn {
  const id = Math.random().toString(36).slice(2);
  return (request: SpawnRequest, events: EndpointEvents, threadId = nextThreadId()) => {
    const Worker = web.Worker;
    if (!Worker) throw new UnsupportedError("this environment has no Web Workers; use InlineExecutor");
    let worker: WebWorker;
    let source: string;
    if (options.worker && options.protocol === "threads.js") {
      // A foreign worker holds no lock of ours and may report errors and go on: no death watch.
      const translator = (extras.threads as typeof threadsProtocol)(events);
      return translator.attach(wrapForeign(madeBy(options.worker).worker, translator.events, threadId));
    }
    if (options.worker) {
      const made = madeBy(options.worker);
      worker = made.worker;
      source = `the worker made by the worker option${made.url ? ` (${made.url})` : ""}`;
    } else {
      worker = new Worker(bootstrap(extras.bootstrap as string), { ...options.workerOptions, type: "module", name: request.name });
      source = `worker "${request.name}" (the isofutures bootstrap, a blob: URL: a Content-Security-Policy must allow worker-src blob:)`;
    }
    return wrap(worker, events, `isofutures-${id}-${request.index}`, source, threadId);
  };
}

// Calls the user's worker factory with the global Worker briefly wrapped, to learn the script's URL
// for error messages (Web Workers do not expose it).
function madeBy(factory: () => WebWorker): { worker: WebWorker; url?: string } {
  const Original = web.Worker;
  let url: string | undefined;
  if (Original) {
    web.Worker = class extends (Original as unknown as new (u: string | URL, o?: WebWorkerOptions) => object) {
      constructor(u: string | URL, o?: WebWorkerOptions) {
        super(u, o);
        url = String(u);
      }
    } as unknown as typeof Original;
  }
  try {
    const worker = factory();
    if (typeof worker?.postMessage !== "function") {
      throw new TypeError("the worker option must be a function returning a new Worker (whose script calls serve())");
    }
    return url === undefined ? { worker } : { worker, url };
  } finally {
    if (Original) web.Worker = Original;
  }
}

function wrapForeign(worker: WebWorker, events: EndpointEvents, threadId: number): Endpoint {
  let gone = false;
  worker.addEventListener("message", (event) => events.message(event.data as unknown[]));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate() {
      worker.terminate();
      if (!gone) {
        gone = true;
        queueMicrotask(() => events.exit({}));
      }
    },
    setBusy() {},
    threadId,
  };
}

function wrap(worker: WebWorker, events: EndpointEvents, lock: string, source: string, threadId: number): Endpoint {
  let ready = false;
  let gone = false;
  const exit = (error?: unknown) => {
    if (gone) return;
    gone = true;
    events.exit({ error });
  };
  worker.addEventListener("message", (event) => {
    const message = event.data as unknown[];
    if (message[0] === OP_READY && !ready) {
      ready = true;
      void web.navigator?.locks?.request(lock, () => exit(new Error("it called close(), or the browser ended it")));
    }
    events.message(message);
  });
  worker.addEventListener("error", (event) => {
    if (ready) return; // an uncaught error in a running worker is the task's business; it goes on
    event.preventDefault?.();
    const where = event.filename ? ` (${event.filename})` : "";
    worker.terminate();
    exit(new Error(`${source} failed to load${where}: ${event.message || "the script could not be fetched or parsed; see the browser console for its URL and error"}`));
  });
  return {
    post(message, transfer) {
      if (message[0] === OP_CLOSE) {
        // Only idle workers are closed: ending one from here is immediate and loses nothing.
        worker.terminate();
        queueMicrotask(() => exit());
        return;
      }
      if (message[0] === OP_INIT) message = [OP_INIT, { ...(message[1] as WorkerInit), lock }];
      worker.postMessage(message, transfer);
    },
    terminate() {
      worker.terminate();
      queueMicrotask(() => exit());
    },
    setBusy() {},
    threadId,
  };
}
