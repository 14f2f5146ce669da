/**
 * The Web Worker adapter: one module Web Worker as an {@link Endpoint}.
 *
 * Web Workers report no exit: a worker that calls `close()` or is ended by the browser just goes
 * quiet. Each worker therefore holds a Web Lock for as long as it lives; once it is READY, the
 * executor asks for the same lock, and getting it means the worker is gone. Where Web Locks are
 * missing (insecure contexts), such a death goes unnoticed: its tasks time out only if a `timeout`
 * was given.
 * @internal
 * @module
 */
import BOOTSTRAP from "virtual:worker-bootstrap";
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/pool/endpoint.js";
import { UnsupportedError } from "../../src/futures/errors.js";
import { OP_CLOSE, OP_INIT, OP_READY, type WorkerInit } from "../../src/wire/protocol.js";
import { web, type WebWorker, type WebWorkerOptions } from "./dom.js";
import { threadsProtocol } from "../../src/pool/threads-protocol.js";

/** Browser-specific options of the thread pool. */
export interface BrowserThreadOptions {
  /**
   * A function that starts a worker file calling `serve()` (from `isofutures/worker`), instead of
   * `tasks`: `() => new Worker(new URL("./tasks.worker.js", import.meta.url), { type: "module" })`,
   * the form Vite and webpack 5 bundle.
   */
  worker?: (() => WebWorker) | undefined;
  /** Options for the library's own workers (`name` is set by the executor). */
  workerOptions?: WebWorkerOptions | undefined;
  /** What the `worker` file speaks: `"isofutures"` (`serve()`) or `"threads.js"` (`expose()`). @defaultValue `"isofutures"` */
  protocol?: "isofutures" | "threads.js" | undefined;
}

let bootstrapUrl: string | undefined;
/** Web Workers have no thread id: each gets a number, 1, 2, … in the order this realm starts them. */
let started = 0;

function bootstrap(): string {
  const { Blob } = web;
  const create = web.URL.createObjectURL;
  if (!Blob || !create) throw new UnsupportedError("this environment cannot make Blob URLs for the worker bootstrap; use the worker option with serve()");
  bootstrapUrl ??= create(new Blob([BOOTSTRAP], { type: "text/javascript" }));
  return bootstrapUrl;
}

export function webWorkerFactory(options: BrowserThreadOptions, resolveModule: (spec: string | URL) => string): WorkerFactory {
  const id = Math.random().toString(36).slice(2);
  return {
    kind: "thread",
    sharedMemory: options.protocol !== "threads.js" && web.crossOriginIsolated === true && typeof SharedArrayBuffer === "function",
    allowSource: true,
    resolveModule,
    spawn(request: SpawnRequest, events: EndpointEvents): Endpoint {
      const Worker = web.Worker;
      if (!Worker) throw new UnsupportedError("this environment has no Web Workers; use InlineExecutor");
      let worker: WebWorker;
      let source: string;
      if (options.worker && options.protocol === "threads.js") {
        // A foreign worker holds no lock of ours and may report errors and go on: no death watch.
        const translator = threadsProtocol(events);
        return translator.attach(wrapForeign(madeBy(options.worker).worker, translator.events));
      }
      if (options.worker) {
        const made = madeBy(options.worker);
        worker = made.worker;
        source = `the worker made by the worker option${made.url ? ` (${made.url})` : ""}`;
      } else {
        worker = new Worker(bootstrap(), { ...options.workerOptions, type: "module", name: request.name });
        source = `worker "${request.name}" (the isofutures bootstrap, a blob: URL: a Content-Security-Policy must allow worker-src blob:)`;
      }
      return wrap(worker, events, `isofutures-${id}-${request.index}`, source);
    },
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

function wrapForeign(worker: WebWorker, events: EndpointEvents): Endpoint {
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
    threadId: ++started,
  };
}

function wrap(worker: WebWorker, events: EndpointEvents, lock: string, source: string): Endpoint {
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
    threadId: ++started,
  };
}
