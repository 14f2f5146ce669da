/**
 * The `EventTarget` side of an executor: typed `addEventListener` for its events, and the
 * {@link ExecutorEvents} object its engine reports through. Adding a listener sets a bit that the
 * engine reads before building an event, so events nobody listens to cost one field read.
 * @module
 */
import { EVENT_BITS, makeEvent, type ExecutorEvent, type ExecutorEventMap, type ExecutorEvents } from "./events.js";

/** The {@link ExecutorEvents} of an executor, for its engine (module-private: not on the public type). @internal */
export let eventsOf!: (target: ExecutorEventTarget) => ExecutorEvents;

type AddOptions = boolean | { once?: boolean; capture?: boolean; passive?: boolean; signal?: AbortSignal };

/**
 * What every executor is as an `EventTarget`. Events: `"workerstart"` (`detail`: `{ name, pid?,
 * threadId? }`), `"workerexit"` (`{ name, code, signal, crashed }`), `"drain"` (no task waits for
 * a worker any more), `"idle"` (nothing queued or running). They are dispatched on a microtask
 * after what they report, never from inside the executor's own bookkeeping.
 */
export abstract class ExecutorEventTarget extends EventTarget {
  #pending: [string, object][] = [];
  readonly #dispatchNow = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (const [type, detail] of pending) this.dispatchEvent(makeEvent(type, detail));
  };

  // What the engine reports events through.
  readonly #events: ExecutorEvents & { listening: number } = {
    listening: 0,
    emit: (type, detail) => {
      if (this.#pending.push([type, detail]) === 1) queueMicrotask(this.#dispatchNow);
    },
  };

  /**
   * Listens to one of the executor's events; `event.detail` holds what it reports.
   * @example
   * ```ts
   * pool.addEventListener("workerexit", (e) => { if (e.detail.crashed) log(`${e.detail.name} crashed`); });
   * ```
   */
  override addEventListener<K extends keyof ExecutorEventMap>(
    type: K,
    listener: ((event: ExecutorEvent<ExecutorEventMap[K]>) => void) | { handleEvent(event: ExecutorEvent<ExecutorEventMap[K]>): void } | null,
    options?: AddOptions,
  ): void;
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void;
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    const bit = (EVENT_BITS as Readonly<Record<string, number>>)[String(args[0])];
    // A bit stays set once a listener was added (removals are not counted): afterwards an event
    // with no listener left costs one dispatch to nobody.
    if (bit !== undefined && args[1] != null) this.#events.listening |= bit;
    super.addEventListener(...args);
  }

  override removeEventListener<K extends keyof ExecutorEventMap>(
    type: K,
    listener: ((event: ExecutorEvent<ExecutorEventMap[K]>) => void) | { handleEvent(event: ExecutorEvent<ExecutorEventMap[K]>): void } | null,
    options?: boolean | { capture?: boolean },
  ): void;
  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void;
  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
    super.removeEventListener(...args);
  }

  static {
    eventsOf = (target) => target.#events;
  }
}
