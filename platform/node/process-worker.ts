/**
 * The `child_process` adapter: one forked Node process as an {@link Endpoint}. Messages travel as
 * JSON over the IPC channel when JSON carries them exactly, else as structured-clone frames on a
 * side socket (process-channel.ts): the protocol is the thread pool's, with the same values.
 * Processes share no memory: there is no control word, transfer lists are copied, and shared memory
 * or message ports in arguments fail the task with `UnsupportedError`.
 * @internal
 * @module
 */
import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { Endpoint, EndpointEvents, SpawnRequest, WorkerFactory } from "../../src/pool/endpoint.js";
import { UnsupportedError } from "../../src/futures/errors.js";
import { findUnsendable } from "../../src/shared/check.js";
import { Broker } from "./remote/broker.js";
import { workerExecArgv } from "./exec-argv.js";
import { resolveModule } from "./resolve.js";
import { ChannelReader, FRAME_MARK, USE_FRAMES, encodeFrame, jsonExact } from "./process-channel.js";

/** Node-specific options of the process pool. */
export interface NodeProcessOptions {
  /** The children's environment. @defaultValue the parent's `process.env` */
  env?: Record<string, string | undefined> | undefined;
  /** Node flags of the children. @defaultValue the parent's `process.execArgv` minus `-e`, `-p`, `--input-type`, test-runner and watch flags */
  execArgv?: readonly string[] | undefined;
  /** The children's working directory (a path or a `file:` URL). @defaultValue the parent's */
  cwd?: string | URL | undefined;
  /**
   * Where the children's stdout and stderr go: `"inherit"` (the parent's file descriptors),
   * `"pipe"` (through the parent's `process.stdout` / `process.stderr` streams), or `"ignore"`.
   * @defaultValue `"inherit"`
   */
  stdio?: "inherit" | "pipe" | "ignore" | undefined;
}

const ENTRY = fileURLToPath(new URL("./process-entry.cjs", import.meta.url));
const ABORTED =
  "the process aborted, as Node does when it runs out of memory or hits another fatal error (its stderr says which); " +
  'for more heap, start the children with execArgv: ["--max-old-space-size=<MB>"]';
/** After SIGTERM, a child that has not exited gets SIGKILL after this long (ms). */
const KILL_GRACE_MS = 1000;

/** How refusals name the user of the factory, and what to use instead. */
export interface ProcessFactoryLabel {
  /** `"a ProcessPoolExecutor"` */
  what: string;
  /** `"a ThreadPoolExecutor, whose worker threads do share memory"` */
  instead: string;
}

const POOL_LABEL: ProcessFactoryLabel = { what: "a ProcessPoolExecutor", instead: "a ThreadPoolExecutor, whose worker threads do share memory" };

export function processFactory(options: NodeProcessOptions, label: ProcessFactoryLabel = POOL_LABEL): WorkerFactory {
  const execArgv = options.execArgv ? [...options.execArgv] : workerExecArgv(process.execArgv);
  const stdio = options.stdio ?? "inherit";
  if (stdio !== "inherit" && stdio !== "pipe" && stdio !== "ignore") {
    throw new TypeError(`ProcessPoolExecutor: stdio must be "inherit", "pipe" or "ignore", got ${String(stdio)}`);
  }
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd;
  let broker: Broker | undefined;
  return {
    kind: "process",
    sharedMemory: false,
    allowSource: true,
    resolveModule,
    checkArgs(args) {
      const found = findUnsendable(args);
      return found === undefined
        ? undefined
        : new UnsupportedError(
            `${found} cannot be passed to ${label.what}: processes do not share memory or message ports. ` +
              `Pass a Queue, a Manager's dict or list, or the data itself — or use ${label.instead}.`,
          );
    },
    // Shared objects reach the children through this thread's broker, which lives as long as the pool.
    shareObject(value) {
      if (!broker) (broker = Broker.current()).ref();
      return broker.share(value);
    },
    close() {
      const releasing = broker?.release();
      broker = undefined;
      return releasing;
    },
    spawn(request: SpawnRequest, events: EndpointEvents): Endpoint {
      const child = fork(ENTRY, [], {
        serialization: USE_FRAMES ? "json" : "advanced",
        execArgv,
        ...(options.env === undefined ? {} : { env: { ...options.env } }),
        ...(cwd === undefined ? {} : { cwd }),
        // fd 4: the side socket for messages JSON cannot carry (process-channel.ts).
        stdio: USE_FRAMES ? ["ignore", stdio, stdio, "ipc", "pipe"] : ["ignore", stdio, stdio, "ipc"],
      });
      if (stdio === "pipe") {
        child.stdout?.pipe(process.stdout, { end: false });
        child.stderr?.pipe(process.stderr, { end: false });
      }
      void request;
      return wrap(child, events);
    },
  };
}

function wrap(child: ChildProcess, events: EndpointEvents): Endpoint {
  let error: unknown;
  let exited: { code?: number; signal?: string } | undefined;
  let disconnected = false;
  let killTimer: NodeJS.Timeout | undefined;
  const frames = USE_FRAMES ? (child.stdio[4] as Socket | null | undefined) : undefined;
  let framesClosed = !frames;
  // Messages still in the pipe (and frames in the socket) when the process ends are read before
  // 'disconnect' (and the socket's 'close'): report the exit only after all, so a result sent just
  // before an exit is not taken for a crash.
  const report = () => {
    if (!exited || !disconnected || !framesClosed) return;
    if (killTimer) clearTimeout(killTimer);
    events.exit({ ...exited, error });
  };
  const reader = new ChannelReader((message) => events.message(message as unknown[]));
  child.on("message", (message: unknown) => reader.ipc(message));
  frames?.on("data", (chunk: Buffer) => reader.bytes(chunk));
  // Never what keeps the program alive: frames answer tasks, and a busy worker's IPC channel is ref'd.
  frames?.unref();
  frames?.on("error", () => {}); // a child that dies mid-write: its exit says what happened
  frames?.once("close", () => {
    framesClosed = true;
    report();
  });
  child.on("error", (e) => {
    error ??= e;
    if (child.pid === undefined && !exited) {
      // never started (spawn failed, e.g. no such cwd): no 'exit' will come (and Node has already
      // set exitCode to the negative errno, so that is no sign of an exit)
      exited = { code: -1 };
      disconnected = true;
      framesClosed = true;
      report();
    }
  });
  child.once("disconnect", () => {
    disconnected = true;
    report();
  });
  child.once("exit", (code, signal) => {
    // V8 aborts a process that runs out of heap: the signal is all the parent sees of it.
    if (signal === "SIGABRT") error ??= new Error(ABORTED);
    exited = {
      ...(code === null ? {} : { code }),
      ...(signal === null ? {} : { signal }),
    };
    if (!child.connected) disconnected = true;
    report();
  });
  const setRef = (on: boolean) => {
    const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    const streams = [child.stdout, child.stderr] as ({ ref?: () => void; unref?: () => void } | null)[];
    if (on) {
      child.ref();
      channel?.ref?.();
      for (const s of streams) s?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
      for (const s of streams) s?.unref?.();
    }
  };
  return {
    post(message) {
      // Transfer lists cannot cross processes: everything is copied.
      if (!child.connected) return;
      if (jsonExact(message) || !frames) child.send(message);
      else {
        frames.write(encodeFrame(message)); // throws, sending nothing, if it cannot be cloned
        child.send(FRAME_MARK);
      }
    },
    terminate() {
      if (exited) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
    setBusy: setRef,
    pid: child.pid,
  };
}
