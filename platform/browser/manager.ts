/**
 * `Manager` for browsers: there are no child processes, so its dictionaries and lists are kept on
 * the page's (or worker's) own thread, which Web Workers reach through ports. A busy page delays
 * their requests; the `…Sync` forms in workers need shared memory (a cross-origin-isolated page).
 * @module
 */
import { BrokerCore } from "../../src/remote/broker-core.js";
import { Manager as BaseManager, reviveManagerProxy, type ManagerHost } from "../../src/remote/manager.js";
import { setRemoteReviver } from "../../src/shared/revive.js";
import { PortLink } from "../../src/remote/port-link.js";
import { SyncSlot } from "../../src/remote/sync-slot.js";
import type { PortLike } from "../../src/remote/broker-core.js";

/** Serves dictionaries and lists that Web Workers can use through proxies (see the Node `Manager`). */
export class Manager extends BaseManager {
  constructor() {
    super(localHost);
    // Its proxies may come back from workers (a task returns one): rebuilt on this thread.
    setRemoteReviver(reviveManagerProxy);
  }
}

let nextId = 1;

function localHost(): ManagerHost {
  const core = new BrokerCore();
  let link: PortLink | undefined;
  return {
    link: () => {
      if (link) return link;
      const { port1, port2 } = new MessageChannel();
      const slot = new SyncSlot().buffer;
      core.servePort(port1 as unknown as PortLike, slot);
      return (link = new PortLink(port2 as unknown as PortLike, slot));
    },
    create: (kind, initial) => {
      const id = nextId++;
      core.command({ type: "store", id, kind, initial });
      return [id, "page", ""];
    },
    drop: (ids) => core.command({ type: "drop", ids }),
    release: () => {},
  };
}
