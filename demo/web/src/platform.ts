// Platform: what the library detects here, and a few live measurements.
import { cpuCount, platformInfo } from "isofutures";
import { byId, errorText, makeExecutor, mountLayout, ms, setStatus } from "./site.js";

mountLayout();

function fill(table: HTMLElement, entries: [string, string, string?][]): void {
  table.replaceChildren();
  for (const [key, value, hint] of entries) {
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = key;
    const td = document.createElement("td");
    td.dataset.key = key;
    td.textContent = value;
    if (hint) {
      const small = document.createElement("small");
      small.textContent = ` ${hint}`;
      td.append(small);
    }
    row.append(th, td);
    table.append(row);
  }
}

const info = platformInfo();
fill(byId("info"), [
  ["runtime", info.runtime],
  ["cpuCount", String(info.cpuCount), "(navigator.hardwareConcurrency: the default maxWorkers)"],
  ["threads", String(info.threads), "(Web Workers)"],
  ["processes", String(info.processes), "(ProcessPoolExecutor is Node-only)"],
  ["sharedMemory", String(info.sharedMemory), "(SharedArrayBuffer usable: needs cross-origin isolation)"],
]);
fill(byId("page"), [
  ["crossOriginIsolated", String(globalThis.crossOriginIsolated === true)],
  ["SharedArrayBuffer", typeof SharedArrayBuffer === "function" ? "available" : "not available"],
  ["Web Locks", "locks" in navigator ? "available" : "not available", "(how a worker that closes itself is noticed)"],
  ["hardwareConcurrency", String(navigator.hardwareConcurrency ?? "unknown")],
  ["userAgent", navigator.userAgent],
]);
byId("isolation-note").textContent = info.sharedMemory
  ? "This page is cross-origin isolated: the shared-memory primitives work here."
  : "This page is not cross-origin isolated (no COOP/COEP headers): executors work, the shared-memory primitives throw UnsupportedError.";

const button = byId<HTMLButtonElement>("measure");

async function measure(): Promise<void> {
  button.disabled = true;
  setStatus("running", "Measuring…");
  const table = byId("measured");
  const rows: [string, string, string?][] = [];
  fill(table, rows);
  try {
    let t = performance.now();
    const one = makeExecutor(1);
    await one.submit("whoami");
    rows.push(["worker start", ms(performance.now() - t), "(first result of a new pool)"]);
    fill(table, rows);
    for (let i = 0; i < 200; i++) await one.submit("whoami"); // warm up
    const n = 1000;
    t = performance.now();
    for (let i = 0; i < n; i++) await one.submit("whoami");
    rows.push(["round trip", `${(((performance.now() - t) / n) * 1000).toFixed(0)} µs`, "(mean of 1,000)"]);
    fill(table, rows);
    await one.shutdown();

    const pool = makeExecutor(cpuCount());
    const tasks = 100_000;
    await Promise.all(Array.from({ length: 20_000 }, () => pool.submit("whoami"))); // warm up
    t = performance.now();
    await Promise.all(Array.from({ length: tasks }, () => pool.submit("whoami")));
    const rate = tasks / ((performance.now() - t) / 1000);
    rows.push(["throughput", `${Math.round(rate).toLocaleString("en")} tasks/s`, `(${cpuCount()} workers)`]);
    fill(table, rows);
    await pool.shutdown();
    setStatus("done", "Done.");
  } catch (e) {
    setStatus("error", `Failed: ${errorText(e)}`);
  } finally {
    button.disabled = false;
  }
}

button.addEventListener("click", () => void measure());
void measure();
