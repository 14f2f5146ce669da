/**
 * `Manager` for browsers: there are no child processes, so its dictionaries and lists are kept on
 * the page's (or worker's) own thread, which Web Workers reach through ports. A busy page delays
 * their requests; the `…Sync` forms in workers need shared memory (a cross-origin-isolated page).
 *
 * What keeps and serves the objects (the broker's core) is a chunk of its own (manager-core.ts),
 * fetched when the first Manager is made: an app's main bundle holds the Manager and its proxies,
 * whose requests wait in their ports until the core is there.
 * @module
 */
import type { BrokerCore, PortLike } from "../../src/remote/broker-core.js";
import { Manager as BaseManager, reviveManagerProxy, type ManagerHost } from "../../src/remote/manager.js";
import { setRemoteReviver } from "../../src/shared/shareable.js";
import { PortLink } from "../../src/remote/port-link.js";
import { SyncSlot } from "../../src/remote/sync-slot.js";
import { refuseRequests } from "./manager-refusal.js";

/** Serves dictionaries and lists that Web Workers can use through proxies (see the Node `Manager`). */
export class Manager extends BaseManager {
  constructor() {
    super(localHost);
    // Its proxies may come back from workers (a task returns one): rebuilt on this thread.
    setRemoteReviver(reviveManagerProxy);
  }
}

let nextId = 1;
let loading: Promise<typeof import("virtual:manager-core")> | undefined;

function localHost(): ManagerHost {
  let core: BrokerCore | undefined;
  let failure: Error | undefined;
  /** What the core must do once it exists, in the order asked: make stores, serve ports. */
  const waiting: ((core: BrokerCore) => void)[] = [];
  /** Ports served meanwhile: answered with `failure` if the core cannot be loaded. */
  const ports: [PortLike, SharedArrayBuffer][] = [];
  const load = (loading ??= import("virtual:manager-core"));
  load.then(
    (m) => {
      core = new m.BrokerCore();
      for (const run of waiting.splice(0)) run(core);
      ports.length = 0;
    },
    (error: unknown) => {
      loading = undefined; // the next Manager tries again
      failure = new Error(`the Manager's code could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      waiting.length = 0;
      for (const [port, slot] of ports.splice(0)) refuseRequests(port, slot, failure);
    },
  );
  const withCore = (run: (core: BrokerCore) => void): void => {
    if (core) run(core);
    else if (!failure) waiting.push(run);
  };
  let link: PortLink | undefined;
  return {
    link: () => {
      if (link) return link;
      const { port1, port2 } = new MessageChannel();
      const slot = new SyncSlot().buffer;
      const port = port1 as unknown as PortLike;
      if (failure) refuseRequests(port, slot, failure);
      else if (core) core.servePort(port, slot);
      else {
        ports.push([port, slot]);
        waiting.push((c) => c.servePort(port, slot));
      }
      return (link = new PortLink(port2 as unknown as PortLike, slot));
    },
    create: (kind, initial) => {
      const id = nextId++;
      withCore((c) => c.command({ type: "store", id, kind, initial }));
      return [id, "page", ""];
    },
    drop: (ids) => withCore((c) => c.command({ type: "drop", ids })),
    release: () => {},
  };
}
