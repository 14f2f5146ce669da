// Typed submit: the published declarations (dist/*.d.ts, reached through package.json "exports")
// check task names, arguments and results. Compiled with the TypeScript compiler API.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
  types: [],
  skipLibCheck: false,
};

function diagnostics(file: string): string[] {
  const path = fileURLToPath(new URL(`types/${file}`, import.meta.url));
  const program = ts.createProgram([path], options);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${d.file ? d.file.fileName.split("/").pop() : ""}${where ? `:${where.line + 1}` : ""} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}

describe("typed executors", () => {
  it("a typed sample compiles, and each marked misuse is an error", () => {
    expect(diagnostics("typed-sample.ts")).toEqual([]);
  }, 60_000);

  it("a wrong argument type fails to compile, naming the argument", () => {
    const errors = diagnostics("wrong-sample.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong-sample\.ts:5 TS2769: No overload matches this call/);
    expect(errors[0]).toContain("Argument of type 'string' is not assignable to parameter of type 'number'");
  }, 60_000);
});
