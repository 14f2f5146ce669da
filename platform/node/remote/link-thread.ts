/**
 * The helper thread of a {@link SocketLink}: connects to the broker (retrying while it starts to
 * listen), says who it is (the token), forwards the request records its thread writes into the
 * ring, and hands the replies back: blocking ones through the sync slot, the others by message.
 * When the connection ends, every request in flight fails, and the thread says why.
 * @internal
 * @module
 */
import { connect, type Socket } from "node:net";
import { workerData, type MessagePort } from "node:worker_threads";
import { OP_HELLO, encodeFailure } from "../../../src/remote/ops.js";
import { FLAG_SYNC, REPLY_ERROR, RecordReader, RecordWriter, requestRecord, type Reply, type Request } from "../../../src/remote/records.js";
import { SyncSlot } from "../../../src/remote/sync-slot.js";
import { ByteRing } from "./ring.js";

const { address, token, ring: ringBuffer, slot: slotBuffer, replies: port } = workerData as {
  address: string;
  token: string;
  ring: SharedArrayBuffer;
  slot: SharedArrayBuffer;
  replies: MessagePort;
};
const ring = new ByteRing(ringBuffer);
const slot = new SyncSlot(slotBuffer);

/** How long to keep trying to connect while the broker starts (ms). */
const CONNECT_FOR_MS = 10_000;

const requests = new RecordReader<Request>("request");
const replies = new RecordReader<Reply>("reply");
/** Requests that wait for nothing, sent in batches this small, are held this long for company (ms). */
const GATHER_MS = 0.2;
const GATHER_BELOW = 16 * 1024;
const nap = new Int32Array(new SharedArrayBuffer(4));
let down: string | undefined;

async function open(): Promise<Socket> {
  const until = Date.now() + CONNECT_FOR_MS;
  for (let pause = 5; ; pause = Math.min(200, pause * 2)) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(address, () => resolve(s));
        s.once("error", reject);
      });
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

// Hands replies back: blocking ones (one at a time: their thread is waiting) to the slot, the rest in one message.
async function deliver(chunk: Uint8Array): Promise<void> {
  const out = new RecordWriter();
  for (const reply of replies.feed(chunk)) {
    if (slot.awaits(reply.id)) {
      if (out.length > 0) post(out.take());
      await slot.deliver(reply.status, reply.payload);
    } else out.reply(reply.status, reply.id, reply.payload);
  }
  if (out.length > 0) post(out.take());
}

function post(bytes: Uint8Array): void {
  port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
}

// The connection is gone: fail what waits now; later requests are answered with the reason (pump).
async function fail(why: string): Promise<void> {
  if (down !== undefined) return;
  down = why;
  port.postMessage({ down: why });
  if (slot.awaiting()) await slot.deliver(REPLY_ERROR, unreachable(why));
}

const unreachable = (why: string): Uint8Array => encodeFailure(new Error(`the objects of another process cannot be reached: ${why}`));

async function connectAndPump(): Promise<void> {
  let socket: Socket | undefined;
  try {
    socket = await open();
  } catch (error) {
    await fail(`could not connect to ${address}: ${(error as Error).message}`);
  }
  if (socket) {
    const s = socket;
    s.setNoDelay?.(true);
    let chain = Promise.resolve();
    s.on("data", (chunk: Buffer) => {
      chain = chain.then(() => deliver(chunk));
    });
    s.on("close", () => void chain.then(() => fail("the connection closed (the process that owns the objects ended?)")));
    s.on("error", () => {});
    s.write(requestRecord(OP_HELLO, 0, 0, 0, new TextEncoder().encode(token)));
  }
  for (;;) {
    await ring.written(1000);
    let bytes = ring.read();
    if (bytes === undefined) continue;
    if (down === undefined && socket) {
      // Puts and sends nobody waits for, trickling in: wait a moment for more and send them together
      // (one write for many, and the broker handles them in one turn).
      if (bytes.length < GATHER_BELOW && ring.getWord() === 0 && !slot.awaiting()) {
        Atomics.wait(nap, 0, 0, GATHER_MS);
        const more = ring.read();
        if (more) bytes = concat(bytes, more);
      }
      if (!socket.write(bytes)) await new Promise<void>((r) => socket!.once("drain", () => r()));
      continue;
    }
    // Without a connection every request is answered with the reason, blocking ones too: none hangs.
    const error = unreachable(down ?? "not connected");
    const out = new RecordWriter();
    for (const r of requests.feed(bytes)) {
      if ((r.flags & FLAG_SYNC) !== 0) await slot.deliver(REPLY_ERROR, error);
      else out.reply(REPLY_ERROR, r.id, error);
    }
    if (out.length > 0) post(out.take());
  }
}

void connectAndPump();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
