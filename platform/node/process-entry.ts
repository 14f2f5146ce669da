/**
 * The bootstrap every pool process runs: the worker runtime on the IPC channel (JSON), with the
 * side socket on fd 4 for the messages JSON cannot carry (see process-channel.ts).
 *
 * It also makes sure the process never outlives its parent: the channel closing (the parent exited
 * or died) ends it, and a watchdog thread ends it even while a task keeps the main thread busy.
 * @internal
 * @module
 */
import { Socket } from "node:net";
import { inspect } from "node:util";
import { Worker } from "node:worker_threads";
import { encodeError } from "../../src/wire/error-codec.js";
import { OP_FATAL, OP_INIT, type WorkerInit } from "../../src/wire/protocol.js";
import { startWorkerRuntime } from "../../src/worker/runtime.js";
import { installRemote } from "./remote/install.js";
import { allKinds } from "../../src/shared/all-kinds.js";
import { linksFlushed } from "./remote/socket-link.js";
import { ChannelReader, FRAME_MARK, USE_FRAMES, encodeFrame, jsonExact } from "./process-channel.js";

/** A dying child whose messages the parent does not read leaves after this long anyway (ms). */
const FLUSH_LIMIT_MS = 2000;

const send = process.send?.bind(process);
if (send) {
  // Shared objects of the parent arrive as references: they become proxies on a link to its broker.
  installRemote();
  allKinds(); // the caller may send any kind of shared object
  let pending = 0;
  let exitCode: number | undefined;
  // process.exit() would drop messages still queued for the pipe: leave once they are written.
  const leave = (code: number) => {
    exitCode ??= code;
    if (pending === 0) process.exit(exitCode);
  };
  const sent = () => {
    pending--;
    if (exitCode !== undefined && pending === 0) process.exit(exitCode);
  };
  // The side socket (fd 4) is opened when the first frame comes or goes: most pools never need it.
  let frames: Socket | undefined;
  let onFrameBytes: ((chunk: Buffer) => void) | undefined;
  const openFrames = (): Socket => {
    if (frames) return frames;
    frames = new Socket({ fd: 4, readable: true, writable: true });
    frames.on("error", () => {}); // the parent is gone: 'disconnect' ends this process
    if (onFrameBytes) frames.on("data", onFrameBytes);
    return frames;
  };
  // Encodes a message now — one that cannot be serialised throws here, and sends nothing (the runtime
  // then sends its records one by one) — and returns what sends it.
  const prepare = (message: unknown[], later: boolean): (() => void) => {
    if (!USE_FRAMES || jsonExact(message)) {
      // "advanced" IPC (Bun) serialises in send(): to be sent later, it is tried now.
      if (later && !USE_FRAMES) structuredClone(message);
      return () => send(message, undefined, undefined, sent);
    }
    const frame = encodeFrame(message);
    return () => {
      openFrames().write(frame, sent);
      pending++;
      send(FRAME_MARK, undefined, undefined, sent);
    };
  };
  // What tasks put on queues of the parent without waiting is in place before their results are
  // reported (results wait behind that; later messages behind them, in order).
  let gate: Promise<unknown> | undefined;
  const post = (message: unknown[]) => {
    const flushed = linksFlushed();
    // The flush joins the chain before the message is encoded: if encoding throws, the records the
    // runtime then sends one by one still wait for it (linksFlushed() reports a flush only once).
    if (flushed !== undefined) gate = hold((gate ?? Promise.resolve()).then(() => flushed));
    if (gate === undefined) {
      prepare(message, false)();
      pending++;
      return;
    }
    const sendIt = prepare(message, true);
    pending++; // held: the process does not leave before it is written
    gate = hold(gate.then(sendIt));
  };
  // A link of the chain that clears the gate once it is the last and done.
  const hold = (link: Promise<unknown>): Promise<unknown> => {
    const held: Promise<unknown> = link.then(() => {
      if (gate === held) gate = undefined;
    });
    return held;
  };
  const runtime = startWorkerRuntime({
    post,
    onMessage(handler) {
      const reader = new ChannelReader(
        (message) => {
          const m = message as unknown[];
          if (m[0] !== OP_INIT) return handler(m);
          process.title = (m[1] as WorkerInit).name;
          handler(m);
          // Started while the first task is on its way, before any task can block this thread.
          setImmediate(watchParent);
        },
        () => void openFrames(),
      );
      onFrameBytes = (chunk) => reader.bytes(chunk);
      frames?.on("data", onFrameBytes);
      process.on("message", (message: unknown) => reader.ipc(message));
    },
    exit: () => leave(0),
  });
  process.on("disconnect", () => process.exit(0));
  // An error nobody catches (a task's stray timer, a rejected promise nobody awaits) ends the
  // process, as Node would — but only after the results already produced, and the error itself,
  // have reached the parent: Node's own exit would drop what is still queued for the pipe, and a
  // finished task would then be reported as crashed.
  process.on("uncaughtException", (error) => {
    if (process.listenerCount("uncaughtException") > 1) return; // task code handles its own
    if (exitCode !== undefined) return;
    process.stderr.write(`Uncaught ${inspect(error)}\n`);
    const started = runtime.halt();
    try {
      post([OP_FATAL, encodeError(error), started]);
    } catch {
      // the error cannot be encoded: the exit code tells the rest
    }
    setTimeout(() => process.exit(1), FLUSH_LIMIT_MS);
    leave(1);
  });
}

// A thread of its own notices the parent's death even while a task blocks the main thread.
function watchParent(): void {
  const watchdog = new Worker(
    `const { workerData } = require("node:worker_threads");
     setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, "SIGKILL"); }, 250);`,
    { eval: true, workerData: process.ppid, execArgv: [], stdout: true, stderr: true },
  );
  watchdog.unref();
}
