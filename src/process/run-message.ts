/**
 * The one task a Process sends: `[RUN]` with the target's definition and its arguments, prepared
 * as `submit` prepares a task's (transfer markers, the factory's check, shared objects through the
 * factory's `shareObject`), and the errors of arguments that cannot be sent.
 * @internal
 * @module
 */
import type { WorkerFactory } from "../pool/endpoint.js";
import type { FnDef } from "../pool/task.js";
import { encodeShared, holdsShared } from "../shared/revive.js";
import { sharedSeen } from "../shared/shareable.js";
import { ARGS_ARRAY, KIND_CALL, OP_RUN, taskCode } from "../wire/protocol.js";
import { isTransfer } from "../wire/transfer.js";

/**
 * The RUN message of `def` called with `given` (not changed), and what moves with it.
 * @throws what the factory refuses in the arguments, its message prefixed with `who`.
 */
export function runMessage(def: FnDef, given: readonly unknown[], factory: WorkerFactory, who: object): { message: unknown[]; transfer: object[] } {
  const args = [...given];
  const transfer: object[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === "object" && a !== null && isTransfer(a)) {
      args[i] = a.value;
      transfer.push(...a.list);
    }
  }
  const refused = factory.checkArgs?.(args);
  if (refused) throw new (refused.constructor as ErrorConstructor)(`${who}: args: ${refused.message}`);
  const shared = sharedSeen() && holdsShared(args);
  if (shared) encodeShared(args, transfer, factory.shareObject);
  const message: unknown[] = [OP_RUN, [def.wire], 0, taskCode(def.handle, args.length, KIND_CALL, shared)];
  if (args.length >= ARGS_ARRAY) message.push(args);
  else message.push(...args);
  return { message, transfer };
}

/**
 * A child process is sent its arguments later (once READY): find out now that they cannot be,
 * while start() can still refuse. The copy costs what the send will cost once more.
 */
export function checkCloneable(message: unknown[], who: object): void {
  try {
    structuredClone(message);
  } catch (error) {
    throw cloneFailure(error, who);
  }
}

/** The error of arguments that cannot be sent. */
export function cloneFailure(error: unknown, who: object): TypeError {
  const why = error instanceof Error ? error.message : String(error);
  return new TypeError(
    `${who}: its args could not be sent: ${why}. Pass structured-cloneable data (primitives, plain objects, arrays, ` +
      "Map, Set, Date, typed arrays, ArrayBuffers) or shared objects (Queue, Lock, Event…)",
    { cause: error },
  );
}
