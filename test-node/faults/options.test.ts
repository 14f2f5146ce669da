// Misuse, in thread and process pools: bad options fail at once with a TypeError or RangeError that
// names the option, what it got and what it takes; work after shutdown fails with ShutdownError.
import { describe, expect, it } from "vitest";
import { Pipe, ProcessPoolExecutor, ShutdownError, ThreadPoolExecutor } from "isofutures";
import { POOLS, TASKS, make } from "../helpers/executors.js";
import { StrayCheck } from "../helpers/strays.js";

const Pool = { thread: ThreadPoolExecutor, process: ProcessPoolExecutor };

describe.each(POOLS)("%s pool: bad options", (kind) => {
  it.each([
    [{ maxWorkers: 0 }, "maxWorkers must be an integer ≥ 1, got 0", RangeError],
    [{ maxWorkers: -1 }, "maxWorkers must be an integer ≥ 1, got -1", RangeError],
    [{ maxWorkers: Number.NaN }, "maxWorkers must be an integer ≥ 1, got NaN", RangeError],
    [{ maxWorkers: 2.5 }, "maxWorkers must be an integer ≥ 1, got 2.5", RangeError],
    [{ maxWorkers: Infinity }, "maxWorkers must be an integer ≥ 1, got Infinity", RangeError],
    [{ maxWorkers: "4" }, 'maxWorkers must be an integer ≥ 1, got the string "4"', TypeError],
    [{ minWorkers: -1 }, "minWorkers must be an integer ≥ 0, got -1", RangeError],
    [{ maxWorkers: 1, minWorkers: 2 }, "minWorkers (2) must not exceed maxWorkers (1)", RangeError],
    [{ maxTasksPerWorker: 0 }, "maxTasksPerWorker must be an integer ≥ 1, got 0", RangeError],
    [{ idleTimeout: -1 }, "idleTimeout must be a finite number of milliseconds ≥ 0, got -1", RangeError],
    [{ cancelGrace: Number.NaN }, "cancelGrace must be a finite number of milliseconds ≥ 0, got NaN", RangeError],
    [{ cancelGrace: "50" }, 'cancelGrace must be a number of milliseconds or undefined, got the string "50"', TypeError],
    [{ name: "" }, 'name must be a non-empty string, got the string ""', TypeError],
    [{ tasks: 5 }, "tasks must be a URL or a path string, got number 5", TypeError],
    [{ signal: {} }, "signal must be an AbortSignal, got an object (Object)", TypeError],
    [{ initArgs: "x" }, 'initArgs must be an array, got the string "x"', TypeError],
  ] as const)("%o: %s", (options, message, Class) => {
    const strays = new StrayCheck();
    let error: unknown;
    try {
      new Pool[kind]({ tasks: TASKS, ...(options as object) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Class);
    expect((error as Error).message).toBe(`${kind} executor: ${message}`);
    return strays.clean(); // a refused executor starts nothing
  });

  it.each([
    ["map", { chunksize: 1.5 }, "map: chunksize must be an integer ≥ 1, got 1.5", RangeError],
    ["map", { chunksize: 0 }, "map: chunksize must be an integer ≥ 1, got 0", RangeError],
    ["starmap", { chunksize: Number.NaN }, "starmap: chunksize must be an integer ≥ 1, got NaN", RangeError],
    ["mapUnordered", { chunksize: "8" }, 'mapUnordered: chunksize must be an integer ≥ 1, got the string "8"', TypeError],
    ["map", { buffersize: 0 }, "map: buffersize must be an integer ≥ 1, got 0", RangeError],
    ["mapUnordered", { buffersize: -3 }, "mapUnordered: buffersize must be an integer ≥ 1, got -3", RangeError],
    ["map", { timeout: -1 }, "map: timeout must be a finite number of milliseconds ≥ 0, got -1", RangeError],
    ["map", { signal: "stop" }, 'map: signal must be an AbortSignal, got the string "stop"', TypeError],
  ] as const)("%s(…, %o): %s; nothing is submitted", (method, options, message, Class) => {
    const ex = make(kind);
    const call = () => (ex[method] as (fn: string, inputs: unknown, o: unknown) => unknown)("echo", [1, 2, 3], options);
    expect(call).toThrow(Class);
    expect(call).toThrow(message);
    expect(ex.stats().tasks).toEqual({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });
    expect(ex.stats().workers.live).toBe(0);
  });

  it.each([
    [{ timeout: Number.NaN }, "submitWith: timeout must be a finite number of milliseconds ≥ 0, got NaN", RangeError],
    [{ timeout: -5 }, "submitWith: timeout must be a finite number of milliseconds ≥ 0, got -5", RangeError],
    [{ timeout: "1s" }, 'submitWith: timeout must be a number of milliseconds or undefined, got the string "1s"', TypeError],
    [{ signal: 1 }, "submitWith: signal must be an AbortSignal, got number 1", TypeError],
  ] as const)("submitWith(%o): %s", (options, message, Class) => {
    const ex = make(kind);
    const call = () => ex.submitWith(options as never, "add", 1, 2);
    expect(call).toThrow(Class);
    expect(call).toThrow(message);
    expect(ex.stats().tasks.queued).toBe(0);
  });

  it("initArgs holding a pipe connection is refused: initArgs go to every worker, a port moves to one", () => {
    const [end] = Pipe();
    expect(() => new Pool[kind]({ tasks: TASKS, initializer: "echo", initArgs: [{ end }] })).toThrow(
      new RegExp(`${kind} executor: initArgs holds a pipe Connection \\(a MessagePort\\), which can move to one worker only`),
    );
    end.close();
  });

  it("streamWith checks highWaterMark", () => {
    const ex = make(kind);
    expect(() => ex.streamWith({ highWaterMark: 0 }, "echo" as never)).toThrow("streamWith: highWaterMark must be an integer ≥ 1, got 0");
  });
});

describe.each(POOLS)("%s pool: work after shutdown", (kind) => {
  it.each(["shutdown", "terminate"] as const)("after %s(), every way to submit throws ShutdownError saying to create a new executor", async (stop) => {
    const strays = new StrayCheck();
    const ex = make(kind);
    expect(await ex.submit("add", 1, 1)).toBe(2);
    await ex[stop]();
    const attempts: [string, () => unknown][] = [
      ["submit", () => ex.submit("add", 1, 2)],
      ["submitWith", () => ex.submitWith({ timeout: 10 }, "add", 1, 2)],
      ["map", () => ex.map("echo", [1])],
      ["starmap", () => ex.starmap("add", [[1, 2]])],
      ["mapUnordered", () => ex.mapUnordered("echo", [1])],
      ["stream", () => ex.stream("echo" as never, 1)],
    ];
    for (const [caller, attempt] of attempts) {
      expect(attempt).toThrow(ShutdownError);
      expect(attempt).toThrow(`cannot ${caller} after shutdown() or terminate() of this ${kind} executor; create a new executor`);
    }
    expect(ex.stats().workers.live).toBe(0);
    await ex.shutdown(); // again: harmless
    await strays.clean();
  });
});
