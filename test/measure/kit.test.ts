/**
 * The kits and what the registry and the benchmark derive from them. The names below are the kits of this tree;
 * each check takes them as they appear among whatever KITS holds, so a new kit passes without an edit here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtFiles } from '../../measure/engine-stage.js';
import benchmark from '../../stages/benchmark/index.js';
import { BUILDS, ENGINE_STAGES, ENGINES, KIT_SCHEMAS, KIT_TOOLS, KITS } from '../../stages/benchmark/kits.js';
import { loadRunners } from '../../stages/benchmark/run-bench.js';
import { registry } from '../../stages/index.js';

/** `all` as far as it holds the names of `known`, in its order: what a test of the known kits compares. */
const known = <T>(all: readonly T[], names: readonly T[]): T[] => all.filter((x) => names.includes(x));

test("the benchmark's runners are the kits' runners; each engine is one runner's", async () => {
  const names = KITS.map((k) => k.name);
  assert.deepEqual(known(names, ['ort', 'torch', 'trt']), ['ort', 'torch', 'trt']);
  assert.equal(new Set(names).size, names.length, names.join(', '));
  const runners = await loadRunners();
  assert.deepEqual(
    runners.map((r) => r.engines),
    (await Promise.all(KITS.map((k) => k.runner()))).map((r) => r.engines),
  );
  assert.deepEqual(runners.flatMap((r) => r.engines).sort(), Object.keys(ENGINES).sort());
  // Each runner measures its kit's engines, and no two kits declare one engine.
  for (const [i, kit] of KITS.entries()) {
    assert.deepEqual([...runners[i]!.engines].sort(), Object.keys(kit.engines).sort(), kit.name);
  }
  assert.equal(KITS.flatMap((k) => Object.keys(k.engines)).length, Object.keys(ENGINES).length);
});

test("the tools --require probes for the benchmark are the kits' (python: torch's probe by another name)", () => {
  assert.deepEqual(registry.probedTools, KIT_TOOLS);
  const names = KITS.flatMap((k) => k.tools.map((t) => t.spec.name));
  assert.equal(new Set(names).size, names.length, names.join(', '));
  assert.deepEqual(known(names, ['torch', 'python', 'trtexec']), ['torch', 'python', 'trtexec']);
  assert.equal(KIT_TOOLS['python']?.spec.probe, KIT_TOOLS['torch']?.spec.probe);
});

test("the kits' config sections are the schema's and the benchmark's slice's", () => {
  const sections = KITS.flatMap((k) => (k.section ? [k.section.name] : []));
  assert.deepEqual(known(sections, ['trt']), ['trt']);
  const properties = (registry.configSchema as { properties: Record<string, unknown> }).properties;
  for (const name of sections) {
    assert.equal(properties[name], KIT_SCHEMAS[name], name);
    assert.ok(name in (benchmark.config({}) as object), name);
  }
});

test("the engine stages, the engines command's targets, the benchmark's inputs: all from the kits' builds", () => {
  const names = BUILDS.flatMap((b) => b.precisions.map((p) => `engine:${b.engine}:${p}`));
  const recorded = [
    'engine:trt:fp32',
    'engine:trt:fp16',
    'engine:trt:int8',
    'engine:torch-compile:fp32',
    'engine:torch-compile:fp16',
    'engine:torch-aoti:fp32',
    'engine:torch-aoti:fp16',
    'engine:torch-fused:fp16',
  ];
  assert.deepEqual(known(names, recorded), recorded);
  const engineStages = registry.stages.filter((s) => s.name.startsWith('engine:'));
  assert.deepEqual(
    engineStages.map((s) => s.name),
    names,
  );
  assert.deepEqual(ENGINE_STAGES, engineStages);
  for (const s of engineStages) {
    const [, engine, precision] = s.name.split(':');
    assert.deepEqual(s.tags, { precision, engine });
    assert.ok('engine' in s.outputs, s.name);
  }
  assert.deepEqual(registry.commands['engines']?.targets, names);
  const inputs = Object.entries(benchmark.inputs).filter(([, ref]) => ref.stage.startsWith('engine:'));
  assert.deepEqual(
    inputs.map(([, ref]) => [ref.stage, ref.output, ref.optional]),
    names.map((n) => [n, 'engine', true]),
  );
  assert.deepEqual(
    known(
      inputs.map(([label, ref]) => `${label} ${ref.stage}`),
      ['trtFp32 engine:trt:fp32', 'trtFp16 engine:trt:fp16', 'compiledFp16 engine:torch-compile:fp16'],
    ),
    ['trtFp32 engine:trt:fp32', 'trtFp16 engine:trt:fp16', 'compiledFp16 engine:torch-compile:fp16'],
  );
});

test("the benchmark's inputs reach the runners as built[artifact][precision]", () => {
  const files = { trtFp16: '/e/model.fp16.engine', aotiFp32: '/e/torch-aoti.fp32.pt2' };
  const built = builtFiles(BUILDS, files);
  assert.deepEqual(Object.keys(built).sort(), [...new Set(BUILDS.map((b) => b.artifact))].sort());
  assert.deepEqual(
    { trt: built['trt'], compiled: built['compiled'], aoti: built['aoti'], fused: built['fused'] },
    {
      trt: { fp32: undefined, fp16: '/e/model.fp16.engine', int8: undefined },
      compiled: { fp32: undefined, fp16: undefined },
      aoti: { fp32: '/e/torch-aoti.fp32.pt2', fp16: undefined },
      fused: { fp16: undefined },
    },
  );
});
