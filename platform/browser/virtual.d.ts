/** The browser bootstrap's bundled source, made by the build (rollup.config.mjs, `inlineBootstrap`). */
/** A self-contained copy of the shared-object classes (rollup.config.mjs, `kindsCopy`). */
declare module "virtual:kinds-copy" {
  export function kinds(): [string, (state: unknown[]) => object][];
}

declare module "virtual:worker-bootstrap" {
  const source: string;
  export default source;
}
