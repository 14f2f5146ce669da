/**
 * Drives a worker written for threads.js (`expose(fn)` / `expose({ … })`) with the executor's
 * protocol: a translator between an endpoint speaking threads.js and the scheduler. Each task
 * becomes a threads.js job (`{ type: "run", uid, method, args }`); a map chunk becomes one job per
 * item; Observables returned by the worker become streams (`executor.stream`) or, through
 * `submit`, a future of their last value.
 * @internal
 * @module
 */
import type { Endpoint, EndpointEvents } from "./endpoint.js";
import {
  ARGS_ARRAY,
  CODE_HANDLE_SHIFT,
  DEF_EXPORT,
  KIND_CALL,
  KIND_STARMAP,
  KIND_STREAM,
  OP_ABORT,
  OP_CLOSE,
  OP_INIT,
  OP_INIT_FAILED,
  OP_READY,
  OP_RESULTS,
  OP_RUN,
  ST_CHUNK,
  ST_CHUNK_ERRORS,
  ST_ERROR,
  ST_ITEM,
  ST_OK,
  type FnDefWire,
  type WireError,
  type WorkerInit,
} from "../wire/protocol.js";
import { encodeError } from "../wire/error-codec.js";

interface ThreadsMessage {
  type: "init" | "running" | "result" | "error" | "uncaughtError";
  uid?: number;
  exposed?: { type: "function" } | { type: "module"; methods: string[] };
  resultType?: "observable" | "promise";
  payload?: unknown;
  complete?: true;
  error?: { message?: string; name?: string; stack?: string };
}

interface Job {
  seq: number;
  kind: number;
  /** Chunks: results so far, errors, jobs left. */
  out?: unknown[];
  errors?: unknown[];
  left?: number;
  /** Last value of an Observable run through `submit`. */
  last?: unknown;
}

/** Wraps the events of a threads.js worker; `attach` gives the executor an endpoint speaking its protocol. */
export function threadsProtocol(events: EndpointEvents): { events: EndpointEvents; attach(inner: Endpoint): Endpoint } {
  const translator = new ThreadsTranslator(events);
  return {
    events: { message: (m) => translator.onMessage(m), exit: (info) => events.exit(info) },
    attach(endpoint) {
      translator.inner = endpoint;
      return {
        post: (message, transfer) => translator.post(message, transfer),
        terminate: () => endpoint.terminate(),
        setBusy: (busy) => endpoint.setBusy(busy),
      };
    },
  };
}

/** One threads.js worker: the executor's messages in, threads.js jobs out, and back. */
class ThreadsTranslator {
  readonly #defs: (FnDefWire | undefined)[] = [];
  /** Jobs by threads.js uid (a task's seq). */
  readonly #jobs = new Map<number, Job>();
  /** The items of a chunk, each a threads.js job of its own, by uid. */
  readonly #chunkOf = new Map<number, { job: Job; index: number }>();
  #nextUid = 1 << 24; // uids of chunk items; task seqs stay below
  #exposed: ThreadsMessage["exposed"];
  #initPosted = false;
  inner!: Endpoint;

  constructor(readonly events: EndpointEvents) {}

  // Always after the current turn: a reply made while the executor is still sending the task
  // (an unknown function) must not arrive before the executor has recorded it.
  #reply(seq: number, status: number, value: unknown): void {
    queueMicrotask(() => this.events.message([OP_RESULTS, seq, status, value]));
  }

  /** A message of the threads.js worker. */
  onMessage(raw: unknown[]): void {
    const m = raw as unknown as ThreadsMessage;
    switch (m?.type) {
      case "init":
        this.#exposed = m.exposed;
        if (this.#initPosted) this.events.message([OP_READY]);
        return;
      case "result":
        return this.#onResult(m.uid as number, m.payload, m.complete === true);
      case "error":
        return this.#onError(m.uid as number, toWire(m.error));
      default:
        return; // "running", "uncaughtError": threads.js keeps the worker going
    }
  }

  /** A message of the executor. */
  post(message: unknown[], transfer: readonly object[]): void {
    switch (message[0]) {
      case OP_INIT: {
        const init = message[1] as WorkerInit;
        if (init.initializer !== null) {
          const error = encodeError(new TypeError('an initializer cannot run in a worker driven with protocol "threads.js"'));
          queueMicrotask(() => this.events.message([OP_INIT_FAILED, error]));
          return;
        }
        this.#initPosted = true;
        if (this.#exposed) queueMicrotask(() => this.events.message([OP_READY]));
        return;
      }
      case OP_RUN:
        return this.#receiveTasks(message, transfer);
      case OP_ABORT:
        this.inner.post({ type: "cancel", uid: message[1] } as unknown as unknown[], []);
        return;
      case OP_CLOSE:
        this.inner.terminate();
        return;
      default:
        return; // CREDIT: threads.js has no back-pressure
    }
  }

  #receiveTasks(message: unknown[], transfer: readonly object[]): void {
    const received = message[1] as FnDefWire[] | 0;
    if (received) for (const d of received) this.#defs[d[0]] = d;
    let seq = message[2] as number;
    for (let i = 3; i < message.length; seq++) {
      const code = message[i] as number;
      const nargs = (code >> 2) & 15;
      const args = nargs === ARGS_ARRAY ? (message[i + 1] as unknown[]) : message.slice(i + 1, i + 1 + nargs);
      this.#run(seq, code, args, transfer);
      i += nargs === ARGS_ARRAY ? 2 : 1 + nargs;
    }
  }

  #onResult(uid: number, payload: unknown, complete: boolean): void {
    const item = this.#chunkOf.get(uid);
    if (item) {
      if (!complete) return;
      this.#chunkOf.delete(uid);
      item.job.out![item.index] = revive(payload);
      return this.#chunkDone(item.job);
    }
    const job = this.#jobs.get(uid);
    if (!job) return;
    if (!complete) {
      if (job.kind === KIND_STREAM) this.#reply(job.seq, ST_ITEM, revive(payload));
      else job.last = revive(payload);
      return;
    }
    this.#jobs.delete(uid);
    this.#reply(job.seq, ST_OK, job.kind === KIND_STREAM ? undefined : payload === undefined ? job.last : revive(payload));
  }

  #onError(uid: number, error: WireError): void {
    const item = this.#chunkOf.get(uid);
    if (item) {
      this.#chunkOf.delete(uid);
      item.job.errors!.push(item.index, error);
      return this.#chunkDone(item.job);
    }
    const job = this.#jobs.get(uid);
    if (!job) return;
    this.#jobs.delete(uid);
    this.#reply(job.seq, ST_ERROR, error);
  }

  #chunkDone(job: Job): void {
    if (--job.left! > 0) return;
    if (job.errors!.length > 0) this.#reply(job.seq, ST_CHUNK_ERRORS, [job.out, job.errors]);
    else this.#reply(job.seq, ST_CHUNK, job.out);
  }

  #run(seq: number, code: number, args: unknown[], transfer: readonly object[]): void {
    const kind = code & 3;
    const def = this.#defs[code >>> CODE_HANDLE_SHIFT];
    if (!def || def[1] !== DEF_EXPORT) {
      const error = new TypeError('a worker driven with protocol "threads.js" runs only the functions it exposes: submit them by name');
      return this.#reply(seq, ST_ERROR, encodeError(error));
    }
    const name = def[2];
    const exposed = this.#exposed;
    const method = exposed?.type === "module" ? name : undefined;
    if (exposed?.type === "module" && !exposed.methods.includes(name)) {
      const error = new TypeError(`the threads.js worker exposes no function "${name}"; it exposes: ${exposed.methods.join(", ")}`);
      return this.#reply(seq, ST_ERROR, encodeError(error));
    }
    if (kind === KIND_CALL || kind === KIND_STREAM) {
      this.#jobs.set(seq, { seq, kind });
      this.inner.post({ type: "run", uid: seq, method, args } as unknown as unknown[], transfer);
      return;
    }
    const items = args[0] as unknown[];
    const job: Job = { seq, kind, out: new Array(items.length), errors: [], left: items.length };
    if (items.length === 0) return this.#reply(seq, ST_CHUNK, []);
    items.forEach((item, index) => {
      const uid = this.#nextUid++;
      this.#chunkOf.set(uid, { job, index });
      this.inner.post({ type: "run", uid, method, args: kind === KIND_STARMAP ? (item as unknown[]) : [item] } as unknown as unknown[], []);
    });
  }
}

// threads.js serialises errors as { __error_marker: "$$error", name, message, stack }.
function revive(value: unknown): unknown {
  const v = value as { __error_marker?: string; name?: string; message?: string; stack?: string } | null;
  if (typeof v !== "object" || v === null || v.__error_marker !== "$$error") return value;
  const e = new Error(v.message ?? "");
  Object.defineProperty(e, "name", { value: v.name ?? "Error", writable: true, configurable: true });
  if (v.stack) Object.defineProperty(e, "stack", { value: v.stack, writable: true, configurable: true });
  return e;
}

function toWire(error: ThreadsMessage["error"]): WireError {
  const name = String(error?.name ?? "Error");
  const builtins = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"];
  return {
    $: "E",
    ctor: builtins.includes(name) ? name : null,
    name,
    message: String(error?.message ?? ""),
    stack: String(error?.stack ?? `${name}: ${error?.message ?? ""}`),
    props: [],
  };
}
