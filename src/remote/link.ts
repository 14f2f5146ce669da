/**
 * How a holder of remote objects reaches the broker that owns them: a {@link Link}, one per thread
 * and broker (a child process's link goes over a socket through a helper thread; a thread's link to
 * a Manager goes over a message port). Every call on a remote object is a request on its link,
 * answered in order; the link's transport is the platform's business.
 * @internal
 * @module
 */
import { InvalidStateError } from "../futures/errors.js";
import { WIRE_KEY, type WireShared } from "../shared/shareable.js";
import { pack, unpack } from "./ops.js";

/** A connection to one broker. */
export interface Link {
  /** A request; resolves with the reply's payload, rejects with the broker's error. */
  call(op: number, object: number, payload: Uint8Array): Promise<Uint8Array>;
  /** A request that blocks this thread until the reply (child processes and workers may block). */
  callSync(op: number, object: number, payload: Uint8Array): Uint8Array;
  /**
   * A request nobody waits for (an item put on an unbounded queue, a value sent down a pipe): sent in
   * order with the others; if it fails, the next request on the same object fails with its error.
   * When the link is full, a promise of its turn (or, with `blocking`, this thread waits for it).
   */
  send(op: number, object: number, payload: Uint8Array, blocking?: boolean): Promise<void> | undefined | void;
}

/** Where a remote object lives: its id at the broker, the broker's address and the key to it. */
export type RemoteRef = [id: number, address: string, token: string];

/** The wire form of a remote object: its kind, what its proxy needs to know, and where it lives. */
export interface WireRemote extends WireShared {
  remote: RemoteRef;
}

export function isWireRemote(value: WireShared): value is WireRemote {
  return Array.isArray((value as Partial<WireRemote>).remote);
}

/** Makes (or finds) this thread's link to the broker at `address`. Set by the platform. */
type LinkProvider = (address: string, token: string) => Link;
let provider: LinkProvider | undefined;

/** The platform's way to reach a broker from this thread. @internal */
export function provideLinks(fn: LinkProvider): void {
  provider = fn;
}

/** This thread's link to the broker of `ref`. */
export function linkTo(ref: RemoteRef, kind: string): Link {
  if (!provider) {
    throw new InvalidStateError(
      `a ${kind} of another process arrived in a thread that cannot reach that process's objects ` +
        "(only Node child processes and their threads can); pass the object to a task of that process instead",
    );
  }
  return provider(ref[1], ref[2]);
}

/**
 * A proxy's plain reference (no port): how it crosses to another process, which reaches the
 * broker by its address.
 */
export const REMOTE_FORM = Symbol.for("isofutures.remoteForm");

/** One remote object as its proxy uses it: a link, an id, arguments packed and results unpacked. */
export class Remote {
  constructor(
    readonly link: Link,
    readonly ref: RemoteRef,
    readonly kind: string,
  ) {}

  get id(): number {
    return this.ref[0];
  }

  async call(op: number, args?: unknown): Promise<unknown> {
    return unpack(await this.link.call(op, this.ref[0], args === undefined ? EMPTY : pack(args)));
  }

  callSync(op: number, args?: unknown): unknown {
    return unpack(this.link.callSync(op, this.ref[0], args === undefined ? EMPTY : pack(args)));
  }

  /** The wire form that sends this same object on (to a child of this process, back to its owner…). */
  wire(state: unknown[]): WireRemote {
    return { [WIRE_KEY]: this.kind, state, remote: this.ref };
  }
}

const EMPTY = new Uint8Array(0);
