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
import { OP_HELLO } from "../../../src/remote/ops.js";
import { RecordReader, RecordWriter, type Request } from "../../../src/remote/records.js";
import { installRemote } from "./install.js";

const { address, token } = workerData as { address: string; token: string };
const owner = parentPort!;
const core = new BrokerCore();
// Objects this broker rebuilds may be proxies of yet another process's objects.
installRemote();

/** A child process's connection. */
class SocketClient extends Client {
  readonly #writer = new RecordWriter();
  #flushQueued = false;

  constructor(readonly socket: Socket) {
    super();
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
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function serveSocket(socket: Socket): void {
  socket.setNoDelay?.(true);
  const client = new SocketClient(socket);
  const reader = new RecordReader<Request>("request");
  let trusted = false;
  socket.on("data", (chunk: Buffer) => {
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

owner.on("message", (m: BrokerCommand | { type: "port"; port: PortLike; slot: SharedArrayBuffer } | { type: "stop" }) => {
  if (m.type === "port") core.servePort(m.port, m.slot);
  else if (m.type === "stop") server.close();
  else core.command(m);
});
