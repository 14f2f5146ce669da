// The service's tasks module: the CPU-heavy work behind its endpoints. Each export runs on
// whichever executor the service was started with: the event loop (inline), a worker thread, or a
// child process. They are plain synchronous functions: a stopped task (client gone, time limit)
// is ended by terminating its worker, which the pool then replaces.
import { scryptSync } from "node:crypto";
import { getPriority, setPriority } from "node:os";
import { isMainThread, threadId } from "node:worker_threads";
import { transfer } from "isofutures/worker";
import { validateOrders } from "./orders.mjs";
import { encodePng } from "./png.mjs";

/** Largest scrypt memory the service accepts (128 · N · r bytes). */
export const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024;

/**
 * Hashes a password with scrypt (a deliberately slow key derivation function).
 * @param {string} password
 * @param {string} salt - hex.
 * @param {number} N - CPU/memory cost, a power of two.
 * @param {number} r - block size.
 * @param {number} p - parallelization.
 * @returns {{ algorithm: "scrypt", N: number, r: number, p: number, salt: string, hash: string }}
 */
export function hashPassword(password, salt, N, r, p) {
  const key = scryptSync(password, Buffer.from(salt, "hex"), 32, { N, r, p, maxmem: 2 * SCRYPT_MAX_MEMORY });
  return { algorithm: "scrypt", N, r, p, salt, hash: key.toString("hex") };
}

const TILE_SIZE = 256;
const PALETTE = new Uint8Array(256 * 3); // 0: inside the set (black); 1…255: escape time, log scale
for (let i = 1; i < 256; i++) {
  const t = i / 255;
  PALETTE[i * 3] = Math.round(9 * (1 - t) * t * t * t * 255);
  PALETTE[i * 3 + 1] = Math.round(15 * (1 - t) * (1 - t) * t * t * 255);
  PALETTE[i * 3 + 2] = Math.round(8.5 * (1 - t) * (1 - t) * (1 - t) * t * 255);
}

/**
 * Renders one 256 × 256 tile of the Mandelbrot set, in map-tile coordinates: zoom `z` splits
 * the view [-2.25, 0.75] × [-1.5, 1.5] into 2^z × 2^z tiles; (x, y) picks one.
 * @param {number} z
 * @param {number} x
 * @param {number} y
 * @param {number} maxIter - escape-time iterations per pixel.
 * @returns {Uint8Array} the PNG file (moved back, not copied).
 */
export function renderTile(z, x, y, maxIter) {
  const size = TILE_SIZE;
  const step = 3 / 2 ** z / size;
  const left = -2.25 + x * size * step;
  const top = -1.5 + y * size * step;
  const indices = new Uint8Array(size * size);
  const shade = new Uint8Array(maxIter + 1); // escape time → palette index
  for (let n = 0; n < maxIter; n++) shade[n] = 1 + Math.floor((254 * Math.log(n + 1)) / Math.log(maxIter + 1));
  for (let py = 0; py < size; py++) {
    const ci = top + (py + 0.5) * step;
    for (let px = 0; px < size; px++) {
      const cr = left + (px + 0.5) * step;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIter && zr * zr + zi * zi <= 4) {
        const t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      indices[py * size + px] = shade[n];
    }
  }
  const png = encodePng(size, size, indices, PALETTE);
  return transfer(png, [png.buffer]);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a JSON orders document and checks it (see orders.mjs).
 * @param {Uint8Array} body - the request body, as received.
 * @returns the result of `validateOrders`, or `{ valid: false, syntaxError }` when the body is
 *   not UTF-8 JSON.
 */
export function validateDocument(body) {
  let doc;
  try {
    doc = JSON.parse(utf8.decode(body));
  } catch (error) {
    return { valid: false, syntaxError: error instanceof SyntaxError ? error.message : "the body is not valid UTF-8" };
  }
  return validateOrders(doc);
}

/**
 * The pools' initializer, run once in each worker:
 * - lowers the scheduling priority of the worker's thread by `nice` (on Linux a priority is per
 *   thread), so that when every core is busy with tasks the service's event loop still gets a core
 *   at once (not used inline: it would lower the event loop itself);
 * - in a child process, ignores SIGINT: Ctrl-C in a terminal reaches every process of the group,
 *   and the service, not the signal, decides when its workers stop (a graceful shutdown lets
 *   running tasks finish).
 * @param {number} nice - 0 to 19.
 */
export function prepareWorker(nice) {
  if (nice > 0) {
    try {
      setPriority(Math.min(19, getPriority() + nice));
    } catch {
      // a platform that refuses: the workers keep the event loop's priority
    }
  }
  if (isMainThread) process.on("SIGINT", () => {});
}

/** Where this task ran: for warm-up and tests. */
export function whereAmI() {
  return { pid: process.pid, threadId };
}
