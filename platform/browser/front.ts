/**
 * What the executor's front, in an app's main bundle, shares with the chunks loaded later (the
 * scheduler, the inline engine, map, the Web Worker spawner, the threads.js translator), named once
 * so that a bundler puts it in one file.
 *
 * esbuild gives the code that an app and its later chunks both use one file per distinct set of
 * chunks using it, each fetched and gzipped on its own: the front came as eight files, ~1 KB
 * gzipped more than the same code as two. Every chunk loaded later that imports modules of ours
 * re-exports {@link FRONT} (the others are self-contained files: the worker's bootstrap, the copy of
 * the classes, a Manager's core, observable-fns), so each module named here is used by all of them,
 * and they share one file. Name only modules the
 * front itself uses, by one export it uses (naming another would bring it into the main bundle),
 * and none that loads a later chunk (an `import()`): the chunks would then reach themselves, and
 * Vite's worker builds (rolldown, one file, no code splitting) would keep them all and fail. A
 * module the front and a later chunk share but missing here comes as a file of its own again
 * (`npm run size` counts the files).
 * @internal
 * @module
 */
import { encodeShared } from "../../src/shared/encode.js";
import { sharedSeen } from "../../src/shared/shareable.js";
import { checkNesting } from "../../src/util/nesting.js";
import { Task } from "../../src/pool/task.js";
import { EVENT_BITS } from "../../src/pool/events.js";
import { describe } from "../../src/util/describe.js";
import { assertTimeout } from "../../src/util/validate.js";
import { now } from "../../src/util/timers.js";
import { newFuture } from "../../src/futures/future.js";
import { watchAbort } from "../../src/pool/abort-watch.js";
import { ShutdownError } from "../../src/futures/errors.js";
import { taskCode } from "../../src/wire/protocol.js";
import { isTransfer } from "../../src/wire/transfer.js";
import { checkMapCall } from "../../src/pool/map-call.js";
import { web } from "./dom.js";
import { nextThreadId } from "./thread-ids.js";

export const FRONT: readonly unknown[] = [
  encodeShared,
  sharedSeen,
  checkNesting,
  Task,
  EVENT_BITS,
  describe,
  assertTimeout,
  now,
  newFuture,
  watchAbort,
  ShutdownError,
  taskCode,
  isTransfer,
  checkMapCall,
  web,
  nextThreadId,
];
