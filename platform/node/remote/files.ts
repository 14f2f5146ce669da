/**
 * Where the helper threads' entries are: beside the bundle that starts them (dist/node/).
 * @internal
 * @module
 */
export const linkThreadFile = (): URL => new URL("./link-thread.js", import.meta.url);
export const brokerThreadFile = (): URL => new URL("./broker-thread.js", import.meta.url);
