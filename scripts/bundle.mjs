// Bundles the compiled CLI (dist/main.js) into dist/cli/. Node 20 spends most of a no-op run resolving and
// compiling a few hundred small ES modules (yargs, yaml, pino, ours); one file plus lazily loaded chunks (each
// stage's `run`) cuts a cached `make engines` by about a fifth. Packages that are large, native or used only
// inside a stage stay external and load from node_modules when a stage needs them.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'dist/main.js' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['onnxruntime-node', '@resvg/resvg-js', 'vega', 'vega-lite', 'onnx-proto', 'protobufjs', 'execa', 'ajv', 'playwright-core', 'zx'],
  // yargs and yaml are CommonJS underneath; their `require` calls need one in an ES module bundle.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
