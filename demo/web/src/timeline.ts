// Futures timeline: a mix of tasks on a two-worker pool, each future's life drawn as it happens.
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, asCompleted, wait, type Future, type ThreadPoolExecutor } from "isofutures";
import { el } from "./chart.js";
import { byId, errorText, makeExecutor, mountLayout, ms, setStatus } from "./site.js";
import "../timeline.css";
import type { Tasks } from "./tasks.worker.js";

mountLayout();

type Pool = ThreadPoolExecutor<Tasks>;

interface Spec {
  id: string;
  what: string;
  start(pool: Pool): Future<unknown>;
  /** Runs once, when the future is first seen running. */
  onRunning?(): void;
}

interface Track {
  spec: Spec;
  future: Future<unknown>;
  runningAt?: number;
  endedAt?: number;
  end?: "ok" | "failed" | "cancelled";
  outcome?: string;
  completedAs?: number;
}

/** The "aborted" task's controller, for the run in progress. */
let abortController: AbortController | undefined;
const SPECS: Spec[] = [
  { id: "fast-1", what: "sleep(150)", start: (p) => p.submit("sleep", 150) },
  { id: "slow", what: "crunch(1400): 1.4 s of CPU", start: (p) => p.submit("crunch", 1400) },
  { id: "fast-2", what: "sleep(200)", start: (p) => p.submit("sleep", 200) },
  { id: "failing", what: "fail(300): throws a RangeError", start: (p) => p.submit("fail", 300, "no such pixel") },
  { id: "timed-out", what: "crunch(5000) with a 700 ms timeout", start: (p) => p.submitWith({ timeout: 700 }, "crunch", 5000) },
  { id: "cancelled", what: "sleep(400), cancel() while it waits", start: (p) => p.submit("sleep", 400) },
  {
    id: "aborted",
    what: "sleep(2000), its signal aborted 500 ms after it starts",
    start(p) {
      abortController = new AbortController();
      return p.submitWith({ signal: abortController.signal }, "sleep", 2000);
    },
    onRunning() {
      setTimeout(() => abortController?.abort(new DOMException("the user gave up", "AbortError")), 500);
    },
  },
  { id: "fast-3", what: "sleep(100)", start: (p) => p.submit("sleep", 100) },
];

const svg = byId<SVGSVGElement>("timeline");
const rows = byId<HTMLTableSectionElement>("rows");
const runButton = byId<HTMLButtonElement>("run");
const headers = [...byId("timeline-table").querySelectorAll("thead th")].map((th) => th.textContent ?? "");
const ROW = 30;

/** `text`, cut to `n` characters (the table below has it whole). */
const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

const SYMBOL = { ok: "✓", failed: "✗", cancelled: "⊘" } as const;

type Marker = { label: string; at: number; kind: string };

/** The drawing's geometry, in CSS pixels (1 unit = 1 px, so text keeps its size on a phone). */
function layout() {
  const width = Math.max(300, Math.round(svg.getBoundingClientRect().width) || 920);
  // A narrow screen leaves out the outcome's text (the table has it) and shortens the labels.
  const narrow = width < 640;
  return { width, narrow, label: narrow ? 74 : 150, right: narrow ? 26 : 120, top: narrow ? 52 : 40 };
}

/** What was drawn last, to draw it again at a new width. */
let last: [Track[], Marker[], number] = [[], [], 0];

function draw(tracks: Track[], markers: Marker[], now: number): void {
  last = [tracks, markers, now];
  const { width, narrow, label, right, top } = layout();
  const span = Math.max(2000, Math.ceil((now + 100) / 500) * 500);
  const x = (t: number) => label + (t / span) * (width - label - right);
  const height = top + tracks.length * ROW + 20;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  for (let t = 0; t <= span; t += 500) {
    svg.append(el("line", { x1: x(t), x2: x(t), y1: top - 8, y2: height - 16, class: "grid" }));
    svg.append(el("text", { x: x(t), y: height - 2, "text-anchor": "middle", class: "tick" }, narrow ? `${t / 1000} s` : `${t} ms`));
  }
  tracks.forEach((track, i) => {
    const y = top + i * ROW;
    const g = el("g", { class: "track", "data-task": track.spec.id, "data-state": track.end ?? track.future.state });
    g.append(el("text", { x: 6, y: y + 15, class: "tick" }, track.spec.id));
    const runFrom = track.runningAt ?? track.endedAt ?? now;
    g.append(el("rect", { x: x(0), y: y + 4, width: Math.max(1, x(runFrom) - x(0)), height: 16, class: "seg pending" }));
    if (track.runningAt !== undefined) {
      const to = track.endedAt ?? now;
      g.append(el("rect", { x: x(track.runningAt), y: y + 4, width: Math.max(2, x(to) - x(track.runningAt)), height: 16, class: "seg running" }));
    }
    if (track.end && track.endedAt !== undefined) {
      // As much of the outcome as fits before the right edge (about 6.5 px a character at 12 px).
      const room = Math.floor((width - x(track.endedAt) - 20) / 6.5) - 2;
      const text = narrow || room < 4 ? SYMBOL[track.end] : `${SYMBOL[track.end]} ${clip(track.outcome ?? "", Math.min(44, room))}`;
      g.append(el("text", { x: x(track.endedAt) + 6, y: y + 17, class: `end ${track.end}` }, text));
    }
    if (track.completedAs !== undefined && track.endedAt !== undefined) {
      g.append(el("circle", { cx: x(track.endedAt), cy: y, r: 8, class: "order" }));
      g.append(el("text", { x: x(track.endedAt), y: y + 4, "text-anchor": "middle", class: "order-n" }, String(track.completedAs)));
    }
    svg.append(g);
  });
  markers.forEach((m, i) => {
    const g = el("g", { class: `marker ${m.kind}`, "data-marker": m.label });
    const row = i % (narrow ? 3 : 2);
    g.append(el("line", { x1: x(m.at), x2: x(m.at), y1: 12 + row * 12, y2: height - 16 }));
    // A label that would run past the right edge ends at its line instead of starting there.
    const text = `${narrow ? m.label.replace(/^wait\((.*)\)$/, "$1") : m.label} (${ms(m.at)})`;
    const flip = x(m.at) > width * 0.55;
    g.append(el("text", { x: x(m.at) + (flip ? -4 : 4), y: 20 + row * 12, "text-anchor": flip ? "end" : "start", class: "marker-label" }, text));
    svg.append(g);
  });
}

function table(tracks: Track[]): void {
  rows.replaceChildren();
  for (const t of tracks) {
    const row = rows.insertRow();
    row.dataset.task = t.spec.id;
    row.dataset.state = t.end ?? t.future.state;
    const cells = [t.spec.id, t.spec.what, t.end ?? t.future.state, t.outcome ?? "", t.runningAt === undefined ? "—" : ms(t.runningAt), t.endedAt === undefined ? "—" : ms(t.endedAt)];
    cells.forEach((c, i) => {
      const cell = row.insertCell();
      cell.textContent = c;
      cell.dataset.label = headers[i] ?? ""; // shown beside the value on a narrow screen
    });
  }
}

let pool: Pool | undefined;

async function run(): Promise<void> {
  runButton.disabled = true;
  setStatus("running", "Starting two workers…");
  pool ??= makeExecutor(2);
  // Start both workers first, so that the timeline shows the tasks, not the workers' start.
  await Promise.all([pool.submit("whoami"), pool.submit("whoami")]);
  setStatus("running", "Running…");
  abortController = undefined;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const tracks: Track[] = SPECS.map((spec) => ({ spec, future: spec.start(pool!) }));
  const markers: Marker[] = [];
  for (const track of tracks) {
    track.future.addDoneCallback((f) => {
      track.endedAt = now();
      if (f.cancelled()) {
        track.end = "cancelled";
        track.outcome = "cancelled";
      }
    });
    // The outcome: the result, or the error's name and message.
    track.future.then(
      (value) => {
        track.end = "ok";
        track.outcome = `→ ${String(value)}`;
      },
      (error: unknown) => {
        if (track.future.cancelled()) return;
        track.end = "failed";
        track.outcome = errorText(error);
      },
    );
  }
  // Cancel the one meant to be cancelled while it still waits for a worker.
  setTimeout(() => {
    const t = tracks.find((x) => x.spec.id === "cancelled")!;
    const cancelled = t.future.cancel();
    if (!cancelled) t.outcome = "cancel() returned false: it had started";
  }, 250);

  // Watch the states on every frame: a future turns `running` when a worker is given its task.
  let watching = true;
  const frame = () => {
    const at = now();
    for (const t of tracks) {
      if (t.runningAt === undefined && (t.future.running() || (t.future.done() && !t.future.cancelled()))) {
        t.runningAt = at;
        t.spec.onRunning?.();
      }
    }
    draw(tracks, markers, at);
    if (watching) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const futures = tracks.map((t) => t.future);
  const mark = (label: string, kind: string) => markers.push({ label, at: now(), kind });
  const firstCompleted = wait(futures, { returnWhen: FIRST_COMPLETED }).then(() => mark("wait(FIRST_COMPLETED)", "first"));
  const firstException = wait(futures, { returnWhen: FIRST_EXCEPTION }).then(() => mark("wait(FIRST_EXCEPTION)", "exception"));
  let order = 0;
  for await (const f of asCompleted(futures)) {
    const t = tracks.find((x) => x.future === f)!;
    t.completedAs = ++order;
  }
  await Promise.all([firstCompleted, firstException, wait(futures, { returnWhen: ALL_COMPLETED })]);
  mark("wait(ALL_COMPLETED)", "all");
  // Let the outcome handlers (promise reactions) run before drawing the end state.
  await Promise.allSettled(futures);
  watching = false;
  draw(tracks, markers, now());
  table(tracks);
  setStatus("done", `Done in ${ms(now())}: ${tracks.filter((t) => t.end === "ok").length} finished, ${tracks.filter((t) => t.end === "failed").length} failed, ${tracks.filter((t) => t.end === "cancelled").length} cancelled.`);
  runButton.disabled = false;
}

function start(): void {
  run().catch((error: unknown) => {
    setStatus("error", `Failed: ${errorText(error)}`);
    runButton.disabled = false;
  });
}

byId<HTMLFormElement>("controls").addEventListener("submit", (e) => {
  e.preventDefault();
  start();
});
addEventListener("pagehide", () => void pool?.shutdown({ cancelFutures: true }));
addEventListener("resize", () => draw(...last));
draw([], [], 0);
start();
