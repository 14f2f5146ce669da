// The work every pool runs: the same functions, imported by the isofutures tasks module, by each
// peer's worker script and by the main thread (for the serial reference of the `cpu` scenario).

/**
 * A CPU-bound loop: `iterations` steps of xorshift32 folded into a checksum. The checksum depends on
 * every step, so neither V8 nor a bundler can drop the loop.
 */
export function burn(iterations) {
  let x = 0x9e3779b9 | 0;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (acc + (x & 0xffff)) % 1000003;
  }
  return acc;
}

/** The per-item function of the `map` scenario. */
export function inc(n) {
  return n + 1;
}

/** A whole chunk of the `map` scenario at once, for the hand-written chunked baseline. */
export function incChunk(items) {
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i] + 1;
  return out;
}
