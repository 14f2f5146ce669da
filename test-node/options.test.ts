// Strict options: an option an executor does not know is a TypeError naming it and the closest
// known option (or, for another pool's option, what to use instead), for every kind of executor.
import { describe, expect, it } from "vitest";
import { InlineExecutor, ProcessPoolExecutor, ThreadPoolExecutor, createExecutor } from "isofutures";
import { QueueExecutor } from "isofutures/bullmq";
import { TASKS } from "./helpers/executors.js";

const makers: [string, (o: object) => unknown][] = [
  ["thread executor", (o) => new ThreadPoolExecutor({ tasks: TASKS, ...o })],
  ["process executor", (o) => new ProcessPoolExecutor({ tasks: TASKS, ...o })],
  ["inline executor", (o) => new InlineExecutor({ tasks: TASKS, ...o })],
  ["createExecutor", (o) => createExecutor({ kind: "thread", tasks: TASKS, ...o })],
  ["QueueExecutor", (o) => new QueueExecutor({ connection: "redis://127.0.0.1:1", queue: "options-test", ...o })],
];

describe.each(makers)("%s: unknown options", (what, make) => {
  it("a misspelt option is a TypeError naming it and the closest known one; nothing starts", () => {
    expect(() => make({ maxWorker: 2 })).toThrow(TypeError);
    expect(() => make({ maxWorker: 2 })).toThrow(new RegExp(`^${what}: unknown option "maxWorker"; did you mean "maxWorkers"\\?`));
    // Given as undefined, it is still a mistake.
    expect(() => make({ maxWorkres: undefined })).toThrow(/unknown option "maxWorkres"; did you mean "maxWorkers"/);
  });

  it("an option of another pool says what to use instead, and the message lists the known options", () => {
    const error = (() => {
      try {
        make({ workerData: { a: 1 } });
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/unknown option "workerData"/);
    expect(error.message).toMatch(/\(its options are: .*maxWorkers/);
  });
});

describe("executor options", () => {
  it("the hints for other pools' options point to ours", () => {
    expect(() => new ThreadPoolExecutor({ idleTimout: 10 } as never)).toThrow(/did you mean "idleTimeout"/);
    expect(() => new ThreadPoolExecutor({ maxThreads: 4 } as never)).toThrow(/unknown option "maxThreads": use maxWorkers/);
    expect(() => new ThreadPoolExecutor({ filename: "./t.js" } as never)).toThrow(/given as tasks/);
    expect(() => new ProcessPoolExecutor({ resourceLimits: {} } as never)).toThrow(/process executor: unknown option "resourceLimits"/);
    expect(() => new InlineExecutor({ env: {} } as never)).toThrow(/inline executor: unknown option "env"/);
  });

  it("createExecutor says whose option another kind's option is", () => {
    expect(() => createExecutor({ kind: "inline", env: {} })).toThrow(/env is an option of thread and process executors, not of kind "inline"/);
    expect(() => createExecutor({ kind: "thread", cwd: "/" })).toThrow(/cwd is an option of process executors, not of kind "thread"/);
    // Left undefined, another kind's option is dropped (code that builds options for any kind).
    const ex = createExecutor({ kind: "inline", tasks: TASKS, env: undefined, resourceLimits: undefined });
    expect(ex).toBeInstanceOf(InlineExecutor);
    void ex.shutdown();
  });

  it("concurrentTasksPerWorker must be an integer ≥ 1", () => {
    expect(() => new ThreadPoolExecutor({ concurrentTasksPerWorker: 0 })).toThrow(RangeError);
    expect(() => new ThreadPoolExecutor({ concurrentTasksPerWorker: "2" as never })).toThrow(/concurrentTasksPerWorker must be an integer ≥ 1/);
  });
});
