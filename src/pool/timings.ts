/**
 * `stats().timings`: how long recent tasks waited for a worker and how long they ran.
 *
 * The last {@link TIMING_WINDOW} samples of each kind are kept in a ring of floats, and the
 * summary (count, mean, percentiles, max) is computed only when `stats()` is called: recording is
 * one store, with no allocation, no histogram bucketing and no clock read of its own (the
 * scheduler passes the times it reads anyway, once per message). piscina records into
 * hdr-histogram-js histograms over the executor's whole life; a ring of recent samples answers the
 * question a service asks ("how long do tasks wait *now*?") in a few lines and adds nothing to the
 * browser bundle, and sorting 1,024 numbers per `stats()` call costs some µs.
 * @module
 */

/** Summary of one kind of duration over the recent window, in ms. */
export interface TimingSummary {
  /** Samples in the window (at most 1,024: the most recent tasks). */
  count: number;
  mean: number;
  /** Median. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** `stats().timings`. */
export interface ExecutorTimings {
  /**
   * From submission to being handed to a worker (ms). Submission is counted from the first
   * `submit` of the same event-loop turn: tasks submitted together share one clock reading.
   */
  wait: TimingSummary;
  /**
   * From being handed to a worker to its result arriving back (ms): the task's run time plus the
   * round trip. Quick tasks travel in batches: their times then include waiting behind the tasks
   * before them in the batch. Tasks that were cancelled, timed out or lost with a worker count in
   * neither summary.
   */
  run: TimingSummary;
}

/** How many recent samples each summary covers. */
export const TIMING_WINDOW = 1024;
const MASK = TIMING_WINDOW - 1;

/** A ring of the last {@link TIMING_WINDOW} durations. */
export class TimingRing {
  readonly #samples = new Float64Array(TIMING_WINDOW);
  #next = 0;

  record(ms: number): void {
    this.#samples[this.#next++ & MASK] = ms;
  }

  summary(): TimingSummary {
    const count = this.#next < TIMING_WINDOW ? this.#next : TIMING_WINDOW;
    if (count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.#samples.slice(0, count).sort();
    let sum = 0;
    for (let i = 0; i < count; i++) sum += sorted[i] as number;
    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    const at = (p: number) => sorted[Math.min(count - 1, Math.ceil(p * count) - 1)] as number;
    return { count, mean: sum / count, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[count - 1] as number };
  }
}
