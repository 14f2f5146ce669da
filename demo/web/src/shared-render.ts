// The shared-memory render: every worker writes pixels straight into one SharedArrayBuffer, three
// passes apart. Pass 1 computes escape times (and a grey preview), pass 2 adds each worker's
// counts into a shared histogram, pass 3 colours every pixel by its rank in that histogram — which
// needs every pixel of pass 1 and every count of pass 2, hence a Barrier between the passes. An
// Event pauses and resumes all workers at once; a stop flag ends them.
import type { Barrier, Event, SharedArray } from "isofutures";
import { escapeTime, rankColour, type View } from "./fractal-math.js";

/** Cells of the shared `progress` Int32Array. */
export const P = { rows1: 0, workers2: 1, rows3: 2, phase: 3, stop: 4, length: 5 } as const;

/** One worker's part of a shared render. */
export interface SharedJob {
  /** This worker's place among `parties`: it does rows y with y % parties === index. */
  index: number;
  parties: number;
  view: View;
  /** width × height Float32: smooth escape times (-1 inside the set). */
  times: SharedArrayBuffer;
  /** width × height RGBA, shown by the page as it changes. */
  pixels: SharedArrayBuffer;
  /** maxIter bins: how many pixels escaped after n iterations. */
  histogram: SharedArray<"int32">;
  /** Int32 cells indexed by {@link P}. */
  progress: SharedArrayBuffer;
  barrier: Barrier;
  /** Set while the render may run; cleared to pause it. */
  running: Event;
}

class Stopped extends Error {
  override name = "AbortError";
}

/** A worker's share of the three passes; returns how many ms it spent waiting at the barrier. */
export function sharedRender(job: SharedJob): { rows: number; waitedMs: number } {
  const { index, parties, view, barrier, running } = job;
  const { width, height, maxIter } = view;
  const times = new Float32Array(job.times);
  const pixels = new Uint8ClampedArray(job.pixels);
  const progress = new Int32Array(job.progress);
  const hist = job.histogram.values;
  let rows = 0;
  let waitedMs = 0;

  const step = () => {
    // Paused: wait for the event, looking at the stop flag now and then.
    while (!running.waitSync({ timeout: 250 })) if (Atomics.load(progress, P.stop) !== 0) break;
    if (Atomics.load(progress, P.stop) !== 0) throw new Stopped("the render was stopped");
  };
  const meet = (phase: number) => {
    const t0 = performance.now();
    if (barrier.waitSync() === 0) Atomics.store(progress, P.phase, phase);
    waitedMs += performance.now() - t0;
  };

  // Pass 1: escape times, and a grey preview of them.
  for (let y = index; y < height; y += parties) {
    step();
    for (let x = 0, at = y * width; x < width; x++, at++) {
      const mu = escapeTime(view, x, y);
      times[at] = mu;
      const grey = mu < 0 ? 0 : Math.min(255, Math.sqrt(mu) * 24);
      pixels[at * 4] = grey;
      pixels[at * 4 + 1] = grey;
      pixels[at * 4 + 2] = grey;
      pixels[at * 4 + 3] = 255;
    }
    rows++;
    Atomics.add(progress, P.rows1, 1);
  }
  meet(2);

  // Pass 2: this worker's histogram, added into the shared one.
  step();
  const local = new Int32Array(maxIter);
  for (let y = index; y < height; y += parties) {
    for (let x = 0, at = y * width; x < width; x++, at++) {
      const mu = times[at]!;
      if (mu >= 0) local[Math.min(maxIter - 1, Math.floor(mu))]!++;
    }
  }
  for (let n = 0; n < maxIter; n++) if (local[n] !== 0) Atomics.add(hist, n, local[n]!);
  Atomics.add(progress, P.workers2, 1);
  meet(3);

  // Pass 3: colour by rank. Every worker reads the whole histogram, complete now.
  const below = new Float64Array(maxIter + 1);
  for (let n = 0; n < maxIter; n++) below[n + 1] = below[n]! + Atomics.load(hist, n);
  const total = below[maxIter] || 1;
  for (let y = index; y < height; y += parties) {
    step();
    for (let x = 0, at = y * width; x < width; x++, at++) {
      const mu = times[at]!;
      if (mu < 0) {
        pixels[at * 4] = 0;
        pixels[at * 4 + 1] = 0;
        pixels[at * 4 + 2] = 0;
        continue;
      }
      const n = Math.min(maxIter - 1, Math.floor(mu));
      // Between the ranks of bin n and n + 1, by the fractional part: no visible bands.
      rankColour((below[n]! + (mu - n) * (below[n + 1]! - below[n]!)) / total, pixels, at * 4);
    }
    Atomics.add(progress, P.rows3, 1);
  }
  return { rows, waitedMs: Math.round(waitedMs) };
}
