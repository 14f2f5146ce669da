/**
 * The globals `src/` may use: those that Node, browsers, Deno and Bun all have. Type-checking `src/`
 * against this file alone (tsconfig.core.json) keeps the core free of `node:` modules and DOM APIs.
 */
declare function queueMicrotask(callback: () => void): void;
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(callback: () => void, ms?: number): unknown;
declare function clearInterval(handle: unknown): void;
declare function structuredClone<T>(value: T, options?: { transfer?: readonly object[] }): T;
declare const performance: { now(): number };
declare const console: { error(...data: unknown[]): void; warn(...data: unknown[]): void };

declare class URL {
  constructor(url: string | URL, base?: string | URL);
  readonly href: string;
  toString(): string;
}

interface Event {
  readonly type: string;
}
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
declare class DOMException extends Error {
  constructor(message?: string, name?: string);
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare class MessageChannel {
  readonly port1: unknown;
  readonly port2: unknown;
}

// Events: EventTarget, Event and CustomEvent exist in Node (CustomEvent from 19), browsers, Deno and Bun.
declare class EventTarget {
  addEventListener(
    type: string,
    listener: ((event: Event) => void) | { handleEvent(event: Event): void } | null,
    options?: boolean | { once?: boolean; capture?: boolean; passive?: boolean; signal?: AbortSignal },
  ): void;
  removeEventListener(
    type: string,
    listener: ((event: Event) => void) | { handleEvent(event: Event): void } | null,
    options?: boolean | { capture?: boolean },
  ): void;
  dispatchEvent(event: Event): boolean;
}
declare var Event: { new (type: string): Event; prototype: Event };
declare var CustomEvent: (new <T>(type: string, init: { detail: T }) => Event & { readonly detail: T }) | undefined;
