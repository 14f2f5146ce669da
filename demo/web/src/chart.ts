// A small SVG line chart with axes, ticks, labels and a legend: enough for the speedup page.
const SVG = "http://www.w3.org/2000/svg";

export interface Series {
  name: string;
  /** A CSS class for its colour and dash (see style.css: .series-…). */
  className: string;
  points: readonly (readonly [number, number])[];
  /** Draw dots at the points (data-x / data-y attributes on each). */
  dots?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  xMax: number;
  yMax: number;
  series: readonly Series[];
}

const W = 460;
const H = 300;
const M = { left: 58, right: 16, top: 34, bottom: 46 };

/** A new SVG element with these attributes (and text). */
export function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** About five round tick values from 0 to max. */
function ticks(max: number, integers: boolean): number[] {
  const raw = max / 5;
  const step0 = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => s >= raw) ?? raw;
  const s = integers ? Math.max(1, Math.round(step)) : step;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += s) out.push(Number(v.toPrecision(6)));
  return out;
}

/** Draws the chart into `svg`, replacing what was there. */
export function drawChart(svg: SVGSVGElement, spec: ChartSpec): void {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", spec.title);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + (spec.xMax <= 1 ? pw / 2 : ((v - 1) / (spec.xMax - 1)) * pw);
  const y = (v: number) => M.top + ph - (v / spec.yMax) * ph;

  svg.append(el("text", { x: W / 2, y: 20, class: "chart-title", "text-anchor": "middle" }, spec.title));
  for (const t of ticks(spec.yMax, false)) {
    svg.append(el("line", { x1: M.left, x2: W - M.right, y1: y(t), y2: y(t), class: "grid" }));
    svg.append(el("text", { x: M.left - 6, y: y(t) + 4, "text-anchor": "end", class: "tick" }, String(t)));
  }
  for (let w = 1; w <= spec.xMax; w++) {
    if (spec.xMax > 12 && w % Math.ceil(spec.xMax / 12) !== 0 && w !== 1) continue;
    svg.append(el("line", { x1: x(w), x2: x(w), y1: M.top + ph, y2: M.top + ph + 5, class: "axis" }));
    svg.append(el("text", { x: x(w), y: M.top + ph + 18, "text-anchor": "middle", class: "tick" }, String(w)));
  }
  svg.append(el("line", { x1: M.left, x2: M.left, y1: M.top, y2: M.top + ph, class: "axis" }));
  svg.append(el("line", { x1: M.left, x2: W - M.right, y1: M.top + ph, y2: M.top + ph, class: "axis" }));
  svg.append(el("text", { x: M.left + pw / 2, y: H - 8, "text-anchor": "middle", class: "label" }, spec.xLabel));
  svg.append(el("text", { x: 14, y: M.top + ph / 2, "text-anchor": "middle", class: "label", transform: `rotate(-90 14 ${M.top + ph / 2})` }, spec.yLabel));

  spec.series.forEach((s, i) => {
    const g = el("g", { class: `series ${s.className}`, "data-series": s.name });
    if (s.points.length > 1) g.append(el("polyline", { points: s.points.map(([a, b]) => `${x(a)},${y(b)}`).join(" ") }));
    if (s.dots) {
      for (const [a, b] of s.points) {
        const dot = el("circle", { cx: x(a), cy: y(b), r: 4, class: "point", "data-x": a, "data-y": b.toFixed(3) });
        dot.append(el("title", {}, `${s.name}: ${a} → ${b.toFixed(2)}`));
        g.append(dot);
      }
    }
    svg.append(g);
    // Legend, top left inside the plot.
    const ly = M.top + 12 + i * 16;
    svg.append(el("line", { x1: M.left + 10, x2: M.left + 30, y1: ly, y2: ly, class: `legend ${s.className}` }));
    svg.append(el("text", { x: M.left + 36, y: ly + 4, class: "tick" }, s.name));
  });
}
