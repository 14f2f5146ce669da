// The scenarios shared with the browser suite (test-shared/scenarios.ts), for every Node executor.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "vitest";
import * as api from "isofutures";
import { channelGate } from "../../test-shared/channel-gate.js";
import { scenarios, type Ctx, type TestGate } from "../../test-shared/scenarios.js";
import { KINDS, make as makeKind, type Kind } from "../helpers/executors.js";

const SHARED = new URL("../../test-shared/", import.meta.url);

/** Threads and inline share a BroadcastChannel with the test; processes share a folder. */
function gate(kind: Kind): TestGate {
  if (kind === "process") {
    const dir = mkdtempSync(join(tmpdir(), "isofutures-gate-"));
    return {
      handle: pathToFileURL(dir).href,
      open: () => writeFileSync(join(dir, "open"), ""),
      async arrivals(n) {
        while (readdirSync(dir).filter((f) => f.startsWith("arrived-")).length < n) await new Promise((r) => setTimeout(r, 2));
      },
      close() {},
      count: () => readdirSync(dir).filter((f) => f.startsWith("arrived-")).length,
    } as TestGate;
  }
  return channelGate();
}

describe.each(KINDS)("%s executor: shared scenarios", (kind) => {
  const ctx: Ctx = {
    kind,
    api,
    make: (options = {}) => makeKind(kind, { tasks: new URL("tasks.js", SHARED), ...options }),
    gate: () => gate(kind),
    url: (file) => new URL(file, SHARED),
  };
  for (const s of scenarios.filter((x) => x.kinds === undefined || x.kinds.includes(kind))) it(s.name, () => s.run(ctx));
});
