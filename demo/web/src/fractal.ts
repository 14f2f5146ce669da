// Fractal explorer: tiles rendered on a thread pool and painted as they complete.
import { cpuCount } from "isofutures";
import { homeView, type View } from "./fractal-math.js";
import { renderView } from "./render.js";
import { byId, errorText, fingerprint, mountLayout, ms, setStatus, workerChoices, workerCount } from "./site.js";
import { WarmPools, type Pool } from "./warm-pools.js";
import "../fractal.css";

mountLayout();

const canvas = byId<HTMLCanvasElement>("canvas");
const overlay = byId<HTMLCanvasElement>("overlay");
const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
const octx = overlay.getContext("2d")!;
const kind = byId<HTMLSelectElement>("kind");
const workers = byId<HTMLSelectElement>("workers");
const iterations = byId<HTMLInputElement>("iterations");
const tileSize = byId<HTMLSelectElement>("tile-size");
const showWorkers = byId<HTMLInputElement>("show-workers");
const progress = byId<HTMLProgressElement>("progress");
const status = byId("status");
const history = byId<HTMLTableSectionElement>("history");
const legend = byId<HTMLUListElement>("legend");

const cores = cpuCount();
workerChoices(workers, cores, cores);
let view: View = homeView("mandelbrot", canvas.width, canvas.height, Number(iterations.value));

// Pools of every count tried, up to twice the cores in workers in all.
const pools = new WarmPools(Math.max(2 * cores, cores + 1));
let current: AbortController | undefined;
let count = 0;

/** The colour of the i-th worker of a render: hues spread by the golden angle, distinct for any count. */
const hueOf = (i: number) => Math.round((210 + i * 137.508) % 360);

/** The pool of `n` workers, saying so while a new one starts and warms up. */
async function poolFor(n: number): Promise<Pool> {
  if (!pools.has(n)) setStatus("starting", `Starting ${workerCount(n)} and warming them up…`);
  return pools.get(n);
}

/** The legend of the worker colours: one entry per worker that drew tiles, with its count of tiles. */
function showLegend(tiles: Map<string, number>): void {
  legend.replaceChildren();
  [...tiles].forEach(([worker, drawn], i) => {
    const item = document.createElement("li");
    item.dataset.worker = worker;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = `hsl(${hueOf(i)} 90% 55%)`;
    item.append(swatch, `worker ${i + 1} · ${drawn} tile${drawn === 1 ? "" : "s"}`);
    legend.append(item);
  });
}

function readIterations(): number | undefined {
  const n = Number(iterations.value);
  if (!Number.isInteger(n) || n < 50 || n > 50_000) {
    setStatus("error", "Max iterations must be a whole number from 50 to 50,000.");
    return undefined;
  }
  return n;
}

async function render(): Promise<void> {
  const maxIter = readIterations();
  if (maxIter === undefined) return;
  current?.abort(new DOMException("a newer render started", "AbortError"));
  const controller = new AbortController();
  current = controller;
  view = { ...view, maxIter };
  const n = Number(workers.value);
  const size = Number(tileSize.value);
  /** Tiles drawn by each worker, in the order the workers first delivered one. */
  const owners = new Map<string, number>();
  try {
    const executor = await poolFor(n);
    if (controller.signal.aborted) return;
    octx.clearRect(0, 0, overlay.width, overlay.height);
    legend.replaceChildren();
    progress.value = 0;
    setStatus("rendering", "Rendering…");
    const time = await renderView(executor, view, ctx, {
      tileSize: size,
      signal: controller.signal,
      onTile(done, total, { tile, worker }) {
        progress.value = done / total;
        status.textContent = `Rendering… ${done} / ${total} tiles`;
        owners.set(worker, (owners.get(worker) ?? 0) + 1);
        showLegend(owners);
        const hue = hueOf([...owners.keys()].indexOf(worker));
        octx.fillStyle = `hsl(${hue} 90% 55% / 0.18)`;
        octx.fillRect(tile.x, tile.y, tile.w, tile.h);
        octx.strokeStyle = `hsl(${hue} 90% 45% / 0.8)`;
        octx.strokeRect(tile.x + 0.5, tile.y + 0.5, tile.w - 1, tile.h - 1);
      },
    });
    const print = fingerprint(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
    const tiles = Math.ceil(view.width / size) * Math.ceil(view.height / size);
    count++;
    status.dataset.workers = String(n);
    status.dataset.workersUsed = String(owners.size);
    status.dataset.workerNames = [...owners.keys()].sort().join(" ");
    status.dataset.time = String(Math.round(time));
    status.dataset.fingerprint = print;
    status.dataset.renders = String(count);
    setStatus("done", `${tiles} tiles in ${ms(time)} on ${workerCount(n)} (${owners.size} drew tiles) · fingerprint ${print}`);
    const row = history.insertRow(0);
    for (const cell of [String(count), view.kind, String(n), String(tiles), ms(time), print]) row.insertCell().textContent = cell;
  } catch (error) {
    if (controller.signal.aborted) return; // a newer render took over
    setStatus("error", `Render failed: ${errorText(error)}`);
  }
}

function zoom(event: MouseEvent, factor: number): void {
  const rect = canvas.getBoundingClientRect();
  const px = ((event.clientX - rect.left) / rect.width) * canvas.width;
  const py = ((event.clientY - rect.top) / rect.height) * canvas.height;
  view = {
    ...view,
    cx: view.cx + (px - view.width / 2) * view.scale,
    cy: view.cy + (py - view.height / 2) * view.scale,
    scale: view.scale * factor,
  };
  void render();
}

overlay.addEventListener("click", (e) => zoom(e, e.shiftKey ? 2 : 0.5));
overlay.addEventListener("contextmenu", (e) => {
  e.preventDefault();
  zoom(e, 2);
});
showWorkers.addEventListener("change", () => {
  overlay.classList.toggle("visible", showWorkers.checked);
  legend.hidden = !showWorkers.checked;
});
byId<HTMLFormElement>("controls").addEventListener("submit", (e) => {
  e.preventDefault();
  void render();
});
kind.addEventListener("change", () => {
  view = homeView(kind.value as View["kind"], canvas.width, canvas.height, view.maxIter);
  void render();
});
workers.addEventListener("change", () => void render());
tileSize.addEventListener("change", () => void render());
byId("reset").addEventListener("click", () => {
  view = homeView(view.kind, canvas.width, canvas.height, view.maxIter);
  void render();
});
addEventListener("pagehide", () => pools.shutdown());

void render();
