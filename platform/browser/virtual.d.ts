/** The browser bootstrap's bundled source, made by the build (rollup.config.mjs, `inlineBootstrap`). */
declare module "virtual:worker-bootstrap" {
  const source: string;
  export default source;
}
