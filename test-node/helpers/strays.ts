// What a pool leaves behind, seen from the operating system: this process's threads
// (/proc/self/task) and its child processes (/proc/*/stat whose parent is this process).
import { readFileSync, readdirSync } from "node:fs";

/** Threads of this process right now (the main thread, Node's own, and worker threads). */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/** Pids of this process's children right now. */
export function childPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) === process.pid) out.push(Number(entry));
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; throws naming `what` after `ms`. For states no event announces. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
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
