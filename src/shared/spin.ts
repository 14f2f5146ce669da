/**
 * A spin lock for the primitives' own bookkeeping (waiter tables, queue indices): its critical
 * sections are a few loads and stores, never user code, so spinning is cheaper than sleeping, and
 * it works on threads that may not block (a page's main thread).
 * @internal
 * @module
 */
export function spinLock(cells: Int32Array, index: number): void {
  while (Atomics.compareExchange(cells, index, 0, 1) !== 0) {
    // another thread is inside for a few instructions
  }
}

export function spinUnlock(cells: Int32Array, index: number): void {
  Atomics.store(cells, index, 0);
}
