/** The browser bootstrap's bundled source, made by the build (rollup.config.mjs, `inlineBootstrap`). */
/** A self-contained copy of the shared-object classes (rollup.config.mjs, `selfContained`). */
declare module "virtual:kinds-copy" {
  export function kinds(): [string, (state: unknown[]) => object][];
}

declare module "virtual:worker-bootstrap" {
  const source: string;
  export default source;
}

/** A Manager's broker core, self-contained (rollup.config.mjs, `selfContained`; platform/browser/manager.ts). */
declare module "virtual:manager-core" {
  export const BrokerCore: typeof import("../../src/remote/broker-core.js").BrokerCore;
}
