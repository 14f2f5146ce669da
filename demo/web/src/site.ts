// What every page of the demo shares: the navigation, the executor factory, small DOM helpers.
import "../style.css";
import { ThreadPoolExecutor } from "isofutures";
import type { Tasks } from "./tasks.worker.js";

const PAGES = [
  ["index.html", "Overview"],
  ["fractal.html", "Fractal explorer"],
  ["speedup.html", "Speedup"],
  ["shared.html", "Shared memory"],
  ["timeline.html", "Futures timeline"],
  ["processes.html", "Producers and consumers"],
  ["platform.html", "Platform"],
] as const;

/** Puts the site's header and navigation at the top of the page. */
export function mountLayout(): void {
  const here = location.pathname.split("/").pop() || "index.html";
  const header = document.createElement("header");
  header.innerHTML = `<a class="brand" href="index.html">iso<b>futures</b></a><nav></nav>`;
  const nav = header.querySelector("nav")!;
  for (const [href, title] of PAGES) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = title;
    if (href === here) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  document.body.prepend(header);
  // Errors nobody caught are shown, not only logged.
  const show = (what: unknown) => {
    const box = document.createElement("pre");
    box.className = "error";
    box.textContent = `Unexpected error: ${errorText(what)}`;
    document.querySelector("main")?.prepend(box);
  };
  addEventListener("error", (e) => show(e.error ?? e.message));
  addEventListener("unhandledrejection", (e) => show(e.reason));
}

/**
 * A thread pool on the demo's worker file. The `new Worker(new URL(…), { type: "module" })`
 * form is what bundlers recognise: Vite builds `tasks.worker.ts` as a worker of its own.
 */
export function makeExecutor(maxWorkers?: number, { keep = false }: { keep?: boolean } = {}): ThreadPoolExecutor<Tasks> {
  return new ThreadPoolExecutor<Tasks>({
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    // keep: every worker starts at once and stays (idle ones would otherwise exit after 10 s).
    ...(keep && maxWorkers !== undefined ? { minWorkers: maxWorkers } : {}),
    worker: () => new Worker(new URL("./tasks.worker.ts", import.meta.url), { type: "module" }),
  });
}

/** The element with this id (it must exist). */
export function byId<T extends Element = HTMLElement>(id: string): T {
  const el: Element | null = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Shows `text` in the page's #status, its `data-state` set to `state`. */
export function setStatus(state: string, text: string): void {
  const status = byId("status");
  status.dataset.state = state;
  status.textContent = text;
}

/** An error as `Name: message` (anything else thrown, as a string). */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** "1 worker", "2 workers", … */
export function workerCount(n: number): string {
  return `${n} worker${n === 1 ? "" : "s"}`;
}

/** Milliseconds, readably. */
export function ms(value: number): string {
  return value < 10 ? `${value.toFixed(1)} ms` : value < 10_000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

/** A short fingerprint (FNV-1a, 32 bits) of pixels: equal pictures, equal fingerprints. */
export function fingerprint(data: Uint8ClampedArray): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Fills a `<select>` with the worker counts 1…max, selecting `selected`. */
export function workerChoices(select: HTMLSelectElement, max: number, selected: number): void {
  select.replaceChildren();
  for (let n = 1; n <= max; n++) select.add(new Option(workerCount(n), String(n), false, n === selected));
}
