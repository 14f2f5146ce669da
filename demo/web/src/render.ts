// Rendering a fractal view on an executor: tiles through mapUnordered, each painted as it arrives.
import type { ThreadPoolExecutor } from "isofutures";
import { tilesOf, type Tile, type View } from "./fractal-math.js";
import type { Tasks } from "./tasks.worker.js";

/** A tile as it comes back from a worker. */
export interface RenderedTile {
  tile: Tile;
  pixels: Uint8ClampedArray<ArrayBuffer>;
  worker: string;
}

export interface RenderOptions {
  tileSize: number;
  /** Aborting it stops the render: tiles not started are cancelled, the loop throws the reason. */
  signal?: AbortSignal;
  /** Called after each tile is painted. */
  onTile?: (done: number, total: number, tile: RenderedTile) => void;
}

/** Renders `view` onto `ctx` on `executor`; resolves with the time it took, in ms. */
export async function renderView(executor: ThreadPoolExecutor<Tasks>, view: View, ctx: CanvasRenderingContext2D, options: RenderOptions): Promise<number> {
  const tiles = tilesOf(view.width, view.height, options.tileSize);
  // The middle of the picture first: that is where the eye is.
  const mx = view.width / 2;
  const my = view.height / 2;
  const distance = (t: Tile) => Math.hypot(t.x + t.w / 2 - mx, t.y + t.h / 2 - my);
  tiles.sort((a, b) => distance(a) - distance(b));
  const started = performance.now();
  let done = 0;
  // chunksize 1: one task per tile, so every tile is painted the moment it is ready.
  const jobs = tiles.map((tile) => ({ view, tile }));
  for await (const rendered of executor.mapUnordered("tile", jobs, { chunksize: 1, ...(options.signal ? { signal: options.signal } : {}) })) {
    const { tile, pixels } = rendered;
    ctx.putImageData(new ImageData(pixels, tile.w, tile.h), tile.x, tile.y);
    options.onTile?.(++done, tiles.length, rendered);
  }
  return performance.now() - started;
}
