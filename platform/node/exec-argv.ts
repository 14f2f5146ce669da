/**
 * The `execArgv` a worker gets by default: the parent's, minus flags that make no sense in (or
 * break) a worker: the parent's own program (`-e`, `-p`), how to read it (`--input-type`), and the
 * test runner and watch mode.
 * @internal
 * @module
 */
const WITH_VALUE = new Set(["-e", "--eval", "-p", "--print", "--input-type", "-r", "--require", "--import", "--loader", "--experimental-loader", "--watch-path", "--test-name-pattern", "--test-reporter", "--test-reporter-destination", "--test-concurrency", "--test-shard", "--test-skip-pattern"]);
const KEEP_WITH_VALUE = new Set(["-r", "--require", "--import", "--loader", "--experimental-loader"]);
const DROP = /^(-e|--eval|-p|--print|--input-type|-i|--interactive|-c|--check|--test|--test-[\w-]+|--experimental-test-[\w-]+|--watch|--watch-[\w-]+)$/;

export function workerExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takesNext = eq < 0 && WITH_VALUE.has(flag);
    if (DROP.test(flag) && !KEEP_WITH_VALUE.has(flag)) {
      if (takesNext) i++;
      continue;
    }
    out.push(arg);
    if (takesNext && i + 1 < parent.length) out.push(parent[++i] as string);
  }
  return out;
}
