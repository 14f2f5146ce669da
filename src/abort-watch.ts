/**
 * One "abort" listener per signal, however many tasks watch it. A signal shared by many tasks
 * (a request's, or an app-wide shutdown signal) would otherwise collect one listener per task,
 * and Node warns past ten ("MaxListenersExceededWarning … abort listeners added to
 * [AbortSignal]"). Watchers run in the order they were added; a watcher may stop watching, or
 * stop others, while the signal dispatches.
 * @internal
 * @module
 */

const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `onAbort` once when `signal` aborts (never if it already has). Returns the function that
 * stops watching; calling it again, or after the abort, does nothing.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let set = watchers.get(signal);
  if (set === undefined) {
    const fresh = new Set<() => void>();
    set = fresh;
    watchers.set(signal, fresh);
    signal.addEventListener(
      "abort",
      () => {
        watchers.delete(signal);
        for (const watcher of fresh) {
          fresh.delete(watcher);
          watcher();
        }
      },
      { once: true },
    );
  }
  // Each call gets its own entry, even for the same function.
  const entry = () => onAbort();
  set.add(entry);
  const owner = set;
  return () => void owner.delete(entry);
}
