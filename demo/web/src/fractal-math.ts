// The fractal itself: pure functions, the same in every worker, so a picture is identical however
// many workers drew it.

/** What to draw: a window onto the complex plane, in pixels. */
export interface View {
  kind: "mandelbrot" | "julia";
  /** The complex number at the centre of the picture. */
  cx: number;
  cy: number;
  /** Complex units per pixel. */
  scale: number;
  width: number;
  height: number;
  maxIter: number;
}

/** A rectangle of pixels. */
export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The constant of the Julia set drawn. */
export const JULIA_C = { re: -0.8, im: 0.156 } as const;

/** The default view of each kind for a picture of `width` × `height`. */
export function homeView(kind: View["kind"], width: number, height: number, maxIter: number): View {
  return kind === "mandelbrot"
    ? { kind, cx: -0.6, cy: 0, scale: 3.4 / width, width, height, maxIter }
    : { kind, cx: 0, cy: 0, scale: 3.2 / width, width, height, maxIter };
}

/** Splits a picture into tiles of at most `size` × `size`, row by row. */
export function tilesOf(width: number, height: number, size: number): Tile[] {
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += size) {
    for (let x = 0; x < width; x += size) tiles.push({ x, y, w: Math.min(size, width - x), h: Math.min(size, height - y) });
  }
  return tiles;
}

const BAILOUT = 256; // a large escape radius makes the smooth colouring smooth
const LOG2 = Math.log(2);

/**
 * The smooth escape time of one point: a fractional iteration count ≥ 0, or -1 for a point that
 * did not escape within `maxIter` iterations (inside the set).
 */
export function escapeTime(view: View, px: number, py: number): number {
  const re = view.cx + (px - view.width / 2) * view.scale;
  const im = view.cy + (py - view.height / 2) * view.scale;
  let zr: number;
  let zi: number;
  let cr: number;
  let ci: number;
  if (view.kind === "mandelbrot") {
    zr = 0;
    zi = 0;
    cr = re;
    ci = im;
  } else {
    zr = re;
    zi = im;
    cr = JULIA_C.re;
    ci = JULIA_C.im;
  }
  let n = 0;
  let r2 = zr * zr + zi * zi;
  while (n < view.maxIter && r2 <= BAILOUT * BAILOUT) {
    const t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    r2 = zr * zr + zi * zi;
    n++;
  }
  if (n >= view.maxIter) return -1;
  return Math.max(0, n + 1 - Math.log(Math.log(r2) / 2 / LOG2) / LOG2);
}

const PALETTE_SIZE = 2048;
// Colour stops (position, r, g, b) of a blue–white–gold gradient that wraps around.
const STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 7, 100],
  [0.16, 32, 107, 203],
  [0.42, 237, 255, 255],
  [0.6425, 255, 170, 0],
  [0.8575, 0, 2, 0],
  [1, 0, 7, 100],
];

let palette: Uint8Array | undefined;

/** The palette: PALETTE_SIZE RGB triples, built once per thread. */
function getPalette(): Uint8Array {
  if (palette) return palette;
  palette = new Uint8Array(PALETTE_SIZE * 3);
  for (let i = 0; i < PALETTE_SIZE; i++) {
    const t = i / PALETTE_SIZE;
    let s = 0;
    while (STOPS[s + 1]![0] < t) s++;
    const [t0, r0, g0, b0] = STOPS[s]!;
    const [t1, r1, g1, b1] = STOPS[s + 1]!;
    const f = (t - t0) / (t1 - t0);
    palette[i * 3] = Math.round(r0 + (r1 - r0) * f);
    palette[i * 3 + 1] = Math.round(g0 + (g1 - g0) * f);
    palette[i * 3 + 2] = Math.round(b0 + (b1 - b0) * f);
  }
  return palette;
}

/** Writes the colour of escape time `mu` (see {@link escapeTime}) as RGBA at `out[at…at+3]`. */
export function colour(mu: number, out: Uint8ClampedArray, at: number): void {
  if (mu < 0) {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0;
  } else {
    const p = getPalette();
    // On a log scale, so that the bands stay readable both far from the set and close to its edge.
    const i = (Math.floor(Math.log2(mu + 1) * 330) % PALETTE_SIZE) * 3;
    out[at] = p[i]!;
    out[at + 1] = p[i + 1]!;
    out[at + 2] = p[i + 2]!;
  }
  out[at + 3] = 255;
}

/** The RGBA pixels of one tile of a view. */
export function renderTile(view: View, tile: Tile): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(tile.w * tile.h * 4);
  let at = 0;
  for (let y = tile.y; y < tile.y + tile.h; y++) {
    for (let x = tile.x; x < tile.x + tile.w; x++) {
      colour(escapeTime(view, x, y), out, at);
      at += 4;
    }
  }
  return out;
}

/** Colour from a rank in [0, 1] (histogram colouring: equal areas of the picture get equal shares of the palette). */
export function rankColour(rank: number, out: Uint8ClampedArray | Uint8Array, at: number): void {
  const p = getPalette();
  // Three turns of the palette across the ranks, starting in its dark blues.
  const i = (Math.floor(rank * 3 * PALETTE_SIZE) % PALETTE_SIZE) * 3;
  out[at] = p[i]!;
  out[at + 1] = p[i + 1]!;
  out[at + 2] = p[i + 2]!;
  out[at + 3] = 255;
}
