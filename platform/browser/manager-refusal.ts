/**
 * A Manager whose core could not be loaded (manager.ts) still answers: every request on its ports
 * fails with the reason, so that no proxy waits forever (a worker's `…Sync` call least of all).
 * @internal
 * @module
 */
import type { PortLike } from "../../src/remote/broker-core.js";
import { encodeFailure } from "../../src/remote/ops.js";
import { FLAG_SYNC, REPLY_ERROR, RecordReader, RecordWriter, type Request } from "../../src/remote/records.js";
import { SyncSlot } from "../../src/remote/sync-slot.js";

/** Answers every request on `port` (and on the ports of threads attached to it) with `error`. */
export function refuseRequests(port: PortLike, slot: SharedArrayBuffer, error: Error): void {
  const sync = new SyncSlot(slot);
  const reader = new RecordReader<Request>("request");
  const writer = new RecordWriter();
  const failure = encodeFailure(error);
  let delivering: Promise<void> = Promise.resolve();
  port.addEventListener("message", (event) => {
    const m = event.data as Uint8Array | { attach: PortLike; slot: SharedArrayBuffer };
    if (!(m instanceof Uint8Array)) {
      if (m && typeof m === "object" && "attach" in m) refuseRequests(m.attach, m.slot, error);
      return;
    }
    let requests: Request[];
    try {
      requests = reader.feed(m);
    } catch {
      return; // not ours: nothing to answer
    }
    for (const req of requests) {
      // A blocked thread reads its answer from the slot; the others (unwaited ones too: the next call on the object throws it) from the port.
      if ((req.flags & FLAG_SYNC) !== 0) delivering = delivering.then(() => sync.deliver(REPLY_ERROR, failure));
      else writer.reply(REPLY_ERROR, req.id, failure);
    }
    if (writer.length > 0) {
      const bytes = writer.take();
      port.postMessage(bytes, [bytes.buffer]);
    }
  });
  port.start();
}
