// What a pool leaves behind, seen from the operating system: this process's threads
// (/proc/self/task) and its child processes (/proc/*/stat whose parent is this process).
// The probes live in soak/lib.mjs, shared with the soak programs.
import { childPids, eventually, threadCount } from "../../soak/lib.mjs";

export { alive, childPids, threadCount } from "../../soak/lib.mjs";

/** Polls `check` until it holds; throws naming `what` after `ms`. For states no event announces. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  if (!(await eventually(check, ms))) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/**
 * Taken before a test starts its executors: `clean()` then checks that, once they are shut down,
 * the process is back to the threads it had and has no child left.
 */
export class StrayCheck {
  readonly threads = threadCount();
  readonly children = new Set(childPids());

  async clean(ms = 5000): Promise<void> {
    await until(
      () => threadCount() <= this.threads && childPids().every((pid) => this.children.has(pid)),
      `no stray worker (threads: ${threadCount()} now, ${this.threads} before; new children: ${childPids().filter((p) => !this.children.has(p)).join(", ") || "none"})`,
      ms,
    );
  }
}
