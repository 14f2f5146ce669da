// Producers and consumers: Processes of kind "thread" (Web Workers) talking through one Queue,
// with live counts read from shared memory on every frame.
import { Process, Queue } from "isofutures";
import "../processes.css";
import { byId, errorText, mountLayout, ms, setStatus } from "./site.js";

mountLayout();

/** A producer: puts `n` distinct numbers (slot·n + i), blocking while the queue is full. */
const produce = (queue: Queue<number | null>, counts: SharedArrayBuffer, slot: number, n: number) => {
  const count = new Int32Array(counts);
  for (let i = 0; i < n; i++) {
    queue.putSync(slot * n + i);
    Atomics.add(count, slot, 1);
  }
};

/** A consumer: takes items until a `null`, spending `workUs` µs on each; adds up what it took. */
const consume = (queue: Queue<number | null>, counts: SharedArrayBuffer, sums: SharedArrayBuffer, slot: number, index: number, workUs: number) => {
  const count = new Int32Array(counts);
  const sum = new Int32Array(sums);
  for (;;) {
    const item = queue.getSync();
    if (item === null) return;
    const until = performance.now() + workUs / 1000;
    while (performance.now() < until) {
      // the work an item costs
    }
    Atomics.add(sum, index, item); // wraps at 32 bits, as the expected sum below does
    Atomics.add(count, slot, 1);
  }
};

interface Run {
  producers: Process[];
  consumers: Process[];
  counts: Int32Array;
  stopped: boolean;
}

const runButton = byId<HTMLButtonElement>("run");
const stopButton = byId<HTMLButtonElement>("stop");
const status = byId("status");
let current: Run | undefined;

/** A whole number from an input, within its min and max, or an error naming the field. */
function field(id: string, label: string): number {
  const input = byId<HTMLInputElement>(id);
  const value = Number(input.value);
  const [min, max] = [Number(input.min), Number(input.max)];
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${label} must be a whole number from ${min} to ${max}`);
  return value;
}

function rowsFor(run: Run): HTMLTableRowElement[] {
  const body = byId("worker-rows");
  body.replaceChildren();
  return [...run.producers, ...run.consumers].map((p, slot) => {
    const row = document.createElement("tr");
    row.dataset.name = p.name;
    for (const text of [p.name, slot < run.producers.length ? "producer" : "consumer", "", "0", "", ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      row.append(td);
    }
    body.append(row);
    return row;
  });
}

/** Shows the counts as they are now: totals, the queue, one row per Process. */
function paint(run: Run, queue: Queue<number | null>, maxsize: number, rows: HTMLTableRowElement[]): void {
  const all = [...run.producers, ...run.consumers];
  let produced = 0;
  let consumed = 0;
  all.forEach((p, slot) => {
    const n = Atomics.load(run.counts, slot);
    if (slot < run.producers.length) produced += n;
    else consumed += n;
    const cells = rows[slot]!.cells;
    cells[2]!.textContent = p.pid === undefined ? "" : String(p.pid);
    cells[3]!.textContent = n.toLocaleString("en");
    cells[4]!.textContent = p.isAlive() ? "yes" : "no";
    cells[5]!.textContent = p.exitCode === null ? "" : String(p.exitCode);
  });
  const queued = queue.qsize();
  byId("produced").textContent = produced.toLocaleString("en");
  byId("consumed").textContent = consumed.toLocaleString("en");
  byId("queued").textContent = queued.toLocaleString("en");
  byId<HTMLMeterElement>("fill").value = queued / maxsize;
  status.dataset.produced = String(produced);
  status.dataset.consumed = String(consumed);
}

async function start(): Promise<void> {
  let settings: { producers: number; consumers: number; items: number; maxsize: number; work: number };
  try {
    settings = {
      producers: field("producers", "Producers"),
      consumers: field("consumers", "Consumers"),
      items: field("items", "Items per producer"),
      maxsize: field("maxsize", "Queue size"),
      work: field("work", "Work per item"),
    };
  } catch (e) {
    setStatus("error", errorText(e));
    return;
  }
  const { producers: np, consumers: nc, items: n, maxsize, work } = settings;
  const queue = new Queue<number | null>({ maxsize });
  const counts = new Int32Array(new SharedArrayBuffer(4 * (np + nc)));
  const sums = new Int32Array(new SharedArrayBuffer(4 * nc));
  const run: Run = {
    producers: Array.from({ length: np }, (_, i) => new Process({ target: produce, args: [queue, counts.buffer, i, n] })),
    consumers: Array.from({ length: nc }, (_, i) => new Process({ target: consume, args: [queue, counts.buffer, sums.buffer, np + i, i, work] })),
    counts,
    stopped: false,
  };
  current = run;
  const rows = rowsFor(run);
  for (const key of ["checksum", "exitCodes"]) delete status.dataset[key];
  runButton.disabled = true;
  stopButton.disabled = false;
  setStatus("running", `Running ${np} producer${np > 1 ? "s" : ""} and ${nc} consumer${nc > 1 ? "s" : ""}…`);
  let painting = true;
  const frame = () => {
    paint(run, queue, maxsize, rows);
    if (painting) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const t0 = performance.now();
  try {
    for (const p of [...run.producers, ...run.consumers]) p.start();
    await Promise.all(run.producers.map((p) => p.join()));
    // Every producer has ended: one null per consumer tells them to stop (unless all was terminated).
    if (!run.stopped) for (let i = 0; i < nc; i++) await queue.put(null, { timeout: 10_000 });
    await Promise.all(run.consumers.map((p) => p.join()));
    const time = performance.now() - t0;
    painting = false;
    paint(run, queue, maxsize, rows);
    const all = [...run.producers, ...run.consumers];
    status.dataset.exitCodes = all.map((p) => p.exitCode).join(",");
    if (run.stopped) {
      setStatus("stopped", `Terminated: every Process ended with exitCode ${all.map((p) => p.exitCode).join(", ")}.`);
      return;
    }
    const failed = all.find((p) => p.exitCode !== 0);
    if (failed) throw failed.error ?? new Error(`${failed.name} ended with exitCode ${failed.exitCode}`);
    // Every item exactly once: the consumers' sums add up to the sum of everything produced.
    let expected = 0;
    for (let v = 0; v < np * n; v++) expected = (expected + v) | 0;
    const got = sums.reduce((a, b) => (a + b) | 0, 0);
    const ok = got === expected && Number(status.dataset.consumed) === np * n;
    status.dataset.checksum = ok ? "ok" : "mismatch";
    setStatus(
      ok ? "done" : "error",
      `${(np * n).toLocaleString("en")} items in ${ms(time)}; ${ok ? "each consumed exactly once" : "the sums do not match: an item was lost or taken twice"}.`,
    );
  } catch (e) {
    painting = false;
    for (const p of [...run.producers, ...run.consumers]) if (p.isAlive()) p.terminate();
    setStatus("error", `Failed: ${errorText(e)}`);
  } finally {
    current = undefined;
    runButton.disabled = false;
    stopButton.disabled = true;
  }
}

if (globalThis.crossOriginIsolated) {
  byId<HTMLFormElement>("controls").addEventListener("submit", (e) => {
    e.preventDefault();
    void start();
  });
  stopButton.addEventListener("click", () => {
    if (!current) return;
    current.stopped = true;
    for (const p of [...current.producers, ...current.consumers]) if (p.isAlive()) p.terminate();
  });
  addEventListener("pagehide", () => {
    for (const p of [...(current?.producers ?? []), ...(current?.consumers ?? [])]) if (p.isAlive()) p.terminate();
  });
} else {
  // Show the library's own error for what cannot be done here, and explain it.
  byId("unsupported").hidden = false;
  try {
    new Queue();
    byId("unsupported-error").textContent = "(no error: shared memory works after all)";
  } catch (e) {
    byId("unsupported-error").textContent = errorText(e);
  }
  byId("workspace").hidden = true;
  setStatus("unsupported", "Shared memory is not available on this page (see above).");
}
