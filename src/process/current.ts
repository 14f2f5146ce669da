/**
 * Where the calling code runs, as Python's `multiprocessing.current_process()`,
 * `parent_process()` and `active_children()` tell it.
 * @module
 */
import { ownPid, workerIdentity } from "../util/process-identity.js";

/** What {@link currentProcess} tells. */
export interface ProcessInfo {
  /** `"MainProcess"` in the main program; a Process's name; a pool worker's name (`"isofutures-3"`). */
  readonly name: string;
  /**
   * The main program's `process.pid` (0 in a browser page, which has none); a child process's pid;
   * a worker thread's `threadId`; a Web Worker's number (1, 2, … in the order its page started them).
   */
  readonly pid: number;
  /** Whether this is a daemon Process (false in the main program and in pool workers). */
  readonly daemon: boolean;
}

/** What {@link parentProcess} tells. */
export interface ParentInfo {
  /** `currentProcess().pid` of the thread or process that started this worker. */
  readonly pid: number;
}

/**
 * The process (or worker) the calling code runs in: in the main program
 * `{ name: "MainProcess", pid: process.pid, daemon: false }`; in a `Process`, its name, pid and
 * daemon flag; in a pool's worker, the worker's name (pool workers are not Processes).
 */
export function currentProcess(): ProcessInfo {
  const self = workerIdentity();
  return self === undefined
    ? { name: "MainProcess", pid: ownPid(), daemon: false }
    : { name: self.name, pid: self.pid, daemon: self.daemon };
}

/** The process or thread that started this worker (`{ pid }`), or `null` in the main program. */
export function parentProcess(): ParentInfo | null {
  const self = workerIdentity();
  return self === undefined ? null : { pid: self.parentPid };
}
