/**
 * A Manager's broker core (src/remote/broker-core.ts: Manager stores only, no shared-object class),
 * which the build bundles with everything it uses into one file with no import of its own
 * (`virtual:manager-core`, rollup.config.mjs): what the core shares with an app that imports more
 * than the Manager (records, serialization, errors) would otherwise come as files of their own in
 * that app's main bundle (a bundler that groups modules by who can reach them, esbuild, splits
 * them off). The copy's errors travel encoded, so whose classes made them does not matter.
 * @internal
 * @module
 */
export { BrokerCore } from "../../src/remote/broker-core.js";
