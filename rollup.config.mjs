// Builds dist/: ESM (+ CJS) for Node, one bundled .d.ts (and .d.cts) per public entry, and the
// worker bootstrap the thread pool starts (ESM: a worker imports tasks modules with import()).
//
// JavaScript: each TypeScript file is stripped of its types by esbuild, one file at a time (the
// sources compile under `isolatedModules`, so no file needs another to be transpiled). Type checking
// is `npm run typecheck`'s job (`npm test` runs it right after the build): a TypeScript program per
// output, as @rollup/plugin-typescript made, cost 3–5 s each, most of the build's time.
// Declarations: rollup-plugin-dts, which drives TypeScript 5.9 through its JavaScript API (TypeScript
// 7's native `tsc` does not offer one).
import { dts } from "rollup-plugin-dts";
import { chmodSync, copyFileSync, existsSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { rollup } from "rollup";
import { transform } from "esbuild";
import { nodeResolve } from "@rollup/plugin-node-resolve";

rmSync("dist", { recursive: true, force: true });

// What tsconfig.json says that changes the emitted JavaScript (ES2022 class fields; imports used
// only as types are dropped). The outputs' source maps name the sources without carrying them
// (sourcemapExcludeSources), as before: the package would otherwise grow by a megabyte of sources.
const TS_EMIT = { compilerOptions: { target: "ES2022", useDefineForClassFields: true, verbatimModuleSyntax: false } };

// Sources import each other as TypeScript wants, by the emitted name ("./future.js" is future.ts).
// isofutures/bullmq's self-import "isofutures" is external, so tsconfig.queue.json's paths need no
// counterpart here.
const ts = () => ({
  name: "typescript-esbuild",
  resolveId(source, importer) {
    if (!importer || !source.startsWith(".") || !source.endsWith(".js")) return null;
    const file = resolve(dirname(importer), `${source.slice(0, -".js".length)}.ts`);
    return existsSync(file) ? file : null;
  },
  async transform(code, id) {
    if (!id.endsWith(".ts")) return null;
    const out = await transform(code, { loader: "ts", format: "esm", target: "es2022", sourcemap: "external", sourcefile: id, tsconfigRaw: TS_EMIT });
    return { code: out.code, map: out.map };
  },
});

const external = (id) => id.startsWith("node:");
// Node's chunks: the shared runtime, and observable-fns (loaded when a stream is made) under its name.
const nodeChunkName = (ext) => (chunk) => `${chunk.moduleIds.some((id) => id.includes("observable-fns")) ? "observable-fns" : "[name]"}-[hash].${ext}`;
// isofutures/bullmq: its peers stay outside, and it imports the package's own entry by name, so
// that its QueueExecutor extends the very Executor (and makes the very Futures) of "isofutures".
const queueExternal = (id) => external(id) || id === "bullmq" || id === "ioredis" || id === "isofutures";

// observable-fns (the Observable of streams) is bundled in, so the package has no runtime
// dependency and its browser build loads unbundled.
const bundled = () => nodeResolve({ mainFields: ["module", "main"], resolveOnly: ["observable-fns"] });

// `import("virtual:worker-bootstrap")`: the browser worker's bootstrap, bundled on its own into one
// ES module, minified, as the string a module of the browser build exports (worker-bootstrap.js). It
// is fetched when the first executor is made, not carried by the app's main bundle.
function workerBootstrap(entry) {
  const id = resolve("platform/browser/worker-bootstrap.js");
  return {
    name: "worker-bootstrap",
    resolveId: (source) => (source === "virtual:worker-bootstrap" ? id : null),
    async load(source) {
      if (source !== id) return null;
      const bundle = await rollup({ input: entry, plugins: [ts()], onwarn: () => {} });
      const { output } = await bundle.generate({ format: "es" });
      await bundle.close();
      const { code } = await transform(output[0].code, { minify: true, format: "esm", target: "es2022" });
      return { code: `export default ${JSON.stringify(code)};`, map: { mappings: "" } };
    },
  };
}

// `import("virtual:<name>")`: a module bundled on its own into one file with no import of its own,
// for a chunk that must share no module with an app's main bundle: the copy of the shared-object
// classes (platform/browser/kinds-copy.ts says why) and a Manager's broker core (manager.ts).
function selfContained(name, entry) {
  const id = resolve(`platform/browser/${name}.bundle.js`);
  return {
    name,
    resolveId: (source) => (source === `virtual:${name}` ? id : null),
    async load(source) {
      if (source !== id) return null;
      const bundle = await rollup({ input: entry, plugins: [ts()], onwarn: () => {} });
      const { output } = await bundle.generate({ format: "es" });
      await bundle.close();
      return { code: output[0].code, map: { mappings: "" } };
    },
  };
}

// The browser build keeps one file per module, so that an app's bundler leaves out, module by
// module, what the app does not use ("sideEffects": false): the shared-memory classes, streams,
// Manager. Its two entries are dist/browser/index.js and worker.js; the rest sits beside them under
// the sources' own paths (observable-fns under vendor/).
function browserFileName(chunk) {
  if (chunk.isEntry && (chunk.name === "index" || chunk.name === "worker")) return "[name].js";
  return `${chunk.name.replace(/^node_modules\//, "vendor/")}.js`;
}

// The worker command is run as a program (package.json "bin").
const executableCli = () => ({
  name: "executable-cli",
  writeBundle() {
    chmodSync("dist/node/cli.js", 0o755);
  },
});

// The declarations name what they use of the standard library (ES2022, and Symbol.dispose /
// asyncDispose with the Disposable types): an app compiles them with a default configuration, whatever
// `lib` its target implies (TypeScript 7's default has no Disposable).
const LIB_REFERENCES = '/// <reference lib="es2022" />\n/// <reference lib="esnext.disposable" />';

// The .cts copies let CommonJS consumers under "moduleResolution": "node16" see CJS types.
const copyCjsTypes = (files) => ({
  name: "copy-cjs-types",
  writeBundle() {
    for (const f of files) copyFileSync(`dist/${f}.d.ts`, `dist/${f}.d.cts`);
  },
});

export default [
  {
    input: {
      index: "platform/node/index.ts",
      worker: "platform/node/worker.ts",
    },
    external,
    plugins: [bundled(), ts()],
    output: {
      dir: "dist/node",
      format: "es",
      sourcemap: true,
      sourcemapExcludeSources: true,
      entryFileNames: "[name].js",
      chunkFileNames: nodeChunkName("js"),
    },
  },
  // The thread and process bootstraps as one file each: a new worker loads one module, not a
  // graph of chunks. The process one is CommonJS: a new Node process starts a CommonJS main
  // module a few milliseconds sooner than an ES module (tasks modules still load with import()).
  // The thread bootstrap also as CommonJS, for Processes of kind "thread": a worker thread starts
  // a CommonJS entry ~5 ms sooner than an ES module (measured: 27 vs 31 ms from new Worker to exit).
  {
    input: "platform/node/thread-entry.ts",
    external,
    plugins: [ts()],
    output: [
      { file: "dist/node/thread-entry.js", format: "es", sourcemap: true, sourcemapExcludeSources: true },
      { file: "dist/node/thread-entry.cjs", format: "cjs", sourcemap: true, sourcemapExcludeSources: true },
    ],
  },
  {
    input: "platform/node/process-entry.ts",
    external,
    plugins: [ts()],
    output: { file: "dist/node/process-entry.cjs", format: "cjs", sourcemap: true, sourcemapExcludeSources: true },
  },
  // The helper threads of cross-process objects: the broker (in the process that owns them) and a
  // child's link to it. ES modules, one file each, started from the bundles beside them.
  ...["broker-thread", "link-thread"].map((name) => ({
    input: `platform/node/remote/${name}.ts`,
    external,
    plugins: [ts()],
    output: { file: `dist/node/${name}.js`, format: "es", sourcemap: true, sourcemapExcludeSources: true },
  })),
  {
    input: { index: "platform/node/index.ts", worker: "platform/node/worker.ts" },
    external,
    plugins: [bundled(), ts()],
    output: {
      dir: "dist/node",
      format: "cjs",
      sourcemap: true,
      sourcemapExcludeSources: true,
      entryFileNames: "[name].cjs",
      chunkFileNames: nodeChunkName("cjs"),
      exports: "named",
    },
  },
  {
    input: { bullmq: "platform/node/bullmq/index.ts", cli: "platform/node/bullmq/cli.ts" },
    external: queueExternal,
    plugins: [ts(), executableCli()],
    output: {
      dir: "dist/node",
      format: "es",
      sourcemap: true,
      sourcemapExcludeSources: true,
      entryFileNames: "[name].js",
      chunkFileNames: "queue-[hash].js",
      banner: (chunk) => (chunk.name === "cli" ? "#!/usr/bin/env node" : ""),
    },
  },
  {
    input: { bullmq: "platform/node/bullmq/index.ts" },
    external: queueExternal,
    plugins: [ts()],
    output: { dir: "dist/node", format: "cjs", sourcemap: true, sourcemapExcludeSources: true, entryFileNames: "[name].cjs", exports: "named" },
  },
  {
    // The browser build: no Node built-in is reachable from it. The worker bootstrap is a string in
    // a module of it (started from a Blob URL), so apps never serve a file of ours.
    input: { index: "platform/browser/index.ts", worker: "platform/browser/worker.ts" },
    plugins: [workerBootstrap("platform/browser/worker-entry.ts"), selfContained("kinds-copy", "platform/browser/kinds-copy.ts"), selfContained("manager-core", "platform/browser/manager-core.ts"), bundled(), ts()],
    output: {
      dir: "dist/browser",
      format: "es",
      sourcemap: true,
      sourcemapExcludeSources: true,
      preserveModules: true,
      entryFileNames: browserFileName,
    },
  },
  // One self-contained declaration file per entry (no shared chunk to resolve from a .d.cts).
  ...[
    ["index", "platform/node/index.ts"],
    ["worker", "platform/node/worker.ts"],
    ["browser/index", "platform/browser/index.ts"],
    ["browser/worker", "platform/browser/worker.ts"],
    ["bullmq", "platform/node/bullmq/index.ts"],
  ].map(([name, input]) => ({
    input,
    external: name === "bullmq" ? queueExternal : external,
    plugins: [bundled(), dts({ tsconfig: name === "bullmq" ? "./tsconfig.queue.json" : "./tsconfig.json", respectExternal: true }), copyCjsTypes([name])],
    output: { file: `dist/${name}.d.ts`, format: "es", banner: LIB_REFERENCES },
  })),
];
