/**
 * The core's internals an engine outside `src/` must take from the executor's own copy of the
 * package (an engine's bundle may hold another): settling its futures, watching signals, decoding
 * errors into its classes. Plain constants (the protocol's) it may import itself. Node's entry
 * provides it (engine.ts, `provideEngineKit`). It also runs Node's maps: executors made without a
 * map runner of their own (Node's, where map.ts is in the bundle anyway) take `runMap` from here.
 * @internal
 * @module
 */
import { decodeError } from "../wire/error-codec.js";
import { BrokenExecutorError, CancelledError, TimeoutError, WorkerCrashedError } from "../futures/errors.js";
import { forceCancel, setException, setResult, setRunning } from "../futures/future.js";
import { watchAbort } from "./abort-watch.js";
import { runMap } from "./map.js";

export const engineKit = {
  setRunning,
  setResult,
  setException,
  forceCancel,
  watchAbort,
  decodeError,
  runMap,
  errors: { CancelledError, TimeoutError, WorkerCrashedError, BrokenExecutorError },
} as const;
