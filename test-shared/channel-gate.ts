// A gate over a BroadcastChannel: the `gate` task joins the channel, says "arrived" and waits for
// "open". Works between a page and its Web Workers, and between Node's main thread and its
// worker threads (not across processes).
import type { TestGate } from "./scenarios.js";

export function channelGate(): TestGate {
  const name = `isofutures-gate-${Math.random().toString(36).slice(2)}`;
  const channel = new BroadcastChannel(name);
  let arrived = 0;
  let opened = false;
  const waiters: (() => void)[] = [];
  channel.onmessage = (e: MessageEvent) => {
    if (e.data !== "arrived") return;
    arrived++;
    if (opened) channel.postMessage("open");
    for (const w of waiters.splice(0)) w();
  };
  return {
    handle: name,
    open() {
      opened = true;
      channel.postMessage("open");
    },
    async arrivals(n) {
      while (arrived < n) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => channel.close(),
    count: () => arrived,
  };
}
