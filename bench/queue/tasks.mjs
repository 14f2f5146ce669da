// Tasks of the queue benchmark.
export const add = (a, b) => a + b;

/** About `ms` of CPU work (a fixed amount, calibrated once per process). */
export function burn(units) {
  let x = 0;
  for (let i = 0; i < units * 1_000_000; i++) x += Math.sqrt(i);
  return x > 0 ? units : -1;
}
