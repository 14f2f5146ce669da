// Runs real Node programs (fixtures/programs/*) in child processes, to observe what only a whole
// process shows: whether it exits by itself, what it prints, its exit code.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PROGRAMS = new URL("../fixtures/programs/", import.meta.url);

export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node ...args` (cwd: the programs folder); kills it after `timeout` ms. */
export function runNode(args: string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProgramResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: fileURLToPath(PROGRAMS), timeout: options.timeout ?? 20_000, env: options.env ?? process.env, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: e ? (typeof e.code === "number" ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          ms: Date.now() - started,
        });
      },
    );
  });
}

/** Runs a program file of fixtures/programs. */
export function runProgram(file: string, args: string[] = [], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProgramResult> {
  return runNode([fileURLToPath(new URL(file, PROGRAMS)), ...args], options);
}
