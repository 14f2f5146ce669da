/**
 * An executor's `initArgs`, checked once at its creation.
 * @internal
 * @module
 */
import type { WorkerFactory } from "./endpoint.js";
import { findPort } from "../shared/check.js";
import { sharedSeen } from "../shared/shareable.js";
import { encodeShared, holdsShared } from "../shared/encode.js";

/**
 * `initArgs` as every new worker gets them: checked as a task's arguments are (a process pool
 * refuses shared memory), shared-memory objects in their wire form (rebuilt in each worker), and
 * no message port, which could move to one worker only.
 */
export function checkedInitArgs(given: readonly unknown[] | undefined, kind: string, factory: WorkerFactory): unknown[] {
  const initArgs = given ? [...given] : [];
  const refused = factory.checkArgs?.(initArgs);
  if (refused) throw new (refused.constructor as ErrorConstructor)(`${kind}: initArgs: ${refused.message}`);
  const port = findPort(initArgs);
  if (port !== undefined) {
    throw new TypeError(
      `${kind}: initArgs holds ${port}, which can move to one worker only, while initArgs go to every new worker; pass it to a task instead`,
    );
  }
  if (sharedSeen() && holdsShared(initArgs)) encodeShared(initArgs, [], factory.shareObject);
  try {
    structuredClone(initArgs);
  } catch (error) {
    throw new TypeError(`${kind}: initArgs must be structured-cloneable: ${(error as Error).message}`, { cause: error });
  }
  return initArgs;
}
