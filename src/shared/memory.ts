/**
 * The ground the shared-memory primitives stand on: checking that memory can be shared here,
 * blocking and non-blocking waits on an `Int32Array` word, and a per-thread identity.
 * @internal
 * @module
 */
import { UnsupportedError } from "../futures/errors.js";
import type { Timer } from "../util/timers.js";
import { noteShared } from "./shareable.js";

/** Throws {@link UnsupportedError} saying why `what` cannot be made here and what to do. */
export function requireSharedMemory(what: string): void {
  if (typeof SharedArrayBuffer === "function") {
    noteShared();
    return;
  }
  // Not isolated, or isolated in an engine that still lacks SharedArrayBuffer (WebKitGTK unless
  // JavaScriptCore's useSharedArrayBuffer option is on): two different fixes.
  const isolated = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
  if (isolated !== false) {
    throw new UnsupportedError(
      `${what} needs shared memory (SharedArrayBuffer), which this JavaScript engine does not provide` +
        `${isolated === true ? " although the page is cross-origin isolated" : ""}: it may be turned off ` +
        "(WebKitGTK turns it on with the environment variable JSC_useSharedArrayBuffer=1). Use another engine, " +
        "or pass data to tasks and back instead.",
    );
  }
  throw new UnsupportedError(
    `${what} needs shared memory (SharedArrayBuffer), which this page does not have: it is not cross-origin ` +
      "isolated. Serve it with the headers Cross-Origin-Opener-Policy: same-origin and " +
      "Cross-Origin-Embedder-Policy: require-corp, or pass data to tasks and back instead.",
  );
}

/** A new zero-filled `Int32Array` of `length` words over shared memory. */
export function sharedInts(length: number, what: string): Int32Array {
  requireSharedMemory(what);
  return new Int32Array(new SharedArrayBuffer(4 * length));
}

const now: () => number = typeof performance === "object" ? () => performance.now() : Date.now;

/** Milliseconds left until `deadline` (Infinity when there is none). */
export function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - now());
}

/** The deadline of a `{ timeout }` given now. */
export function deadlineOf(timeout: number | undefined): number {
  return timeout === undefined ? Infinity : now() + timeout;
}

/**
 * `Atomics.wait`: blocks this thread while `cells[index] === value`, at most `ms`. Threads that
 * may not block (a page's main thread) get an error that says to use the async form.
 */
export function waitSync(cells: Int32Array, index: number, value: number, ms: number): "ok" | "not-equal" | "timed-out" {
  try {
    return Atomics.wait(cells, index, value, ms);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new TypeError(
        "this thread may not block (a page's main thread): use the async form (await lock.acquire(), await queue.get()…) here; the Sync forms are for workers",
      );
    }
    throw error;
  }
}

/**
 * On whose behalf a blocking call runs when it is not this thread's own: the broker of a process
 * tree acting for a child process. Locks record `owner` instead of this thread's id, and a wait in
 * progress gives up once the child is `gone` (its connection closed), instead of taking an item or
 * a lock nobody will use.
 * @internal
 */
export interface Acting {
  readonly owner: number;
  /** Resolves once the one acted for is gone. */
  readonly gone: Promise<void>;
  /** True once it is gone. */
  readonly isGone: boolean;
}

/** {@link waitAsync} that also returns (as "gone") once `acting` is gone. @internal */
export function waitActing(cells: Int32Array, index: number, value: number, ms: number, acting: Acting | undefined): Promise<string> {
  const wait = waitAsync(cells, index, value, ms);
  return acting === undefined ? wait : Promise.race([wait, acting.gone.then(() => "gone")]);
}

type WaitAsync = (cells: Int32Array, index: number, value: number, ms?: number) => { async: boolean; value: Promise<string> | string };
const atomicsWaitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * Resolves when `cells[index]` is notified or stops being `value`, or after `ms`. Uses
 * `Atomics.waitAsync`; where it is missing, polls with a backoff of 1 to 16 ms.
 */
export async function waitAsync(cells: Int32Array, index: number, value: number, ms: number): Promise<"ok" | "not-equal" | "timed-out"> {
  if (atomicsWaitAsync) {
    const r = atomicsWaitAsync(cells, index, value, ms === Infinity ? undefined : ms);
    if (!r.async) return r.value as "not-equal" | "timed-out";
    keepAlive();
    try {
      return (await r.value) as "ok" | "timed-out";
    } finally {
      letGo();
    }
  }
  const deadline = ms === Infinity ? Infinity : now() + ms;
  for (let pause = 1; ; pause = Math.min(16, pause * 2)) {
    if (Atomics.load(cells, index) !== value) return "not-equal";
    const left = remaining(deadline);
    if (left <= 0) return "timed-out";
    await new Promise<void>((r) => setTimeout(() => r(), Math.min(pause, left)));
  }
}

// `Atomics.waitAsync` holds no event-loop handle: a Node program whose only work left is such a
// wait would end under it (exit code 13, the await unsettled). One ref'd timer stands for every
// pending wait of this thread and goes with the last one, so the program lives exactly while
// someone waits. (Browsers have no such notion; the timer is harmless there.)
let pendingWaits = 0;
let keeper: Timer | undefined;
const KEEPER_MS = 0x3fffffff;
const noop = (): void => {};

function keepAlive(): void {
  if (pendingWaits++ === 0) keeper = setInterval(noop, KEEPER_MS);
}

function letGo(): void {
  if (--pendingWaits === 0) {
    clearInterval(keeper);
    keeper = undefined;
  }
}

const THREAD_KEY = Symbol.for("isofutures.threadId");

/** A number naming this thread (this realm) for owners of reentrant locks: never 0. */
export function threadId(): number {
  const g = globalThis as Record<symbol, number | undefined>;
  let id = g[THREAD_KEY];
  if (id === undefined) {
    do id = (Math.random() * 0x7fffffff) | 0;
    while (id === 0);
    g[THREAD_KEY] = id;
  }
  return id;
}
