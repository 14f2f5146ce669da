// Shared memory: workers paint into one SharedArrayBuffer, three passes held apart by a Barrier.
import { Barrier, Event, SharedArray, cpuCount, type ThreadPoolExecutor } from "isofutures";
import { homeView } from "./fractal-math.js";
import { P, type SharedJob } from "./shared-render.js";
import { byId, errorText, fingerprint, makeExecutor, mountLayout, ms, setStatus, workerChoices, workerCount } from "./site.js";
import type { Tasks } from "./tasks.worker.js";

mountLayout();

const canvas = byId<HTMLCanvasElement>("canvas");
const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
const workers = byId<HTMLSelectElement>("workers");
const iterations = byId<HTMLInputElement>("iterations");
const runButton = byId<HTMLButtonElement>("run");
const pauseButton = byId<HTMLButtonElement>("pause");
const stopButton = byId<HTMLButtonElement>("stop");
const status = byId("status");
const bars = [byId<HTMLProgressElement>("pass1"), byId<HTMLProgressElement>("pass2"), byId<HTMLProgressElement>("pass3")];

/** Errors from workers keep their name (BrokenBarrierError), not their class. */
const isBroken = (e: unknown) => e instanceof Error && e.name === "BrokenBarrierError";

let pool: ThreadPoolExecutor<Tasks> | undefined;
let active: { job: Omit<SharedJob, "index">; progress: Int32Array } | undefined;

function setUp(): void {
  const cores = cpuCount();
  workerChoices(workers, cores, cores);
  byId<HTMLFormElement>("controls").addEventListener("submit", (e) => {
    e.preventDefault();
    void run();
  });
  pauseButton.addEventListener("click", () => {
    if (!active) return;
    const { running, parties } = active.job;
    if (running.isSet()) {
      running.clear();
      setStatus("paused", `Paused: the ${workerCount(parties)} stop at their next row and wait for the Event (running.waitSync()). Resume sets it.`);
    } else {
      running.set();
      setStatus("running", `Running on ${workerCount(parties)}…`);
    }
    pauseButton.textContent = running.isSet() ? "Pause" : "Resume";
    status.dataset.paused = String(!running.isSet());
  });
  stopButton.addEventListener("click", () => {
    if (!active) return;
    Atomics.store(active.progress, P.stop, 1);
    active.job.running.set(); // wake the paused
    active.job.barrier.abort(); // and the ones waiting for the others
  });
  addEventListener("pagehide", () => void pool?.shutdown({ cancelFutures: true }));
}

async function run(): Promise<void> {
  const n = Number(workers.value);
  const maxIter = Number(iterations.value);
  if (!Number.isInteger(maxIter) || maxIter < 50 || maxIter > 20_000) {
    setStatus("error", "Max iterations must be a whole number from 50 to 20,000.");
    return;
  }
  if (pool?.maxWorkers !== n) {
    void pool?.shutdown();
    pool = makeExecutor(n);
  }
  const view = homeView("mandelbrot", canvas.width, canvas.height, maxIter);
  const pixels = new SharedArrayBuffer(view.width * view.height * 4);
  const progressBuffer = new SharedArrayBuffer(P.length * 4);
  const progress = new Int32Array(progressBuffer);
  const running = new Event();
  running.set();
  const job: Omit<SharedJob, "index"> = {
    parties: n,
    view,
    times: new SharedArrayBuffer(view.width * view.height * 4),
    pixels,
    histogram: new SharedArray("int32", maxIter),
    progress: progressBuffer,
    // A worker that never arrives (it died, or Stop was pressed) breaks the barrier for the others
    // instead of leaving them blocked.
    barrier: new Barrier(n, { timeout: 60_000 }),
    running,
  };
  active = { job, progress };
  runButton.disabled = true;
  pauseButton.disabled = false;
  stopButton.disabled = false;
  pauseButton.textContent = "Pause";
  delete status.dataset.fingerprint;
  setStatus("running", `Running on ${workerCount(n)}…`);

  // Paint from shared memory on every frame while the workers run.
  const image = new ImageData(view.width, view.height);
  const shown = new Uint8ClampedArray(pixels);
  let painting = true;
  const paint = () => {
    image.data.set(shown);
    ctx.putImageData(image, 0, 0);
    bars[0]!.value = Atomics.load(progress, P.rows1) / view.height;
    bars[1]!.value = Atomics.load(progress, P.workers2) / n;
    bars[2]!.value = Atomics.load(progress, P.rows3) / view.height;
    if (painting) requestAnimationFrame(paint);
  };
  requestAnimationFrame(paint);

  const started = performance.now();
  try {
    const parts = Array.from({ length: n }, (_, index) => pool!.submit("sharedRender", { ...job, index }));
    // Wait for every part, so that the workers are free again however it ends; report the first
    // failure that is not just a consequence of another (a barrier broken by someone else).
    const settled = await Promise.allSettled(parts);
    const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
    if (failures.length > 0) throw failures.find((f) => !isBroken(f)) ?? failures[0];
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<{ rows: number; waitedMs: number }>).value);
    const time = performance.now() - started;
    painting = false;
    paint();
    const print = fingerprint(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
    const waited = outcomes.map((o) => ms(o.waitedMs)).join(", ");
    status.dataset.fingerprint = print;
    status.dataset.workers = String(n);
    setStatus("done", `Done in ${ms(time)} on ${workerCount(n)}; time each spent at the barrier: ${waited} · fingerprint ${print}`);
  } catch (error) {
    painting = false;
    const stopped = Atomics.load(progress, P.stop) !== 0;
    const why = errorText(error);
    if (stopped) setStatus("stopped", `Stopped (${why}). The workers are free for the next run.`);
    else setStatus("error", `Failed: ${why}${isBroken(error) ? " (a worker did not reach the barrier)" : ""}`);
  } finally {
    active = undefined;
    runButton.disabled = false;
    pauseButton.disabled = true;
    stopButton.disabled = true;
    delete status.dataset.paused;
  }
}

if (globalThis.crossOriginIsolated) {
  setUp();
} else {
  // Show the library's own error for what cannot be done here, and explain it.
  byId("unsupported").hidden = false;
  try {
    new Barrier(2);
    byId("unsupported-error").textContent = "(no error: shared memory works after all)";
  } catch (e) {
    byId("unsupported-error").textContent = errorText(e);
  }
  for (const el of byId("controls").querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>("input, button, select")) el.disabled = true;
  byId("workspace").hidden = true;
  setStatus("unsupported", "Shared memory is not available on this page (see above).");
}
