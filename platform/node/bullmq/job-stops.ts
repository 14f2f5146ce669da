/**
 * Stop requests on the worker's side: the jobs running here, each with the signal its task sees,
 * made only when something asks for it. BullMQ would make an AbortController for every job if
 * the processor took its signal; for tiny tasks that is a measurable part of a job's cost, and
 * most never look at it.
 * @internal
 * @module
 */

export interface JobStop {
  /** The task's signal (made on first use; already aborted if a stop came first). */
  signal(): AbortSignal;
  readonly aborted: boolean;
}

class Entry implements JobStop {
  #controller: AbortController | undefined;
  #reason: unknown;
  #stopped = false;

  signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#stopped;
  }

  abort(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

export class JobStops {
  readonly #running = new Map<string, Entry>();

  start(id: string): JobStop {
    const e = new Entry();
    this.#running.set(id, e);
    return e;
  }

  end(id: string): void {
    this.#running.delete(id);
  }

  /** An executor asked to stop job `id` (if it runs here). */
  abort(id: string, reason: string): void {
    this.#running.get(id)?.abort(new Error(`the job was stopped: ${reason}`));
  }
}
