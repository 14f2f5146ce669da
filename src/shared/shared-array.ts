/**
 * `SharedArray`: a typed array over shared memory with a lock of its own (Python's
 * `multiprocessing.Array`).
 * @module
 */
import { describe } from "../util/describe.js";
import { RLock, type TimeoutOptions } from "./lock.js";
import { requireSharedMemory } from "./memory.js";
import { SHARED_BRAND, TO_WIRE, registerKind } from "./shareable.js";

const TYPES = {
  int8: Int8Array,
  uint8: Uint8Array,
  uint8clamped: Uint8ClampedArray,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  bigint64: BigInt64Array,
  biguint64: BigUint64Array,
} as const;

/** The element types of a {@link SharedArray} or a {@link RingBuffer}. */
export type ElementType = keyof typeof TYPES;
type TypedArrayOf<T extends ElementType> = InstanceType<(typeof TYPES)[T]>;

/** The typed-array class of an element type. @internal */
export function typedArrayClass(type: ElementType, what: string): (typeof TYPES)[ElementType] {
  const C = (TYPES as Record<string, (typeof TYPES)[ElementType] | undefined>)[type];
  if (!C) throw new TypeError(`${what}: type must be one of ${Object.keys(TYPES).join(", ")}; got ${describe(type)}`);
  return C;
}

/**
 * A fixed-length typed array in shared memory, and a lock to guard compound updates. `values` is
 * the typed array itself: element reads and writes are plain (not atomic); use the lock, or
 * `Atomics` on integer types, when several threads update the same elements.
 * @example
 * ```ts
 * const counts = new SharedArray("int32", 10);
 * await counts.withLock(() => { counts.values[0] += 1; });
 * ```
 */
export class SharedArray<T extends ElementType = "float64"> {
  /** The elements (a view on shared memory). */
  readonly values: TypedArrayOf<T>;
  /** The lock of this array (an {@link RLock}). */
  readonly lock: RLock;
  readonly #type: T;

  /** @param lengthOrValues - a length (zero-filled), or initial values (their count is the length). */
  constructor(type: T, lengthOrValues: number | ArrayLike<number> | ArrayLike<bigint>);
  /** @internal */
  constructor(type: T, lengthOrValues: number, wire: [SharedArrayBuffer, RLock]);
  constructor(type: T, lengthOrValues: number | ArrayLike<number> | ArrayLike<bigint>, wire?: [SharedArrayBuffer, RLock]) {
    const C = typedArrayClass(type, "SharedArray");
    this.#type = type;
    if (wire) {
      this.values = new C(wire[0] as unknown as ArrayBuffer) as TypedArrayOf<T>;
      this.lock = wire[1];
      return;
    }
    requireSharedMemory("SharedArray");
    const length = typeof lengthOrValues === "number" ? lengthOrValues : lengthOrValues.length;
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`SharedArray: length must be an integer ≥ 0, got ${length}`);
    this.values = new C(new SharedArrayBuffer(length * C.BYTES_PER_ELEMENT) as unknown as ArrayBuffer) as TypedArrayOf<T>;
    if (typeof lengthOrValues !== "number") (this.values as unknown as { set(a: ArrayLike<unknown>): void }).set(lengthOrValues);
    this.lock = new RLock();
  }

  /** The element type. */
  get type(): T {
    return this.#type;
  }

  get length(): number {
    return this.values.length;
  }

  /** Runs `fn` holding the lock. */
  async withLock<R>(fn: () => R | Promise<R>, options?: TimeoutOptions): Promise<R> {
    const guard = await this.lock.guard(options);
    try {
      return await fn();
    } finally {
      guard.release();
    }
  }

  /** {@link SharedArray.withLock}, blocking (workers only). */
  withLockSync<R>(fn: () => R, options?: TimeoutOptions): R {
    const guard = this.lock.guardSync(options);
    try {
      return fn();
    } finally {
      guard.release();
    }
  }

  /** @internal */
  get [SHARED_BRAND](): string {
    return "SharedArray";
  }

  /** @internal */
  [TO_WIRE](): [unknown[], object[]] {
    return [[this.#type, this.values.buffer, (this.lock[TO_WIRE]()[0] as unknown[])[0]], []];
  }
}

// How a worker (or this thread, for a result) rebuilds one from its wire state (see revive.ts).
registerKind("SharedArray", ([type, buffer, lockCells]) => new SharedArray(type, 0, [buffer, new RLock(lockCells)]));
