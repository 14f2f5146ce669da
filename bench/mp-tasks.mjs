// Task functions of the multiprocessing benchmark (bench/multiprocessing.mjs), run in child processes.
export async function produce(q, n) {
  for (let i = 0; i < n; i++) await q.put(i);
}
export function produceSync(q, n) {
  for (let i = 0; i < n; i++) q.putSync(i);
}
export async function consume(q, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += await q.get();
  return s;
}
/** Acquires and releases `lock` n times once `go` is set (after saying it is ready). */
export async function locker(lock, n, ready, go) {
  ready.set();
  await go.wait();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    lock.release();
  }
}
export function nothing() {}
