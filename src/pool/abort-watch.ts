/**
 * One "abort" listener per signal, however many tasks watch it. A signal shared by many tasks
 * (a request's, or an app-wide shutdown signal) would otherwise collect one listener per task,
 * and Node warns past ten ("MaxListenersExceededWarning … abort listeners added to
 * [AbortSignal]"). The listener goes when the last watcher stops watching, so a finished task
 * leaves nothing on the signal. Watchers run in the order they were added; a watcher may stop
 * watching, or stop others, while the signal dispatches.
 * @internal
 * @module
 */

interface Watchers {
  readonly set: Set<() => void>;
  readonly listener: () => void;
}

const bySignal = new WeakMap<AbortSignal, Watchers>();

/**
 * Calls `onAbort` once when `signal` aborts (never if it already has). Returns the function that
 * stops watching; calling it again, or after the abort, does nothing.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let w = bySignal.get(signal);
  if (w === undefined) {
    const set = new Set<() => void>();
    const listener = () => {
      bySignal.delete(signal);
      for (const watcher of set) {
        set.delete(watcher);
        watcher();
      }
    };
    w = { set, listener };
    bySignal.set(signal, w);
    signal.addEventListener("abort", listener, { once: true });
  }
  // Each call gets its own entry, even for the same function.
  const entry = () => onAbort();
  const watchers = w;
  watchers.set.add(entry);
  return () => {
    if (!watchers.set.delete(entry) || watchers.set.size > 0) return;
    if (bySignal.get(signal) === watchers) bySignal.delete(signal);
    signal.removeEventListener("abort", watchers.listener);
  };
}
