// Task functions for the scenarios shared by the Node and browser suites: a plain ES module with
// no bare imports (workers in browsers have no import maps), usable by every executor kind.
import { currentTask, transfer } from "../dist/browser/worker.js";

export const add = (a, b) => a + b;
export const pow = (a, b) => a ** b;
export const echo = (x) => x;
export const identity = (...args) => args;
export const divmod = (a, b) => {
  if (b === 0) throw new RangeError("integer division or modulo by zero");
  return [Math.floor(a / b), a % b];
};
export const sleep = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value ?? ms), ms));
/** Never returns (until its worker is stopped); does observable work so no bundler drops the loop. */
export function forever() {
  let n = 0;
  for (;;) n = (n + 1) % 1_000_003;
}
/** Ends its worker: process.exit() in Node (thread or process), close() in a Web Worker. */
export function crash(code = 3) {
  if (typeof process === "object" && typeof process.exit === "function") process.exit(code);
  globalThis.close();
  return new Promise(() => {});
}
export function throwRich() {
  const cause = new TypeError("the cause", { cause: new Error("root cause") });
  const e = new RangeError("rich failure", { cause });
  e.code = "E_RICH";
  e.details = { n: 1, list: [1, 2, 3] };
  return Promise.reject(e);
}
export function throwCustom() {
  class ValidationError extends Error {
    constructor(message) {
      super(message);
      this.name = "ValidationError";
      this.field = "email";
    }
  }
  throw new ValidationError("email is invalid");
}
export function throwValue(kind) {
  if (kind === "undefined") throw undefined;
  if (kind === "zero") throw 0;
  if (kind === "empty") throw "";
  throw null;
}
export function timeoutOnOne(x) {
  if (x === 1) {
    const e = new Error("the task's own timeout");
    e.name = "TimeoutError";
    throw e;
  }
  return x;
}
export function fill(buf, value) {
  new Uint8Array(buf).fill(value);
  return transfer(buf, [buf]);
}
export const byteLength = (buf) => buf.byteLength;
export async function cooperative(ms) {
  const { signal } = currentTask();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (signal.aborted) return "stopped";
    await new Promise((r) => setTimeout(r, 5));
  }
  return "finished";
}
/**
 * Waits at a gate until the test opens it. A gate is a BroadcastChannel name (threads, Web Workers,
 * inline), or a `file:` URL of a folder (processes, which share no channel).
 */
export async function gate(handle, value) {
  if (handle.startsWith("file:")) {
    const { existsSync, writeFileSync } = await import("node:fs");
    const dir = new URL(`${handle}/`);
    writeFileSync(new URL(`arrived-${Math.random().toString(36).slice(2)}`, dir), "");
    while (!existsSync(new URL("open", dir))) await new Promise((r) => setTimeout(r, 2));
    return value ?? "passed";
  }
  const channel = new BroadcastChannel(handle);
  try {
    await new Promise((resolve) => {
      channel.onmessage = (e) => e.data === "open" && resolve();
      channel.postMessage("arrived");
    });
  } finally {
    channel.close();
  }
  return value ?? "passed";
}
/** `{ gate }` waits at that gate and returns "slow"; anything else comes back at once. */
export function gateOrEcho(x) {
  return typeof x === "object" && x !== null && "gate" in x ? gate(x.gate, "slow") : x;
}
export const notAFunction = 42;
/** A name for the worker running this (a thread, a process, a Web Worker): same name, same worker. */
export function workerId() {
  globalThis.__isofuturesTestWorkerId ??= Math.random().toString(36).slice(2);
  return globalThis.__isofuturesTestWorkerId;
}
/** Counts forever, a little slowly; when the stream is stopped, arrives at `gate` (from `finally`). */
export async function* endless(gate) {
  try {
    for (let i = 0; ; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield i;
    }
  } finally {
    await arrive(gate);
  }
}
/** Yields 0…n-1 as fast as the consumer allows, arriving at `gate` before each value. */
export async function* produce(n, gate) {
  for (let i = 0; i < n; i++) {
    await arrive(gate);
    yield i;
  }
}
/** Yields 0…n-1 as progress, then returns a result: `stream.result`. */
export async function* progress(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += i;
    yield i;
  }
  return { sum, n };
}
export async function* failAfter(n) {
  for (let i = 0; i < n; i++) yield i;
  throw new RangeError(`failed after ${n} values`);
}
/** An Observable-like source (subscribe/unsubscribe), as threads.js and observable-fns tasks return. */
export function ticks(n) {
  return {
    subscribe(observer) {
      let i = 0;
      const timer = setInterval(() => {
        if (i < n) observer.next(i++);
        else {
          clearInterval(timer);
          observer.complete();
        }
      }, 1);
      return { unsubscribe: () => clearInterval(timer) };
    },
  };
}
async function arrive(handle) {
  if (handle.startsWith("file:")) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(new URL(`${handle}/arrived-${Math.random().toString(36).slice(2)}`), "");
    return;
  }
  const channel = new BroadcastChannel(handle);
  channel.postMessage("arrived");
  channel.close();
}
