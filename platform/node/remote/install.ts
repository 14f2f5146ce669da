/**
 * Lets this thread use objects of other processes: wire forms of remote objects become proxies on
 * this thread's link to their broker. Called by the bootstraps of child processes and threads, and
 * by a broker's owner when it starts one.
 * @internal
 * @module
 */
import { provideLinks } from "../../../src/remote/link.js";
import { reviveRemote } from "../../../src/remote/proxies.js";
import { setRemoteReviver } from "../../../src/shared/revive.js";
import type { WireShared } from "../../../src/shared/shareable.js";
import { socketLink } from "./socket-link.js";

export function installRemote(own?: (wire: WireShared) => object | undefined): void {
  provideLinks(socketLink);
  setRemoteReviver(own ? (wire) => own(wire) ?? reviveRemote(wire) : reviveRemote);
}
