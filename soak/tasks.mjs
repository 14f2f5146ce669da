// Tasks of the soak programs.
import { openSync, writeSync } from "node:fs";
import { currentTask } from "isofutures/worker";

export const add = (a, b) => a + b;
export const echo = (x) => x;
/** Resolves `value` after `ms`, or early with "stopped" when asked to stop. */
export function nap(ms, value) {
  const { signal } = currentTask();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve("stopped");
    }, { once: true });
  });
}
/** Resolves after `ms` and ignores any request to stop. */
export const sleep = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
/** Busy for `ms` ms, deaf to requests to stop. */
export function spin(ms, value) {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return value;
}
export function exitWith(code) {
  process.exit(code);
}
export function fail(value) {
  throw new RangeError(`failed ${value}`);
}
/** Never returns; writes the time (ms) to `file` every millisecond, so the caller sees when it stopped. */
export function heartbeatForever(file) {
  const fd = openSync(file, "w");
  let last = 0;
  for (;;) {
    const t = Date.now();
    if (t !== last) {
      writeSync(fd, String(t).padStart(16, "0"), 0); // same length every time: never a torn read
      last = t;
    }
  }
}
