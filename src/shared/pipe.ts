/**
 * `Pipe()`: two connected {@link Connection}s over a `MessageChannel` (Python's
 * `multiprocessing.Pipe`). A connection given to a task as an argument moves to that worker.
 * @module
 */
import { InvalidStateError, TimeoutError } from "../futures/errors.js";
import { assertTimeout } from "../util/validate.js";
import { SHARED_BRAND, TO_WIRE, noteShared, registerKind } from "./shareable.js";

const DATA = 0;
const EOF = 1;

/** `recv()` on a connection whose other end was closed, with nothing left to read. */
export class EOFError extends Error {
  static {
    this.prototype.name = "EOFError";
  }
}

/** A `MessagePort`, as far as a connection uses it (Node's has ref/unref too). */
interface Port {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
  ref?(): void;
  unref?(): void;
}

/** Options of {@link Connection.recv} and {@link Connection.poll}. */
export interface RecvOptions {
  /** ms to wait at most (`poll`: 0 by default, i.e. do not wait). */
  timeout?: number | undefined;
}

/** One end of a {@link Pipe}. */
export class Connection<T = unknown> {
  #port: Port | null;
  readonly #readable: boolean;
  readonly #writable: boolean;
  readonly #inbox: unknown[] = [];
  #peerClosed = false;
  #closed = false;
  #listening = false;
  #wake: (() => void) | undefined;
  readonly #onMessage = (event: { data: unknown }) => {
    const m = event.data as [number, unknown];
    if (m[0] === EOF) this.#peerClosed = true;
    else this.#inbox.push(m[1]);
    this.#wake?.();
  };

  /** @internal made by {@link Pipe} */
  constructor(port: unknown, readable: boolean, writable: boolean) {
    this.#port = port as Port;
    this.#readable = readable;
    this.#writable = writable;
  }

  /** Can this end receive? */
  get readable(): boolean {
    return this.#readable;
  }

  /** Can this end send? */
  get writable(): boolean {
    return this.#writable;
  }

  /** Is this end closed? */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one message (structured clone); `transfer` lists buffers or ports to move instead of copy. */
  send(value: T, transfer?: readonly object[]): void {
    const port = this.#usable("send");
    if (!this.#writable) throw new InvalidStateError("send() on the read-only end of a one-way pipe");
    port.postMessage([DATA, value], transfer ?? []);
  }

  /**
   * Receives the next message.
   * @throws {@link EOFError} when the other end is closed and nothing is left; {@link TimeoutError}
   *   if `timeout` ms pass first.
   */
  async recv(options?: RecvOptions): Promise<T> {
    if (!this.#readable) throw new InvalidStateError("recv() on the write-only end of a one-way pipe");
    if (!(await this.#waitForMessage(options?.timeout, "recv"))) {
      throw new TimeoutError(`Connection.recv: no message within ${options?.timeout} ms`);
    }
    if (this.#inbox.length > 0) return this.#inbox.shift() as T;
    throw new EOFError("the other end of the pipe is closed and no message is left");
  }

  /** Is there something to receive (a message, or the end)? Waits up to `timeout` ms (default 0). */
  async poll(options?: RecvOptions): Promise<boolean> {
    if (!this.#readable) throw new InvalidStateError("poll() on the write-only end of a one-way pipe");
    return this.#waitForMessage(options?.timeout ?? 0, "poll");
  }

  /** Closes this end; the other end's `recv` then ends with {@link EOFError} once it has read everything. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const port = this.#port;
    if (!port) return;
    try {
      port.postMessage([EOF, undefined]);
    } catch {
      // the other end is gone already
    }
    if (this.#listening) port.removeEventListener("message", this.#onMessage);
    port.close();
    this.#wake?.();
  }

  /** Receives messages until the other end closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (error) {
        if (error instanceof EOFError) return;
        throw error;
      }
    }
  }

  async #waitForMessage(timeout: number | undefined, what: string): Promise<boolean> {
    assertTimeout(timeout, `Connection.${what}: timeout`);
    const port = this.#usable(what);
    this.#listen(port);
    if (this.#inbox.length > 0 || this.#peerClosed) return true;
    if (timeout === 0) return false;
    port.ref?.();
    try {
      return await new Promise<boolean>((resolve) => {
        const timer = timeout === undefined ? undefined : setTimeout(() => finish(false), timeout);
        const finish = (got: boolean) => {
          if (timer !== undefined) clearTimeout(timer);
          this.#wake = undefined;
          resolve(got);
        };
        this.#wake = () => finish(this.#inbox.length > 0 || this.#peerClosed || this.#closed);
      });
    } finally {
      if (!this.#closed) port.unref?.();
    }
  }

  #listen(port: Port): void {
    if (this.#listening) return;
    this.#listening = true;
    port.addEventListener("message", this.#onMessage);
    port.start();
    port.unref?.(); // an idle pipe does not keep a Node program alive
  }

  #usable(what: string): Port {
    if (this.#closed) throw new InvalidStateError(`${what}() on a closed connection`);
    if (!this.#port) throw new InvalidStateError(`${what}() on a connection that was passed to a task: it moved to that worker`);
    return this.#port;
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "Connection";
  }

  /** @internal moves the port out (into a message to a worker) */
  [TO_WIRE](): [unknown[], object[]] {
    const port = this.#usable("pass");
    if (this.#inbox.length > 0) throw new InvalidStateError("a connection with unread messages cannot be passed to a task; read them first");
    if (this.#listening) port.removeEventListener("message", this.#onMessage);
    this.#port = null;
    return [[port, this.#readable, this.#writable], [port]];
  }
}

/** Options of {@link Pipe}. */
export interface PipeOptions {
  /** Both ends send and receive; if false, the first end only receives and the second only sends. @defaultValue true */
  duplex?: boolean | undefined;
}

/** Two connected ends: what one sends, the other receives. Pass either end to a task. */
export function Pipe<T = unknown>(options: PipeOptions = {}): [Connection<T>, Connection<T>] {
  const duplex = options.duplex ?? true;
  const { port1, port2 } = new MessageChannel();
  noteShared();
  return [new Connection<T>(port1, true, duplex), new Connection<T>(port2, duplex, true)];
}

// How a worker (or this thread, for a result) rebuilds one from its wire state (see revive.ts).
registerKind("Connection", ([port, readable, writable]) => new Connection(port, readable, writable));
