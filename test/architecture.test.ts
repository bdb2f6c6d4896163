/**
 * The import directions docs/architecture.md draws, checked on the sources: pipeline/ imports only itself;
 * onnx/ imports pipeline/; source/ and measure/ import those; an engine kit (trt/, torch/, ort/: each folder
 * stages/benchmark/kits.ts takes a kit from) imports those and itself (its builds read source/); a stage folder
 * imports all of them, itself, and from another stage folder only the shared modules listed in SHARED. Static
 * and lazy (`import()`) imports alike.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fromRoot, repoRoot } from './repo-root.js';

/**
 * Stage modules another stage folder may import (at most 2), each with its reason. Anything shared more widely
 * belongs below the stages: source/ (the model reference, check data, feeds), measure/ (the benchmark's
 * vocabulary), onnx/ or an engine kit (trt/, torch/, ort/).
 */
export const SHARED: Readonly<Record<string, string>> = {
  'stages/optimize/check-config.ts':
    "convert:fp16 and quantize:int8 repeat optimize's numeric check with its `check` settings, so they read its schema",
};

interface Edge {
  from: string;
  to: string;
}

/**
 * The kit folders: the top-level folders whose index.ts stages/benchmark/kits.ts imports, the one list a kit joins,
 * so a new kit's folder is held to these rules with no line of its own here.
 */
export const KIT_FOLDERS: readonly string[] = [
  ...readFileSync(fromRoot('stages/benchmark/kits.ts'), 'utf8').matchAll(/from '\.\.\/\.\.\/([\w-]+)\/index\.js'/g),
].map((m) => m[1]!);

const LAYERS: Readonly<Record<string, readonly string[]>> = {
  pipeline: ['pipeline'],
  onnx: ['pipeline', 'onnx'],
  source: ['pipeline', 'onnx', 'source'],
  measure: ['pipeline', 'onnx', 'measure'],
  ...Object.fromEntries(KIT_FOLDERS.map((kit) => [kit, ['pipeline', 'onnx', 'source', 'measure', kit]])),
  stages: ['pipeline', 'onnx', 'source', 'measure', ...KIT_FOLDERS, 'stages'],
};

/** What is wrong with one import, or undefined. Paths are relative to the checkout, with `.ts` names. */
export function violation({ from, to }: Edge): string | undefined {
  const [fromTop, fromStage] = from.split('/');
  const [toTop, toStage] = to.split('/');
  const allowed = LAYERS[fromTop!];
  if (!allowed) return undefined;
  if (!allowed.includes(toTop!)) return `${from} imports ${to}: ${fromTop}/ may import only ${allowed.join('/, ')}/`;
  // The registry (stages/index.ts) lists every stage; within stages/ a folder keeps to itself.
  if (fromTop !== 'stages' || toTop !== 'stages' || from === 'stages/index.ts') return undefined;
  if (fromStage === toStage || to in SHARED) return undefined;
  return `${from} imports ${to}, a module of another stage folder that SHARED does not list`;
}

function sources(dir: string): string[] {
  return readdirSync(fromRoot(dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

function edges(): Edge[] {
  return Object.keys(LAYERS)
    .flatMap(sources)
    .flatMap((from) => {
      const text = readFileSync(fromRoot(from), 'utf8');
      return [...text.matchAll(SPECIFIER)].map((m) => {
        const to = relative(repoRoot, normalize(join(repoRoot, dirname(from), m[1]!))).replace(/\.js$/, '.ts');
        return { from, to };
      });
    });
}

test('the kit folders are read from the list of kits: each one a folder with its index.ts', () => {
  for (const kit of ['ort', 'torch', 'trt']) assert.ok(KIT_FOLDERS.includes(kit), `${kit} not found in kits.ts`);
  for (const kit of KIT_FOLDERS) assert.ok(existsSync(fromRoot(kit, 'index.ts')), kit);
});

test('every import in pipeline/, onnx/, source/, measure/, the kits, stages/ goes the documented way', () => {
  const all = edges();
  assert.ok(all.length > 300, `only ${all.length} imports found: the scan reads nothing`);
  assert.deepEqual(all.map(violation).filter(Boolean), []);
});

test('at most 2 stage modules are shared across stage folders, each with its reason', () => {
  assert.ok(Object.keys(SHARED).length <= 2, Object.keys(SHARED).join(', '));
  for (const [module, reason] of Object.entries(SHARED)) assert.ok(reason.length > 20, `${module} has no reason`);
});

test('each SHARED module is imported across stage folders (a stale entry would hide nothing)', () => {
  const crossing = new Set(
    edges()
      .filter(
        (e) =>
          e.from.startsWith('stages/') &&
          e.to.startsWith('stages/') &&
          e.from !== 'stages/index.ts' &&
          e.from.split('/')[1] !== e.to.split('/')[1],
      )
      .map((e) => e.to),
  );
  assert.deepEqual(
    Object.keys(SHARED).filter((m) => !crossing.has(m)),
    [],
  );
});

test('the rule itself: each direction it forbids is reported', () => {
  const why = (from: string, to: string) => violation({ from, to }) ?? '';
  assert.match(why('pipeline/execute/runner.ts', 'onnx/ir.ts'), /pipeline\/ may import only pipeline\//);
  assert.match(why('onnx/serde.ts', 'trt/probe.ts'), /onnx\/ may import only/);
  assert.match(why('trt/probe.ts', 'stages/engine-trt/engine-stage.ts'), /trt\/ may import only/);
  assert.match(why('stages/benchmark/run.ts', 'stages/optimize/index.ts'), /another stage folder/);
  assert.match(why('torch/probe.ts', 'trt/probe.ts'), /torch\/ may import only/);
  assert.match(why('measure/result.ts', 'trt/runner.ts'), /measure\/ may import only/);
  assert.match(why('source/model-ref.ts', 'stages/import/files.ts'), /source\/ may import only/);
  assert.match(why('stages/report/run.ts', 'stages/benchmark/run-bench.ts'), /another stage folder/);
  assert.equal(violation({ from: 'stages/convert-fp16/config.ts', to: 'stages/optimize/check-config.ts' }), undefined);
  assert.equal(violation({ from: 'stages/benchmark/run.ts', to: 'trt/probe.ts' }), undefined);
  assert.equal(violation({ from: 'stages/index.ts', to: 'stages/benchmark/kits.ts' }), undefined);
});

/** Stage folders that reach themselves through other folders' imports, as `a → b → a` paths. */
export function folderCycles(all: readonly Edge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of all) {
    const [fromTop, a] = from.split('/');
    const [toTop, b] = to.split('/');
    if (fromTop !== 'stages' || toTop !== 'stages' || from === 'stages/index.ts' || !a || !b || a === b) continue;
    next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const cycles: string[] = [];
  const walk = (start: string, at: string, path: string[]): void => {
    for (const b of next.get(at) ?? []) {
      if (b === start) cycles.push([...path, b].join(' → '));
      else if (!path.includes(b) && b > start) walk(start, b, [...path, b]);
    }
  };
  for (const start of [...next.keys()].sort()) walk(start, start, [start]);
  return cycles;
}

test('no stage folder imports, through others, one that imports it', () => {
  assert.deepEqual(folderCycles(edges()), []);
  const planted = [
    { from: 'stages/a/x.ts', to: 'stages/b/y.ts' },
    { from: 'stages/b/y.ts', to: 'stages/c/z.ts' },
    { from: 'stages/c/z.ts', to: 'stages/a/x.ts' },
  ];
  assert.deepEqual(folderCycles(planted), ['a → b → c → a']);
});
