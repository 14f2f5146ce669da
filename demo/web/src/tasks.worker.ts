// The demo's worker file. Started as `new Worker(new URL("./tasks.worker.ts", import.meta.url),
// { type: "module" })`, which Vite bundles as a worker; `serve()` makes its functions the tasks.
import { currentTask, serve, transfer } from "isofutures/worker";
import { renderTile, type Tile, type View } from "./fractal-math.js";
import { sharedRender } from "./shared-render.js";

/** A name for this worker, so the page can show which worker drew what. */
const WORKER = Math.random().toString(36).slice(2, 8);

function delay(ms: number): Promise<void> {
  const { signal } = currentTask();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

const tasks = {
  /** One tile of a fractal: its RGBA pixels (moved back, not copied) and the worker that drew it. */
  tile({ view, tile }: { view: View; tile: Tile }) {
    const pixels = renderTile(view, tile);
    return transfer({ tile, pixels, worker: WORKER }, [pixels.buffer]);
  },
  sharedRender,
  /** Waits `ms`, then returns it; stops early (rejecting) when the caller cancels. */
  async sleep(ms: number) {
    await delay(ms);
    return ms;
  },
  /** Waits `ms`, then throws. */
  async fail(ms: number, message: string): Promise<never> {
    await delay(ms);
    throw new RangeError(message);
  },
  /** Busy for `ms` of CPU, looking at its signal between slices: a cooperative long computation. */
  crunch(ms: number) {
    const { signal } = currentTask();
    const end = performance.now() + ms;
    let x = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
      signal.throwIfAborted();
    }
    return Math.round(x) % 1000;
  },
  /** This worker's name. */
  whoami: () => WORKER,
};

/** The tasks, for typed `submit` calls: `new ThreadPoolExecutor<Tasks>(…)`. */
export type Tasks = typeof tasks;

serve(tasks);
