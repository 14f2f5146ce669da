// Tasks of the Node demo: a band of rows of the Mandelbrot set, as escape-time counts.
import { transfer } from "isofutures/worker";

/**
 * The escape-time counts of rows [y0, y1) of a width × height view of the Mandelbrot set.
 * @returns {Uint32Array} the iteration count of each pixel, row by row.
 */
export function bandCounts(y0, y1, width, height, maxIter) {
  const out = new Uint32Array((y1 - y0) * width);
  const scale = 3 / width;
  for (let y = y0; y < y1; y++) {
    const ci = (y - height / 2) * scale;
    for (let x = 0; x < width; x++) {
      const cr = (x - width * 0.65) * scale;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIter && zr * zr + zi * zi <= 4) {
        const t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      out[(y - y0) * width + x] = n;
    }
  }
  return out;
}

/**
 * Renders rows [y0, y1) of a width × height view of the Mandelbrot set.
 * @returns the iteration count of each pixel, row by row (moved back, not copied).
 */
export function renderBand(y0, y1, width, height, maxIter) {
  const counts = bandCounts(y0, y1, width, height, maxIter);
  return transfer(counts, [counts.buffer]);
}

/**
 * Renders rows [y0, y1) one by one, yielding each as it is done — a stream task: the caller sees
 * its progress row by row.
 */
export async function* renderRows(y0, y1, width, height, maxIter) {
  for (let y = y0; y < y1; y++) {
    const counts = bandCounts(y, y + 1, width, height, maxIter);
    yield transfer({ y, counts }, [counts.buffer]);
  }
}
