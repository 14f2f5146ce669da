/**
 * Items a thread has taken ahead from a queue of another process, and hands out one by one: a
 * consumer that asks for items back to back gets them in batches (one round trip for many) instead
 * of one round trip each. The batch starts at one item and doubles (to 64) only while the consumer
 * comes back within a millisecond and its last batch came full (or the queue had more); a consumer
 * that takes its time gets one item at a time, as from the queue itself. Each item handed out is
 * reported (a request nobody waits for) before the next request of this thread leaves — so what a
 * consumer did with an item through the broker (a Manager append, a put) is never seen before the
 * broker knows the item was handed out — or on the next turn of the event loop. What was taken and
 * not handed out goes back to the front of the queue when the thread stops using it (a task of a
 * child process ends) or dies.
 * @internal
 * @module
 */
import type { Link } from "./link.js";
import * as op from "./ops.js";

const MAX_BATCH = 64;
/** A consumer that asks again within this long after an answer is taking items back to back (ms). */
const HOT_MS = 1;

const now: () => number = typeof performance === "object" ? () => performance.now() : Date.now;

export class Loan {
  #items: Uint8Array[] = [];
  #next = 0;
  #batch = 1;
  #answered = -Infinity;
  #left = 0;
  #full = false;
  /** Items handed out and not yet reported to the broker. */
  #unreported = 0;
  #reportQueued = false;

  constructor(
    readonly link: Link,
    readonly object: number,
  ) {}

  /** Items taken and not handed out. */
  get size(): number {
    return this.#items.length - this.#next;
  }

  /**
   * The next item taken ahead; `undefined` when there is none. Items handed out are reported with
   * the next request for more, or on the next turn of the event loop, whichever comes first — not
   * one message each.
   */
  next(): Uint8Array | undefined {
    if (this.#next >= this.#items.length) return undefined;
    const item = this.#items[this.#next++] as Uint8Array;
    this.#unreported++;
    unreported.add(this);
    if (!this.#reportQueued) {
      this.#reportQueued = true;
      setTimeout(this.#reportNow, 0);
    }
    if (this.#next === this.#items.length) {
      this.#items = [];
      this.#next = 0;
    }
    return item;
  }

  readonly #reportNow = (): void => {
    this.#reportQueued = false;
    this.report();
  };

  /** Tells the broker how many items were handed out since the last report (if any were). */
  report(): void {
    unreported.delete(this);
    const n = this.#unreported;
    if (n === 0) return;
    this.#unreported = 0; // before the send: a link reports loans before each request it sends
    this.link.send(op.QUEUE_ACK, this.object, op.pack(n));
  }

  /** The arguments of a request for more: it also reports what was handed out since the last report. */
  request(timeout: number | undefined): Uint8Array {
    const handedOut = this.#unreported;
    this.#unreported = 0;
    unreported.delete(this);
    return op.pack([timeout, this.batch(), handedOut]);
  }

  /** How many to ask for now. */
  batch(): number {
    const hot = now() - this.#answered < HOT_MS;
    // Back to back, and the last answer was as large as asked (or left more behind): ask for more.
    const more = this.#full || this.#left > 0;
    this.#batch = hot ? (more ? Math.min(MAX_BATCH, this.#batch * 2) : this.#batch) : 1;
    return this.#batch;
  }

  /** An answer to QUEUE_TAKE: keeps the items; returns the first, handed out. */
  fill(reply: Uint8Array): Uint8Array {
    const [items, left] = op.unpackItems(reply);
    this.#full = items.length >= this.#batch;
    this.#items = items;
    this.#next = 0;
    this.#left = left;
    this.#answered = now();
    return this.next() as Uint8Array;
  }

  /** Gives back what was not handed out (reporting what was). */
  giveBack(): void {
    this.report();
    if (this.size === 0) return;
    this.#items = [];
    this.#next = 0;
    this.link.send(op.QUEUE_RETURN, this.object, EMPTY);
  }
}

const EMPTY = new Uint8Array(0);

/** Loans with items handed out and not reported yet. */
const unreported = new Set<Loan>();

/**
 * Reports every loan's items handed out and not reported yet: a link calls this before each
 * request it sends, so that the broker hears of an item's hand-out before anything the consumer
 * then did with it. (Nearly always empty: one size check.)
 */
export function reportHandedOut(): void {
  if (unreported.size === 0) return;
  for (const loan of unreported) loan.report();
}

/** Loans by link and queue. */
const loans = new WeakMap<Link, Map<number, Loan>>();

/** The loan of queue `object` on `link` (made on first use). */
export function loanOf(link: Link, object: number): Loan {
  let byObject = loans.get(link);
  if (!byObject) loans.set(link, (byObject = new Map()));
  let loan = byObject.get(object);
  if (!loan) byObject.set(object, (loan = new Loan(link, object)));
  return loan;
}

/** Gives back everything taken ahead on `link` and not handed out. @returns whether there was any. */
export function giveBackAll(link: Link): boolean {
  let any = false;
  for (const loan of loans.get(link)?.values() ?? []) {
    if (loan.size > 0) any = true;
    loan.giveBack();
  }
  return any;
}
