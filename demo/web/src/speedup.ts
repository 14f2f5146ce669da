// Speedup: the same render with 1…N workers, timed, and plotted against the ideal.
import { cpuCount } from "isofutures";
import { drawChart } from "./chart.js";
import { homeView } from "./fractal-math.js";
import { renderView } from "./render.js";
import { byId, errorText, fingerprint, makeExecutor, mountLayout, ms, setStatus, workerCount } from "./site.js";

mountLayout();

const maxWorkers = byId<HTMLInputElement>("max-workers");
const repeats = byId<HTMLInputElement>("repeats");
const run = byId<HTMLButtonElement>("run");
const results = byId<HTMLTableSectionElement>("results");
const timeChart = byId<SVGSVGElement>("time-chart");
const speedupChart = byId<SVGSVGElement>("speedup-chart");

const cores = cpuCount();
byId("cores").textContent = String(cores);
maxWorkers.value = String(cores);

// Off-screen: the picture itself is not shown, only compared.
const canvas = document.createElement("canvas");
canvas.width = 960;
canvas.height = 600;
const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
const view = homeView("mandelbrot", canvas.width, canvas.height, 1500);
const TILE = 64;

function draw(times: readonly (readonly [number, number])[], max: number): void {
  const base = times[0]?.[1];
  const speedups = base === undefined ? [] : times.map(([n, t]) => [n, base / t] as const);
  drawChart(timeChart, {
    title: "Render time",
    xLabel: "workers",
    yLabel: "ms",
    xMax: max,
    yMax: Math.max(1, ...times.map(([, t]) => t)) * 1.1,
    series: [{ name: "measured", className: "series-time", points: times, dots: true }],
  });
  drawChart(speedupChart, {
    title: "Speedup",
    xLabel: "workers",
    yLabel: "× the 1-worker speed",
    xMax: max,
    yMax: Math.max(max, ...speedups.map(([, s]) => s)) * 1.05,
    series: [
      { name: "ideal (N×)", className: "series-ideal", points: Array.from({ length: max }, (_, i) => [i + 1, i + 1] as const) },
      { name: "measured", className: "series-speedup", points: speedups, dots: true },
    ],
  });
}

function readInt(input: HTMLInputElement, what: string, lo: number, hi: number): number {
  const n = Number(input.value);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new RangeError(`${what} must be a whole number from ${lo} to ${hi}`);
  return n;
}

async function measure(): Promise<void> {
  let max: number;
  let reps: number;
  try {
    max = readInt(maxWorkers, "The number of workers", 1, 64);
    reps = readInt(repeats, "Repeats", 1, 10);
  } catch (e) {
    setStatus("error", (e as Error).message);
    return;
  }
  run.disabled = true;
  results.replaceChildren();
  const times: [number, number][] = [];
  let reference: string | undefined;
  draw(times, max);
  try {
    for (let n = 1; n <= max; n++) {
      setStatus("running", `${workerCount(n)}: warming up…`);
      const pool = makeExecutor(n);
      try {
        await renderView(pool, view, ctx, { tileSize: TILE });
        let best = Infinity;
        for (let r = 0; r < reps; r++) {
          setStatus("running", `${workerCount(n)}: run ${r + 1} of ${reps}…`);
          best = Math.min(best, await renderView(pool, view, ctx, { tileSize: TILE }));
        }
        const print = fingerprint(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
        reference ??= print;
        times.push([n, best]);
        const speedup = times[0]![1] / best;
        const row = results.insertRow();
        row.dataset.workers = String(n);
        for (const cell of [String(n), ms(best), `${speedup.toFixed(2)}×`, `${Math.round((speedup / n) * 100)} %`, print === reference ? "yes" : `NO (${print})`]) {
          row.insertCell().textContent = cell;
        }
        draw(times, max);
      } finally {
        await pool.shutdown();
      }
    }
    const best = Math.max(...times.map(([, t]) => times[0]![1] / t));
    setStatus("done", `Done: best speedup ${best.toFixed(2)}× (${cores} logical cores).`);
  } catch (e) {
    setStatus("error", `Failed: ${errorText(e)}`);
  } finally {
    run.disabled = false;
  }
}

byId<HTMLFormElement>("controls").addEventListener("submit", (e) => {
  e.preventDefault();
  void measure();
});
draw([], Math.max(1, cores));
