// One AbortSignal shared by many tasks and maps (a request's signal, an app-wide shutdown signal):
// the executor keeps one listener on it, so Node never warns of a listener leak, and aborting it
// still reaches every task. Node-only: it counts listeners with node:events.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { CancelledError } from "isofutures";
import { Gate, KINDS, make } from "./helpers/executors.js";

/** Collects the process warnings emitted while `run` runs (and one turn after). */
async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  try {
    await run();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", onWarning);
  }
  return seen;
}

describe.each(KINDS)("%s executor: one signal for many tasks", (kind) => {
  it("200 tasks and 20 maps on one signal: one listener, no warning, and it is gone once they end", async () => {
    const ex = make(kind);
    const ac = new AbortController();
    const warnings = await warningsDuring(async () => {
      const futures = Array.from({ length: 200 }, (_, i) => ex.submitWith({ signal: ac.signal }, "add", i, 1));
      const maps = Array.from({ length: 20 }, () => ex.starmap("pow", [[1, 2], [2, 2], [3, 2]], { signal: ac.signal }));
      expect(getEventListeners(ac.signal, "abort").length).toBeLessThanOrEqual(1);
      expect(await Promise.all(futures)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      for (const m of maps) {
        const out: number[] = [];
        for await (const v of m) out.push(v);
        expect(out).toEqual([1, 4, 9]);
      }
    });
    expect(warnings.filter((w) => w.includes("MaxListeners"))).toEqual([]);
    expect(getEventListeners(ac.signal, "abort")).toEqual([]);
    // Nothing keeps the finished tasks alive through the signal: aborting it now touches nothing.
    ac.abort();
    expect(await ex.submit("add", 2, 2)).toBe(4);
  });

  it("aborting a signal shared by a running task and 30 pending ones ends all of them", async () => {
    const ex = make(kind, { maxWorkers: 1 });
    const gate = new Gate();
    const ac = new AbortController();
    const running = ex.submitWith({ signal: ac.signal }, "gate", gate.handle);
    await gate.arrivals(1);
    const pending = Array.from({ length: 30 }, (_, i) => ex.submitWith({ signal: ac.signal }, "add", i, 1));
    const untouched = ex.submit("add", 20, 1);
    ac.abort(new Error("request gone"));
    await expect(running).rejects.toThrow("request gone");
    for (const f of pending) await expect(f).rejects.toBeInstanceOf(CancelledError);
    gate.open();
    expect(await untouched).toBe(21);
    expect(ex.stats().tasks.cancelled).toBe(30);
  });
});
