/**
 * How protocol messages cross between the executor and a child process: JSON over Node's IPC
 * channel when JSON carries them exactly, else a structured-clone frame (`v8.serialize`) on a side
 * socket, announced in order by a marker on the IPC channel.
 *
 * Why: Node's `serialization: "advanced"` builds a v8 serializer and deserializer for every
 * message; for a task's small message that costs ~7 µs to send and ~3 µs to read on each side,
 * four times per round trip, while JSON costs under 1 µs. Most messages (numbers, strings, plain
 * objects and arrays of them) are exact in JSON; the others (typed arrays, Map, Date, undefined,
 * NaN, -0, BigInt, cycles…) keep structured-clone semantics through the frame, which copies a
 * large buffer as fast as the advanced channel did.
 * @internal
 * @module
 */
import { deserialize, serialize } from "node:v8";

/**
 * Whether this runtime gets JSON plus frames: Bun's `fork` gives the child no working extra pipe,
 * so there both sides keep `serialization: "advanced"` for everything (the child runs on the same
 * runtime as its parent: `fork` starts `process.execPath`).
 */
export const USE_FRAMES = typeof (process.versions as { bun?: string }).bun !== "string";

/** The IPC message announcing the next frame on the side socket (a shape task code does not send by chance). */
export const FRAME_MARK = Object.freeze({ "\u0000isofutures-frame": 1 });
const MARK_KEY = "\u0000isofutures-frame";

/** Values past which a message is sent as a frame without looking further. */
const MAX_VALUES = 100_000;
const MAX_DEPTH = 64;

/**
 * True if `JSON.parse(JSON.stringify(message))` gives what structured clone would: finite numbers
 * other than -0, strings, booleans, null, and plain arrays and objects of them, with no value met
 * twice (structured clone keeps shared references and cycles; JSON would copy or refuse them).
 * Named properties on arrays are not looked for: they are that rare, and the walk stays one loop.
 */
export function jsonExact(message: readonly unknown[]): boolean {
  const budget = { left: MAX_VALUES, seen: undefined as Set<object> | undefined };
  for (let i = 0; i < message.length; i++) if (!exact(message[i], budget, 0)) return false;
  return true;
}

function exact(v: unknown, budget: { left: number; seen: Set<object> | undefined }, depth: number): boolean {
  if (--budget.left < 0) return false;
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "string":
    case "boolean":
      return true;
    case "object": {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      const seen = (budget.seen ??= new Set());
      if (seen.has(v)) return false;
      seen.add(v);
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!exact(v[i], budget, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(v)) if (!exact((v as Record<string, unknown>)[key], budget, depth + 1)) return false;
      return true;
    }
    default:
      return false; // undefined, bigint, symbol, function
  }
}

/** A message as one frame: its length (4 bytes, little-endian), then its structured-clone bytes. Throws if it cannot be cloned. */
export function encodeFrame(message: readonly unknown[]): Buffer {
  const body = serialize(message);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Puts the two streams back in one order: IPC messages are delivered as they come, except that a
 * {@link FRAME_MARK} is replaced by the next frame from the socket, and what follows the mark waits
 * until that frame has arrived.
 */
export class ChannelReader {
  readonly #deliver: (message: unknown) => void;
  /** Frames read and not yet claimed by their mark. */
  readonly #frames: unknown[] = [];
  /** IPC messages waiting behind a mark whose frame has not arrived. */
  readonly #held: unknown[] = [];
  /** The incomplete frame at the end of what the socket gave. */
  #chunks: Buffer[] = [];
  #buffered = 0;

  readonly #onMark: (() => void) | undefined;

  /** @param onMark - called for each mark: a frame is on its way (a child opens its socket then). */
  constructor(deliver: (message: unknown) => void, onMark?: () => void) {
    this.#deliver = deliver;
    this.#onMark = onMark;
  }

  /** A message from the IPC channel. */
  ipc(message: unknown): void {
    const mark = isMark(message);
    if (mark) this.#onMark?.();
    if (this.#held.length > 0 || (mark && this.#frames.length === 0)) {
      this.#held.push(message);
      return;
    }
    this.#deliver(mark ? this.#frames.shift() : message);
  }

  /** Bytes from the side socket. */
  bytes(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      const first = this.#chunks[0] as Buffer;
      const size = (first.length >= 4 ? first : this.#joined()).readUInt32LE(0);
      if (this.#buffered < 4 + size) return; // a large frame: wait for all of it before copying
      const whole = this.#joined();
      this.#frames.push(deserialize(whole.subarray(4, 4 + size)));
      const rest = whole.subarray(4 + size);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#buffered = rest.length;
      this.#release();
    }
  }

  // All buffered chunks as one (copied once, when a frame is complete or its length is split).
  #joined(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)];
    return this.#chunks[0] as Buffer;
  }

  // A frame arrived: deliver what waited for it, up to the next mark still without its frame.
  #release(): void {
    const held = this.#held;
    while (held.length > 0) {
      const next = held[0];
      if (isMark(next)) {
        if (this.#frames.length === 0) return;
        held.shift();
        this.#deliver(this.#frames.shift());
      } else {
        held.shift();
        this.#deliver(next);
      }
    }
  }
}

function isMark(message: unknown): boolean {
  return typeof message === "object" && message !== null && !Array.isArray(message) && (message as Record<string, unknown>)[MARK_KEY] === 1;
}
