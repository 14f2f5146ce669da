// The soak programs (soak/*.mjs, run at full size by `npm run soak`) at a size for every test run:
// many tiny tasks, submit/cancel/abort storms, executors created and disposed in a loop. Each runs
// as a whole program, which must end by itself with every check passed.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { figuresOf } from "../../soak/lib.mjs";
import { runNode } from "../helpers/programs.js";

const SOAK = new URL("../../soak/", import.meta.url);

async function soak(file: string, args: string[], timeout = 60_000): Promise<Record<string, any>> {
  const r = await runNode(["--expose-gc", fileURLToPath(new URL(file, SOAK)), ...args], { timeout });
  const figures = figuresOf(r.stdout);
  expect(r.signal, `killed after ${timeout} ms: the program did not end by itself\n${r.stdout}\n${r.stderr}`).toBeNull();
  expect(figures, `no figures printed (exit ${r.code})\n${r.stdout}\n${r.stderr}`).toBeDefined();
  console.log(`${figures!.soak}: ${JSON.stringify(figures)}`);
  expect(figures!.failures).toEqual([]);
  expect(r.code).toBe(0);
  return figures!;
}

describe.each(["thread", "process"] as const)("%s pool: soak", (kind) => {
  it("100,000 tiny tasks in a row: all correct; RSS, handles and listeners do not grow", async () => {
    const f = await soak("tiny-tasks.mjs", ["--kind", kind, "--tasks", "100000"]);
    expect(f.tasks).toBe(100_000);
    expect(f.rssEndMiB - f.rssStartMiB).toBeLessThan(50);
    expect(f.abortListenersEnd).toBe(0);
    expect(f.resourcesEnd).toEqual(f.resourcesStart);
  });

  it("a storm of 2,000 submits, cancels, aborts, timeouts and crashes: each future settles once; stats() adds up", async () => {
    const f = await soak("storms.mjs", ["--kind", kind, "--futures", "2000"]);
    expect(f.futures).toBe(2000);
    expect(f.outcomes.fulfilled + f.outcomes.failed + f.outcomes.cancelled).toBe(2000);
    expect(f.stats).toEqual({ queued: 0, running: 0, completed: f.outcomes.fulfilled, failed: f.outcomes.failed, cancelled: f.outcomes.cancelled });
    expect(f.unhandledRejections).toBe(0);
  });

  it("executors created and disposed in a loop leave no thread, child or handle, and the program ends by itself", async () => {
    const f = await soak("lifecycle.mjs", ["--kind", kind, "--executors", kind === "thread" ? "60" : "24"]);
    expect(f.threads[1]).toBeLessThanOrEqual(f.threads[0]);
    expect(f.children).toBe(0);
  });
});
