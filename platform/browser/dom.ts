/**
 * The few browser APIs the browser adapter uses, typed here so that the package's types need no
 * DOM library and no `@types/node` globals leak in.
 * @internal
 * @module
 */

/** A Web Worker, as the adapter uses it. */
export interface WebWorker {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  terminate(): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "error" | "messageerror", listener: (event: { message?: string; filename?: string; preventDefault?(): void }) => void): void;
}

/** Options of `new Worker(url, options)`. */
export interface WebWorkerOptions {
  type?: "classic" | "module";
  name?: string;
  credentials?: "omit" | "same-origin" | "include";
}

interface LockManager {
  request(name: string, callback: () => Promise<unknown> | unknown): Promise<unknown>;
}

interface BrowserGlobals {
  Worker?: new (url: string | URL, options?: WebWorkerOptions) => WebWorker;
  Blob?: new (parts: string[], options?: { type: string }) => object;
  URL: { createObjectURL?(blob: object): string } & typeof URL;
  navigator?: { hardwareConcurrency?: number; locks?: LockManager };
  location?: { href: string };
  crossOriginIsolated?: boolean;
  postMessage?(message: unknown, transfer?: readonly unknown[]): void;
  addEventListener?(type: "message", listener: (event: { data: unknown }) => void): void;
  close?(): void;
}

/** `globalThis`, with the browser APIs above. */
export const web = globalThis as unknown as BrowserGlobals;
