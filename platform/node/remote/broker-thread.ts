/**
 * The broker thread: owns, for one thread of the program (usually the main one), the objects that
 * its child processes use — rebuilt here around the same shared memory, so that a child's `get`
 * and a thread's `get` on one queue take from the same items, while the main thread may be busy in
 * synchronous code. Children reach it through a Unix socket in a private directory (0700), each
 * connection proving itself with the token the owner gave its children; threads of this process
 * reach its Manager stores through message ports.
 * A child whose connection closes (it ended, or was killed) is gone: its waits give up and the locks
 * it held are freed. A malformed stream closes that child's connection only.
 * @internal
 * @module
 */
import { createServer, type Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { BrokerCore, Client, type BrokerCommand, type PortLike } from "../../../src/remote/broker-core.js";
import { releaseHeld, serve } from "../../../src/remote/serve.js";
import { RequestRing } from "../../../src/remote/thread-ring.js";
import { revive } from "../../../src/shared/revive.js";
import { OP_HELLO } from "../../../src/remote/ops.js";
import { REQUEST_HEADER, RecordReader, RecordWriter, type Request } from "../../../src/remote/records.js";
import { installRemote } from "./install.js";
import { allKinds } from "../../../src/shared/all-kinds.js";

const { address, token, ring } = workerData as { address: string; token: string; ring: SharedArrayBuffer };
const owner = parentPort!;
const core = new BrokerCore({ revive, serve, releaseHeld });
core.serveRing(new RequestRing(ring));
// Objects this broker rebuilds may be proxies of yet another process's objects.
installRemote();
allKinds(); // owners register objects of every kind here

/** A child process's connection. */
class SocketClient extends Client {
  readonly #writer = new RecordWriter();
  #flushQueued = false;

  constructor(readonly socket: Socket) {
    super(releaseHeld);
  }

  answer(req: Request, status: number, payload: Uint8Array): void {
    if (this.who.isGone) return;
    this.#writer.reply(status, req.id, payload);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (!this.who.isGone) this.socket.write(this.#writer.take());
    });
  }
}

const expected = new TextEncoder().encode(token);

// Could these bytes begin our hello? (op 1, length = the token's): checked before waiting for more.
function helloStart(chunk: Uint8Array): boolean {
  if (chunk.length === 0) return true;
  if (chunk[0] !== OP_HELLO) return false;
  return chunk.length < REQUEST_HEADER || new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(10, true) === expected.length;
}
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function serveSocket(socket: Socket): void {
  socket.setNoDelay?.(true);
  const client = new SocketClient(socket);
  const reader = new RecordReader<Request>("request");
  let trusted = false;
  socket.on("data", (chunk: Buffer) => {
    // A stranger is told apart by its first bytes: a hello is op 1 carrying the token, nothing longer.
    if (!trusted && !helloStart(chunk)) {
      socket.destroy();
      return;
    }
    // What this process's threads asked before (and may have told this child about) comes first.
    core.drainRing();
    let requests: Request[];
    try {
      requests = reader.feed(chunk);
    } catch {
      socket.destroy(); // not a stream of ours
      return;
    }
    for (const req of requests) {
      if (!trusted) {
        // The first record must be the token: anything else is a stranger.
        if (req.op !== OP_HELLO || !sameBytes(req.payload, expected)) {
          socket.destroy();
          return;
        }
        trusted = true;
        continue;
      }
      core.handle(client, req);
    }
  });
  socket.on("close", () => client.leave());
  socket.on("error", () => {});
}

const server = createServer(serveSocket);
server.on("error", (error) => owner.postMessage({ type: "error", message: error.message }));
server.listen(address, () => owner.postMessage({ type: "listening" }));

owner.on("message", (m: BrokerCommand | { type: "port"; port: PortLike; slot: SharedArrayBuffer; client: number } | { type: "stop" }) => {
  if (m.type === "port") core.servePort(m.port, m.slot, m.client);
  else if (m.type === "stop") server.close();
  else core.command(m);
});
