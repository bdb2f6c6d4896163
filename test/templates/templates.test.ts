/**
 * The templates docs/architecture.md tells a newcomer to copy (example-kit.ts, example-stage.ts, example-pass.ts)
 * are registered the way a real kit and stage are (the kit through `composeKits`, both into a registry), planned
 * and run by the real CLI, and the kit's runner measured by the real benchmark, with fake `example-tool` (which
 * runs the engine file, a copy of the model, on onnxruntime: its outputs are real) and `example-stamp`; the pass
 * runs under the pass manager and keeps the model's outputs; so they cannot rot. Also: the stages' outputs that
 * docs/architecture.md lists are the registry's.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { DType } from '../../onnx/ir.js';
import { runPasses } from '../../onnx/rewrite/pass-manager.js';
import { makeTensor } from '../../onnx/rewrite/tensors.js';
import { encodeModel } from '../../onnx/serde.js';
import { main } from '../../pipeline/cli/cli.js';
import { exec } from '../../pipeline/execute/exec.js';
import type { AnyStage } from '../../pipeline/plan/graph.js';
import type { Registry } from '../../pipeline/registry.js';
import { ok } from '../../pipeline/result.js';
import { defineStage } from '../../pipeline/stage.js';
import { benchConfig, composeKits, ENGINES, KITS } from '../../stages/benchmark/kits.js';
import { runBenchmark } from '../../stages/benchmark/run-bench.js';
import { registry as real } from '../../stages/index.js';
import { node, opTypes, scalar, tiny } from '../onnx/rewrite/tiny-model.js';
import { tinyMobileNet } from '../stages/benchmark/tiny-mobilenet.js';
import { assertSameOutputs } from '../stages/optimize/numerics.js';
import { fromRoot } from '../repo-root.js';
import { ENGINE, exampleKit } from './example-kit.js';
import { foldNeutral } from './example-pass.js';
import digest, { schema as digestSchema } from './example-stage.js';

const dir = mkdtempSync(join(tmpdir(), 'ef-templates-'));
const { raw, opt } = tinyMobileNet();
const calls = join(dir, 'calls.log');

/** A fake program: a Node script that logs each call's arguments, then runs `body` (its commands). */
function fake(name: string, body: string): string {
  const path = join(dir, name);
  const head = `#!${process.execPath}\nconst fs = require('node:fs');\nconst [cmd, ...rest] = process.argv.slice(2);`;
  const line = `${JSON.stringify(name)} + ' ' + process.argv.slice(2).join(' ') + '\\n'`;
  const log = `fs.appendFileSync(${JSON.stringify(calls)}, ${line});`;
  writeFileSync(path, `${head}\nconst arg = (name) => rest[rest.indexOf(name) + 1];\n${log}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * The fake example-tool: `build` copies the model as the engine and writes its weights file; `run` feeds the
 * runner's input files to it on onnxruntime within the warm-up and timed limits it is given, and prints the samples
 * and the first output.
 */
const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
const tool = fake(
  'example-tool',
  `if (cmd === '--version') console.log('example-tool 1.0');
else if (cmd === 'build') {
  fs.copyFileSync(arg('--model'), arg('--out'));
  fs.writeFileSync(arg('--weights'), 'w');
}
else if (cmd === 'run') (async () => {
  const ort = require(${JSON.stringify(ortPath)});
  const session = await ort.InferenceSession.create(arg('--engine'));
  const feeds = {};
  for (const i of JSON.parse(fs.readFileSync(arg('--inputs'), 'utf8'))) {
    const b = fs.readFileSync(i.file);
    feeds[i.name] = new ort.Tensor(i.type, new Float32Array(b.buffer, b.byteOffset, b.length / 4), i.dims);
  }
  let out;
  const loop = async (runs, maxMs, min) => {
    const samples = [], t0 = performance.now(), seconds = () => (performance.now() - t0) / 1000;
    while (samples.length < runs) {
      const s = performance.now();
      out = await session.run(feeds);
      samples.push(performance.now() - s);
      const late = seconds() * 1000 >= maxMs && samples.length >= min;
      if (samples.length < runs && late) return { samples, by: 'max_seconds', s: seconds() };
    }
    return { samples, by: 'runs', s: seconds() };
  };
  const n = (k) => Number(arg(k));
  const warm = await loop(n('--warmup'), n('--warmup-ms'), Math.min(1, n('--warmup')));
  const timed = await loop(n('--runs'), n('--max-ms'), n('--min-samples'));
  const y = out[session.outputNames[0]];
  console.log(JSON.stringify({ warmup: warm.samples.length, warmup_seconds: warm.s, samples_ms: timed.samples,
    stopped_by: timed.by, seconds: timed.s, output: Array.from(y.data), dims: y.dims }));
})();
else process.exit(2);`,
);

/** The fake example-stamp: `stamp --in F --key K --out S`, its arguments checked, writes sha256(F, K) to S. */
const stamp = fake(
  'example-stamp',
  `if (cmd === '--version') console.log('example-stamp 1.0');
else if (cmd === 'stamp' && rest.length === 6 && ['--in', '--key', '--out'].every((f, i) => rest[2 * i] === f)) {
  const h = require('node:crypto').createHash('sha256');
  h.update(fs.readFileSync(arg('--in'))).update(fs.readFileSync(arg('--key')));
  fs.writeFileSync(arg('--out'), h.digest('hex'));
} else { console.error('bad arguments: ' + process.argv.slice(2).join(' ')); process.exit(2); }`,
);
/** The calls so far of `name`'s command `cmd`, each as its arguments. */
const callsOf = (name: string, cmd: string) =>
  readFileSync(calls, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${name} ${cmd}`));

/**
 * Stand-ins for the stages the template kit's build reads from (source/model-ref.ts `latestModel`: optimize,
 * else import, else build): optimize writes the tiny MobileNetV2, the two others do not apply here.
 */
const standIn = (name: string, applies: boolean) =>
  defineStage({
    name,
    version: 1,
    description: 'the tiny MobileNetV2',
    config: () => null,
    when: () => (applies ? undefined : 'a stand-in that does not apply'),
    inputs: {},
    outputs: { model: name === 'optimize' ? 'model.opt.onnx' : 'model.onnx' },
    async run(ctx) {
      await writeFile(ctx.out('model'), encodeModel(opt));
      return ok(undefined);
    },
  });

/** A registry of the stand-ins, the template kit's stages and the template stage, composed as stages/index.ts does. */
function templateRegistry(): Registry {
  const kits = composeKits([exampleKit]);
  const stages: AnyStage[] = [standIn('build', false), standIn('import', false), standIn('optimize', true)];
  stages.push(...kits.engineStages, digest);
  return {
    stages,
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { ...kits.schemas, digest: digestSchema },
    },
    probedTools: kits.tools,
    commands: { engines: { describe: 'the engines', targets: kits.engineStages.map((s) => s.name) } },
    code: Object.fromEntries(stages.map((s) => [s.name, 'c'.repeat(64)])),
  };
}

test('the template kit composes beside the real kits: its engine, its stages, its tool, its section', () => {
  const all = composeKits([...KITS, exampleKit]);
  assert.deepEqual(Object.entries(all.engines), [...Object.entries(ENGINES), ['example', false]]);
  assert.deepEqual(
    all.engineStages.slice(0, 2).map((s) => [s.name, s.tags]),
    [
      ['engine:example:fp32', { precision: 'fp32', engine: 'example' }],
      ['engine:example:fp16', { precision: 'fp16', engine: 'example' }],
    ],
  );
  assert.deepEqual(all.builtInputs['exampleFp16'], { stage: 'engine:example:fp16', output: 'engine', optional: true });
  assert.ok(all.tools['example-tool'] && all.tools['trtexec']);
  assert.deepEqual(all.kitSections({}).example, { tool: 'example-tool', threads: 1 });
  assert.ok(all.schemas['trt'] && all.schemas['example']);
});

test('the template kit and stage, run by the CLI: a hit, a renamed key file a hit, a changed one a miss', async () => {
  const artifacts = join(dir, 'artifacts');
  const config = join(dir, 'run.yaml');
  const setKey = (key: string) =>
    writeFileSync(config, `example:\n  tool: ${tool}\ndigest:\n  unit: B\n  key: ${key}\n  tool: ${stamp}\n`);
  writeFileSync(join(dir, 'key'), 'secret 1');
  setKey(join(dir, 'key'));
  const args = ['--config', config, '--artifacts', artifacts, '--log-format', 'json'];
  const run = async () => assert.equal(await main(['run', ...args], templateRegistry()), 0);
  assert.equal(await main(['plan', ...args], templateRegistry()), 0);
  await run();
  const latest = (file: string) => join(artifacts, 'latest', file);
  for (const file of ['example.fp32.engine', 'example.fp16.engine', 'example.fp32.weights', 'digest.json'])
    assert.ok(existsSync(latest(file)), file);
  assert.equal(JSON.parse(readFileSync(latest('digest.json'), 'utf8')).size, encodeModel(opt).length);
  const stamped = (key: string) =>
    createHash('sha256')
      .update(readFileSync(latest('digest.json')))
      .update(key)
      .digest('hex');
  assert.equal(readFileSync(latest('digest.stamp'), 'utf8'), stamped('secret 1'));
  assert.deepEqual([callsOf('example-tool', 'build').length, callsOf('example-stamp', 'stamp').length], [2, 1]);
  await run();
  writeFileSync(join(dir, 'key2'), 'secret 1');
  setKey(join(dir, 'key2'));
  await run();
  const counts = [callsOf('example-tool', 'build').length, callsOf('example-stamp', 'stamp').length];
  assert.deepEqual(counts, [2, 1], 'a second run, and one with the key file renamed, are hits');
  writeFileSync(join(dir, 'key2'), 'secret 2');
  await run();
  assert.equal(callsOf('example-stamp', 'stamp').length, 2, 'a changed key file is a miss');
  assert.equal(readFileSync(latest('digest.stamp'), 'utf8'), stamped('secret 2'));
});

test("the template kit's runner in the benchmark: the model's inputs fed, limits kept, outputs correct", async () => {
  const source = join(dir, 'model.onnx');
  await writeFile(source, encodeModel(raw));
  // The engines the fake builds: copies of the optimized model.
  const engine = join(dir, 'example.engine');
  await writeFile(engine, encodeModel(opt));
  const bench = benchConfig({ bench: { warmup: 2, runs: 3, max_seconds: 5, batch_sizes: [1, 2] } });
  const request = {
    config: { ...bench, engines: [ENGINE] },
    ...composeKits([exampleKit]).kitSections({ example: { tool } }),
    artifacts: { model: engine, source, built: { example: { fp32: engine, fp16: engine } } },
    workDir: join(dir, 'bench'),
    exec,
    log: { info: () => undefined, warn: () => undefined },
  };
  const b = await runBenchmark(request, [exampleKit]);
  assert.ok(b.ok, b.ok ? '' : b.error.message);
  assert.deepEqual(
    b.value.measurements.map((m) => [
      `${m.engine} ${m.precision} ${m.batch}`,
      m.warmup,
      m.sampling?.n,
      m.sampling?.stoppedBy,
      m.correctness?.ok,
    ]),
    ['fp32 1', 'fp32 2', 'fp16 1', 'fp16 2'].map((w) => [`example ${w}`, 2, 3, 'runs', true]),
  );
  for (const m of b.value.measurements)
    assert.ok(m.correctness!.relL2 < 1e-5, `${m.precision} ${m.batch}: real outputs`);
  const limits = '--warmup 2 --warmup-ms 2000 --runs 3 --max-ms 5000 --min-samples 3';
  assert.ok(
    callsOf('example-tool', 'run').every((c) => c.includes(limits)),
    'bench.warmup, runs, max_seconds',
  );
  assert.deepEqual(
    b.value.skipped.map((s) => `${s.engine} ${s.precision} ${s.kind}`),
    ['example int8 no-model'],
  );
});

test('the template pass, under the pass manager optimize runs: rules fire or decline, outputs kept', async () => {
  const ones = makeTensor('one', DType.FLOAT, [1, 3], [1, 1, 1]);
  const m = tiny({
    inputs: { x: [2, 3] },
    outputs: ['y'],
    nodes: [
      node('Mul', ['x', 'two'], ['b']),
      node('Mul', ['b', 'one'], ['a']),
      node('Transpose', ['a'], ['t'], { perm: [0, 1] }),
      node('Transpose', ['t'], ['u'], { perm: [1, 0] }),
      node('Relu', ['u'], ['y']),
    ],
    initializers: [ones, scalar('two', DType.FLOAT, 2)],
  });
  const run = runPasses(m, [foldNeutral]);
  assert.deepEqual(opTypes(run.model), ['Mul', 'Transpose', 'Relu']);
  assert.deepEqual(run.steps[0]?.rules, {
    fired: { 'mul-by-one': 1, 'identity-transpose': 1 },
    declined: { 'mul-by-one': 'b: the constant is not all ones', 'identity-transpose': 'u: perm [1, 0] moves an axis' },
  });
  await assertSameOutputs(m, run.model);
});

test("docs/architecture.md's table of stages and their outputs is the registry's", () => {
  const lines = readFileSync(fromRoot('docs', 'architecture.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| stage | outputs'));
  assert.ok(start >= 0, 'docs/architecture.md has no `| stage | outputs` table');
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  const documented = lines.slice(start + 2, end).map((l) =>
    l
      .split('|')
      .slice(1, 4)
      .map((c) => c.trim()),
  );
  const engine = (name: string) => name.replace(/^engine:([^:]+):.*$/, 'engine:$1:<precision>');
  const rows = new Map<string, { outputs: Set<string>; inputs: Set<string> }>();
  for (const s of real.stages) {
    const row = rows.get(engine(s.name)) ?? { outputs: new Set(), inputs: new Set() };
    for (const label of Object.keys(s.outputs)) row.outputs.add(`\`${label}\``);
    for (const i of Object.values(s.inputs)) row.inputs.add(`\`${engine(i.stage)}.${i.output}\``);
    rows.set(engine(s.name), row);
  }
  const expected = [...rows].map(([name, r]) => [
    `\`${name}\``,
    [...r.outputs].join(', '),
    [...r.inputs].join(', ') || '—',
  ]);
  assert.deepEqual(documented, expected);
});
