/**
 * The templates docs/architecture.md tells a newcomer to copy (example-kit.ts, example-stage.ts) are registered
 * the way a real kit and stage are (the kit through `composeKits`, both into a registry), planned and run by the
 * real CLI, and the kit's runner measured by the real benchmark, with a fake `example-tool`; so they cannot rot.
 * Also: the stages' outputs that docs/architecture.md lists are the registry's.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../onnx/serde.js';
import { main } from '../../pipeline/cli/cli.js';
import { exec } from '../../pipeline/execute/exec.js';
import type { AnyStage } from '../../pipeline/plan/graph.js';
import type { Registry } from '../../pipeline/registry.js';
import { ok } from '../../pipeline/result.js';
import { defineStage } from '../../pipeline/stage.js';
import { benchConfig } from '../../measure/config.js';
import { composeKits, KITS } from '../../stages/benchmark/kits.js';
import { runBenchmark } from '../../stages/benchmark/run-bench.js';
import { registry as real } from '../../stages/index.js';
import { tinyMobileNet } from '../stages/benchmark/tiny-mobilenet.js';
import { fromRoot } from '../repo-root.js';
import { ENGINE, exampleKit } from './example-kit.js';
import digest, { schema as digestSchema } from './example-stage.js';

const dir = mkdtempSync(join(tmpdir(), 'ef-templates-'));
const { raw, opt } = tinyMobileNet();
const calls = join(dir, 'calls.log');

/** The fake example-tool: a Node script speaking the three commands the template kit runs. */
const tool = join(dir, 'example-tool');
writeFileSync(
  tool,
  `#!${process.execPath}
const fs = require('node:fs');
const [cmd, ...rest] = process.argv.slice(2);
const arg = (name) => rest[rest.indexOf(name) + 1];
fs.appendFileSync(${JSON.stringify(calls)}, cmd + '\\n');
if (cmd === '--version') console.log('example-tool 1.0');
else if (cmd === 'build') fs.writeFileSync(arg('--out'), 'engine of ' + arg('--model') + ' at ' + arg('--precision'));
else if (cmd === 'run') {
  const batch = Number(arg('--batch'));
  const samples = Array.from({ length: Number(arg('--runs')) }, (_, i) => 1 + i / 10);
  console.log(JSON.stringify({ samples_ms: samples, output: new Array(batch * 10).fill(0), dims: [batch, 10] }));
} else process.exit(2);
`,
);
chmodSync(tool, 0o755);
const toolCalls = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean);

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

test('the template kit composes beside the real kits: its stages, its tool, its section', () => {
  const all = composeKits([...KITS, exampleKit]);
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

test('the template kit and stage, planned and run by the CLI, then a hit; its runner in the benchmark', async () => {
  const artifacts = join(dir, 'artifacts');
  const config = join(dir, 'run.yaml');
  writeFileSync(config, `example:\n  tool: ${tool}\ndigest:\n  unit: B\n`);
  const args = ['--config', config, '--artifacts', artifacts, '--log-format', 'json'];
  assert.equal(await main(['plan', ...args], templateRegistry()), 0);
  assert.equal(await main(['run', ...args], templateRegistry()), 0);
  const latest = (file: string) => join(artifacts, 'latest', file);
  for (const file of ['example.fp32.engine', 'example.fp16.engine', 'example.fp32.log', 'digest.json'])
    assert.ok(existsSync(latest(file)), file);
  assert.equal(JSON.parse(readFileSync(latest('digest.json'), 'utf8')).size, encodeModel(opt).length);
  const built = toolCalls().filter((c) => c === 'build').length;
  assert.equal(built, 2);
  assert.equal(await main(['run', ...args], templateRegistry()), 0);
  assert.equal(toolCalls().filter((c) => c === 'build').length, built, 'a second run is a hit: nothing rebuilt');

  const source = join(dir, 'model.onnx');
  await writeFile(source, encodeModel(raw));
  const bench = benchConfig({ bench: { warmup: 1, runs: 3, batch_sizes: [1, 2] } });
  const request = {
    config: { ...bench, engines: [ENGINE] },
    ...composeKits([exampleKit]).kitSections({ example: { tool } }),
    artifacts: {
      model: latest('model.opt.onnx'),
      source,
      built: { example: { fp32: latest('example.fp32.engine'), fp16: latest('example.fp16.engine') } },
    },
    workDir: join(dir, 'bench'),
    exec,
    log: { info: () => undefined, warn: () => undefined },
  };
  const b = await runBenchmark(request, [exampleKit]);
  assert.ok(b.ok, b.ok ? '' : b.error.message);
  assert.deepEqual(
    b.value.measurements.map((m) => `${m.engine} ${m.precision} ${m.batch} ${m.samplesMs.length}`),
    ['example fp32 1 3', 'example fp32 2 3', 'example fp16 1 3', 'example fp16 2 3'],
  );
  assert.deepEqual(
    b.value.skipped.map((s) => `${s.engine} ${s.precision} ${s.kind}`),
    ['example int8 no-model'],
  );
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
