/**
 * How an idle pool thread waits for its next task (see `WorkerPort.waitForWork`).
 *
 * Going back to the event loop makes the next task wait for a full event-loop wake-up on both
 * sides (tens of µs, more on virtual machines whose idle CPUs halt). Instead an idle worker first
 * spins briefly on the post counter — when tasks come one at a time, the next one usually arrives
 * within a few µs, and a round trip then costs a few µs — then sleeps on its sleep word for up to
 * a millisecond (a futex wake-up), and only then returns to its event loop.
 * @internal
 * @module
 */
import { MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { CTL_POSTED, CTL_SLEEP } from "../../src/wire/protocol.js";

/** Spin this long (ms) watching the post counter: CPU burnt once per idle spell, at most. */
const IDLE_SPIN_MS = 0.05;
/** Then sleep this long (ms) at most. Timers and I/O left behind by finished tasks wait this long. */
const IDLE_WAIT_MS = 1;

/**
 * The idle wait for a thread whose messages come on `port`, or `undefined` where they cannot be read
 * synchronously: Deno's `parentPort` is not a `MessagePort` (`receiveMessageOnPort` throws on it),
 * so there an idle worker goes straight back to its event loop.
 */
export function idleWait(port: MessagePort): ((ctl: Int32Array) => unknown[] | undefined) | undefined {
  return port instanceof MessagePort ? (ctl) => waitForWork(port, ctl) : undefined;
}

function waitForWork(port: MessagePort, ctl: Int32Array): unknown[] | undefined {
  const posted = Atomics.load(ctl, CTL_POSTED);
  let got = receiveMessageOnPort(port);
  if (got) return got.message as unknown[];
  const spinEnd = performance.now() + IDLE_SPIN_MS;
  do {
    if (Atomics.load(ctl, CTL_POSTED) !== posted) {
      got = receiveMessageOnPort(port);
      if (got) return got.message as unknown[];
    }
  } while (performance.now() < spinEnd);
  const deadline = spinEnd + IDLE_WAIT_MS;
  for (;;) {
    Atomics.store(ctl, CTL_SLEEP, 1);
    // Checked after the store: a message posted before it would find no sleeper to wake.
    got = receiveMessageOnPort(port);
    if (got) {
      Atomics.store(ctl, CTL_SLEEP, 0);
      return got.message as unknown[];
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      Atomics.store(ctl, CTL_SLEEP, 0);
      return undefined;
    }
    Atomics.wait(ctl, CTL_SLEEP, 1, left);
    Atomics.store(ctl, CTL_SLEEP, 0);
  }
}
