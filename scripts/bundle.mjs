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

// A stage's root is the module that exports its declaration: one of the modules the registry imports.
const REGISTRY = 'dist/stages/index.js';
const stages = {};
for (const { path } of result.metafile.inputs[REGISTRY]?.imports ?? []) {
  const module = await import(local(path));
  for (const value of Object.values(module)) {
    if (registry.stages.includes(value)) stages[value.name] = closureDigest(graph, path);
  }
}
const missing = registry.stages.filter((s) => !stages[s.name]).map((s) => s.name);
if (missing.length) {
  throw new Error(`no declaring module found for stages ${missing.join(', ')} among the imports of ${REGISTRY}`);
}
writeFileSync(`dist/${CODE_IDENTITY_FILE}.tmp`, `${JSON.stringify({ stages }, null, 2)}\n`);
renameSync(`dist/${CODE_IDENTITY_FILE}.tmp`, `dist/${CODE_IDENTITY_FILE}`);
