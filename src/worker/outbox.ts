/**
 * Results going back: every record of one turn (`seq, status, value`) goes in one message, sent on
 * a microtask after the batch that produced them. Transferables ride along (`transfer()` markers,
 * shared objects' ports); a message that cannot be cloned is re-sent record by record, so that
 * only the culprit fails. With nothing left to run, the worker waits for work on its control word
 * before returning to its event loop (see the platform's `waitForWork`).
 * @internal
 * @module
 */
import { encodeShared, holdsShared } from "../shared/encode.js";
import { isShareable, sharedSeenInThread, toWire } from "../shared/shareable.js";
import { encodeError } from "../wire/error-codec.js";
import { OP_RESULTS, ST_ERROR, ST_ITEM, ST_OK, ST_OK_SHARED } from "../wire/protocol.js";
import { isTransfer } from "../wire/transfer.js";
import { FunctionTable } from "./definitions.js";
import { messageOf, withClosureHint } from "./functions.js";

export abstract class Outbox extends FunctionTable {
  protected readonly flushNow = (): void => this.flush();

  protected pushOk(seq: number, value: unknown): void {
    this.controllers.delete(seq);
    if (this.dropResults) value = undefined;
    if (typeof value === "object" && value !== null) {
      if (isTransfer(value)) {
        this.moveWithRecord(value.list);
        value = value.value;
      } else if (isShareable(value)) {
        const moved: object[] = [];
        value = toWire(value, moved);
        if (moved.length > 0) this.moveWithRecord(moved);
      } else if (sharedSeenInThread() && holdsShared([value])) {
        const moved: object[] = [];
        const box = [value];
        encodeShared(box, moved);
        if (moved.length > 0) this.moveWithRecord(moved);
        this.push(seq, ST_OK_SHARED, box[0]);
        return;
      }
    }
    this.push(seq, ST_OK, value);
  }

  protected pushError(seq: number, error: unknown, isSource: boolean): void {
    this.controllers.delete(seq);
    this.push(seq, ST_ERROR, encodeError(withClosureHint(error, isSource)));
  }

  /** One value of a stream task (the task goes on). */
  protected pushItem(seq: number, value: unknown): void {
    let item = value;
    if (isTransfer(item)) {
      this.moveWithRecord(item.list);
      item = item.value;
    }
    this.outbox.push(seq, ST_ITEM, item);
    this.scheduleFlush();
  }

  /** A task's final record. */
  protected push(seq: number, status: number, value: unknown): void {
    this.active--;
    this.outbox.push(seq, status, value);
    this.scheduleFlush();
  }

  /** `value` without its `transfer()` marker; its buffers move with this turn's message. */
  protected unwrap(value: unknown): unknown {
    if (!isTransfer(value)) return value;
    this.outTransfer.push(...value.list);
    return value.value;
  }

  /** Transferables of the record about to be pushed (kept per record for a one-by-one re-send). */
  protected moveWithRecord(list: readonly object[]): void {
    (this.recordTransfers ??= new Map()).set(this.outbox.length, list);
    this.outTransfer.push(...list);
  }

  private scheduleFlush(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushNow);
    }
  }

  // One message per turn with every result ready by then.
  protected flush(): void {
    this.flushQueued = false;
    if (this.outbox.length === 1) return;
    const msg = this.outbox;
    const transfer = this.outTransfer;
    const perRecord = this.recordTransfers;
    this.outbox = [OP_RESULTS];
    this.outTransfer = [];
    this.recordTransfers = undefined;
    try {
      this.port.post(msg, transfer);
    } catch {
      this.postOneByOne(msg, perRecord);
    }
    if (this.active === 0 && this.waitingHead === this.waiting.length) this.waitForWork();
  }

  // Nothing in progress: rather than go back to the event loop (a slow wake-up for the next task),
  // wait a moment on the control word, which the executor notifies when it sends work. Tasks that
  // arrive meanwhile run here, and their results go out at once.
  private waitForWork(): void {
    const ctl = this.ctl;
    const port = this.port;
    if (this.idling || this.closed || ctl === null || port.waitForWork === undefined) return;
    this.idling = true;
    try {
      for (;;) {
        const msg = port.waitForWork(ctl);
        if (msg === undefined) return;
        this.handle(msg);
        if (this.closed) return;
        this.flush();
        if (this.active !== 0 || this.waitingHead !== this.waiting.length) return;
      }
    } finally {
      this.idling = false;
    }
  }

  // A result that cannot be cloned fails its own future only.
  private postOneByOne(msg: unknown[], perRecord: Map<number, readonly object[]> | undefined): void {
    for (let i = 1; i < msg.length; i += 3) {
      const record = [OP_RESULTS, msg[i], msg[i + 1], msg[i + 2]];
      try {
        this.port.post(record, perRecord?.get(i) ?? []);
      } catch (error) {
        const failure = new TypeError(
          `the task's result could not be sent back to the caller: ${messageOf(error).replace(/\.$/, "")}. ` +
            "Return structured-cloneable data (primitives, plain objects, arrays, Map, Set, Date, typed arrays, " +
            "ArrayBuffers); functions, symbols and class instances with methods cannot cross between threads.",
        );
        this.port.post([OP_RESULTS, msg[i], ST_ERROR, encodeError(failure)], []);
      }
    }
  }
}
