// The published declarations (dist/*.d.ts, reached through package.json "exports"), compiled as an
// app compiles them: by TypeScript 5.9 and TypeScript 7 (each one's own `tsc`), with default strict
// configurations and no `lib` or `types` of the app's own (so the declarations must name what they
// use), their own files checked too (`skipLibCheck` off). Task names, arguments and results are
// checked; misuse fails with errors that name what is wrong.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const COMPILERS = {
  "TypeScript 5.9": join(root, "node_modules/typescript/bin/tsc"),
  "TypeScript 7": join(root, "node_modules/typescript7/bin/tsc"),
};

/**
 * Configurations an app may have: the least a strict app writes, `tsc --init`'s, and a bundled
 * browser app's (Vite's template, less its `lib`: the "default" condition gives the browser build's types).
 */
const CONFIGS: Record<string, Record<string, unknown>> = {
  minimal: { strict: true, module: "nodenext" },
  "tsc --init": {
    module: "nodenext",
    target: "esnext",
    types: [],
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    strict: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noUncheckedSideEffectImports: true,
    moduleDetection: "force",
  },
  "browser bundler": { strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler" },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The errors of compiling `file` (in test-node/types/), one string per diagnostic: `file:line TSnnnn: message`. */
async function diagnostics(compiler: string, config: Record<string, unknown>, file: string): Promise<string[]> {
  // The configuration lives outside the repository, so no `@types` of ours is found by default.
  const dir = mkdtempSync(join(tmpdir(), "isofutures-types-"));
  dirs.push(dir);
  const tsconfig = { compilerOptions: { ...config, noEmit: true, skipLibCheck: false }, files: [fileURLToPath(new URL(`types/${file}`, import.meta.url))] };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  const out = await run(process.execPath, [compiler, "-p", dir, "--pretty", "false"], { cwd: root }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
  const found: string[] = [];
  for (const line of out.split("\n")) {
    const m = /^(.*?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line) ?? /^()()error (TS\d+): (.*)$/.exec(line);
    if (m) found.push(`${m[1]!.split("/").pop()}${m[2] ? `:${m[2]}` : ""} ${m[3]}: ${m[4]}`);
    else if (line.trim() && found.length > 0) found[found.length - 1] += `\n${line.trim()}`;
  }
  return found;
}

describe.each(Object.entries(COMPILERS))("the declarations under %s", (_name, compiler) => {
  it.each(Object.keys(CONFIGS))("a typed sample compiles with the %s configuration, and each marked misuse is an error", async (config) => {
    expect(await diagnostics(compiler, CONFIGS[config]!, "typed-sample.ts")).toEqual([]);
  }, 60_000);

  it("a wrong argument type fails to compile, naming the parameter's type", async () => {
    const errors = await diagnostics(compiler, CONFIGS.minimal!, "wrong-sample.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong-sample\.ts:5 TS2769: No overload matches this call/);
    expect(errors[0]).toContain("Argument of type 'string' is not assignable to parameter of type 'number'");
  }, 60_000);

  it("a task name the module does not export fails to compile, naming it and the names there are", async () => {
    const errors = await diagnostics(compiler, CONFIGS.minimal!, "wrong-name-sample.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong-name-sample\.ts:5 TS2769/);
    expect(errors[0]).toMatch(/Argument of type '"fibb"' is not assignable to parameter of type '.*"fib".*'/);
  }, 60_000);
});
