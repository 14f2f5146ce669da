/**
 * The bookkeeping every link keeps: request ids, the promises of requests in flight, and the
 * failures of requests nobody waited for (they fail the next request on the same object).
 * @internal
 * @module
 */
import { REPLY_ERROR, type Reply } from "./records.js";
import { decodeFailure } from "./ops.js";

/**
 * The id of a request nobody waits for: this bit and its object's id (no bookkeeping per request;
 * the broker answers such a request only if it fails, and the answer names the object).
 */
export const UNWAITED = 0x80000000;

/** The request id of an unwaited request on `object`. */
export const unwaitedId = (object: number): number => UNWAITED + (object & 0x7fffffff);

interface Waiter {
  resolve(payload: Uint8Array): void;
  reject(error: unknown): void;
}

export class Pending {
  #nextId = 1;
  readonly #waiters = new Map<number, Waiter>();
  /** A failure of an unwaited request, by object id: thrown by the next request on it. */
  readonly #failed = new Map<number, unknown>();
  /** Why the link is down, once it is. */
  down: unknown = undefined;

  constructor(readonly where: string) {}

  get size(): number {
    return this.#waiters.size;
  }

  /** A new request id (below 2^31). */
  id(): number {
    const id = this.#nextId;
    this.#nextId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  /** Throws what an earlier request on `object` nobody waited for failed with, once; or the link's end. */
  check(object: number): void {
    if (this.down !== undefined) throw this.down;
    const failed = this.#failed.get(object);
    if (failed !== undefined) {
      this.#failed.delete(object);
      throw failed;
    }
  }

  wait(id: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => this.#waiters.set(id, { resolve, reject }));
  }


  /** Settles the request a reply answers. */
  settle(reply: Reply): void {
    const waiter = this.#waiters.get(reply.id);
    if (waiter) {
      this.#waiters.delete(reply.id);
      if (reply.status === REPLY_ERROR) waiter.reject(decodeFailure(reply.payload, this.where));
      else waiter.resolve(reply.payload);
      return;
    }
    if (reply.id >= UNWAITED && reply.status === REPLY_ERROR) {
      const error = decodeFailure(reply.payload, this.where);
      // Thrown later, by another call: it says which call it belongs to.
      if (error instanceof Error) error.message = `an earlier put without waiting was refused: ${error.message}`;
      this.#failed.set(reply.id - UNWAITED, error);
    }
  }

  /** The link is gone: every request in flight fails with `error`, and so will later ones. */
  fail(error: unknown): void {
    this.down ??= error;
    for (const w of this.#waiters.values()) w.reject(error);
    this.#waiters.clear();
  }
}
