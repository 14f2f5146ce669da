/**
 * Web Workers have no thread id: each gets a number, 1, 2, … in the order this realm starts them
 * (pools' workers and Processes alike).
 * @internal
 * @module
 */
let started = 0;

export function nextThreadId(): number {
  return ++started;
}
