// Bundles the compiled CLI (dist/main.js) into dist/cli/. Node 20 spends most of a no-op run resolving and
// compiling a few hundred small ES modules (yargs, yaml, pino, ours); one file plus lazily loaded chunks (each
// stage's `run`) cuts a cached `make engines` by about a fifth. Packages that are large, native or used only
// inside a stage stay external and load from node_modules when a stage needs them.
// The bundle's module graph also gives each stage its code identity (pipeline/plan/code-identity.ts), written to
// dist/code-identity.json.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const result = await build({
  entryPoints: { main: 'dist/main.js' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [
    'onnxruntime-node',
    '@resvg/resvg-js',
    'vega',
    'vega-lite',
    'onnx-proto',
    'protobufjs',
    'execa',
    'ajv',
    'playwright-core',
  ],
  // yargs and yaml are CommonJS underneath; their `require` calls need one in an ES module bundle.
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module'; " +
      'const require = __createRequire(import.meta.url);',
  },
  logLevel: 'warning',
  metafile: true,
});

const local = (path) => pathToFileURL(resolve(path)).href;
const { graphFromMetafile, closureDigest, CODE_IDENTITY_FILE } = await import(
  local('dist/pipeline/plan/code-identity.js')
);
const { registry } = await import(local('dist/main.js'));
const hashOf = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const versionOf = (pkg) => JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')).version;
const graph = graphFromMetafile(result.metafile, hashOf, versionOf);

// A stage's root is the module that exports its declaration: the stage itself, or for an engine stage the kit's
// build it was made from (dist/measure/engine-stage.js `buildOf`), so the root holds the build and not the runner.
// Searched among the modules the registry reaches by static imports (a lazy `run` module declares nothing).
const REGISTRY = 'dist/stages/index.js';
const { buildOf } = await import(local('dist/measure/engine-stage.js'));
const reached = new Set([REGISTRY]);
for (const path of reached) {
  for (const imp of result.metafile.inputs[path]?.imports ?? []) {
    if (imp.kind === 'import-statement' && imp.path.startsWith('dist/')) reached.add(imp.path);
  }
}
const roots = {};
for (const path of reached) {
  const module = await import(local(path));
  for (const value of Object.values(module)) {
    for (const stage of registry.stages.filter((s) => s === value || buildOf(s) === value)) {
      if (roots[stage.name] && roots[stage.name] !== path) {
        throw new Error(`stage ${stage.name} is exported by both ${roots[stage.name]} and ${path}: export it once`);
      }
      roots[stage.name] = path;
    }
  }
}
const missing = registry.stages.filter((s) => !roots[s.name]).map((s) => s.name);
if (missing.length) {
  throw new Error(`no declaring module found for stages ${missing.join(', ')} among the modules ${REGISTRY} reaches`);
}
const stages = Object.fromEntries(registry.stages.map((s) => [s.name, closureDigest(graph, roots[s.name])]));
writeFileSync(`dist/${CODE_IDENTITY_FILE}.tmp`, `${JSON.stringify({ stages }, null, 2)}\n`);
renameSync(`dist/${CODE_IDENTITY_FILE}.tmp`, `dist/${CODE_IDENTITY_FILE}`);
