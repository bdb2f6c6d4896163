/**
 * The FP16 build per TensorRT major (8.6 and 10 `--fp16` on the optimized model, 11 no flag on convert:fp16's
 * model, which 11 cannot do without), then `engines --precision all` without one option set, on TensorRT 10.16
 * and on 11.4 (the fake trtexec): the real
 * registry's TensorRT targets through the real runner, from a real MobileNetV2 (build, optimize, convert:fp16)
 * and the real quantize:int8's Q/DQ model; the torch-compile targets of `engines` are left out (they need
 * PyTorch, not trtexec). Each build
 * gets the ONNX and flags its version needs, and the fake accepts every argument as that trtexec would.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { excludedBy } from '../../../pipeline/cli/project.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { select } from '../../../pipeline/plan/graph.js';
import { createLogger } from '../../../pipeline/log/log.js';
import { runStages } from '../../../pipeline/execute/runner.js';
import type { ToolFound } from '../../../pipeline/stage.js';
import { Store } from '../../../pipeline/store/store.js';
import { trtBuild, type EngineConfig } from '../../../trt/engine-stage.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { registry } from '../../../stages/index.js';
import { fakeEngineFile, GPU, LOG, Rig } from './rig.js';

const trtFp16 = engineStage(trtBuild, 'fp16');

async function probe(stage: typeof trtFp16, config: EngineConfig): Promise<ToolFound> {
  const r = await stage.tools![0]!.probe(config, exec);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

const TAIL = (rig: Rig) => [
  '--memPoolSize=workspace:2048',
  '--builderOptimizationLevel=3',
  `--timingCacheFile=${join(rig.root, 'persistent', 'timing.cache')}`,
  '--skipInference',
];

for (const [name, log, gpu, source, flags] of [
  ['8.6', LOG.v86, GPU.laptop, 'model', ['--fp16']],
  ['10.16', LOG.v10, GPU.ada, 'model', ['--fp16']],
  ['11.4', LOG.v11, GPU.ada, 'fp16model', []],
] as const) {
  test(`FP16 on TensorRT ${name}: ${flags.join(' ') || 'no flag'} on ${source}, profile of trt.batch`, async () => {
    const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: log, FAKE_GPU: gpu });
    const inputs = { model: rig.model('model.opt.onnx', 'N'), fp16model: rig.model('model.fp16.onnx', 'N') };
    const config = trtFp16.config({ trt: { batch: { min: 1, opt: 4, max: 16 } } });
    const { ctx, outDir } = rig.context(config, inputs, await probe(trtFp16, config));
    assert.deepEqual(await trtFp16.run(ctx), { ok: true, value: undefined });
    assert.deepEqual(rig.calls('trtexec').at(-1)!.argv, [
      `--onnx=${inputs[source]}`,
      `--saveEngine=${join(outDir, 'engine')}`,
      ...flags,
      '--minShapes=input:1x3x8x8',
      '--optShapes=input:4x3x8x8',
      '--maxShapes=input:16x3x8x8',
      ...TAIL(rig),
    ]);
  });
}

test('TensorRT 11.4 without an FP16 model: the FP16 engine declines with why (11 has no --fp16)', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v11, FAKE_GPU: GPU.ada });
  const config = trtFp16.config({});
  const { ctx } = rig.context(config, { model: rig.model('model.opt.onnx', 1) }, await probe(trtFp16, config));
  assert.deepEqual(await trtFp16.run(ctx), {
    ok: true,
    value: {
      declined:
        "TensorRT 11.4.0 builds FP16 only from convert:fp16's model (11.x has no --fp16), and that stage produced none",
      cause: undefined,
      details: undefined,
    },
  });
  assert.deepEqual(
    rig.calls('trtexec').map((c) => c.argv),
    [['--help']],
    'nothing built',
  );
});

// TensorRT takes signed int8 Q/DQ only (trt/qdq-signed.ts): the one setting an INT8 engine needs.
const CONFIG = {
  model: { width_mult: 0.5, input_size: 96, num_classes: 10, opset: 13, seed: 1, dynamic_batch: true },
  quantize: { activations: 'int8' },
};
const quiet = createLogger({ json: true, stream: new Writable({ write: (_c, _e, cb) => cb() }) });

for (const [name, log, expected] of [
  [
    '10.16',
    LOG.v10,
    { fp32: 'model.opt.onnx', fp16: 'model.opt.onnx --fp16', int8: 'model.int8.onnx --stronglyTyped' },
  ],
  ['11.4', LOG.v11, { fp32: 'model.opt.onnx', fp16: 'model.fp16.onnx', int8: 'model.int8.onnx' }],
] as const) {
  test(`engines --precision all on TensorRT ${name}: FP32, FP16 and INT8 built, no trt option set`, async () => {
    const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: log, FAKE_GPU: GPU.ada });
    const targets = registry.commands.engines!.targets.filter((t) => t.startsWith('engine:trt:'));
    assert.deepEqual(targets, ['engine:trt:fp32', 'engine:trt:fp16', 'engine:trt:int8']);
    const selected = select(registry.stages, targets);
    assert.ok(selected.ok);
    const excluded = excludedBy(registry, { precision: 'all' });
    assert.equal(excluded.size, 0, '--precision all leaves nothing out');
    const store = new Store(join(rig.root, 'artifacts'));
    const outcomes = await runStages(selected.value, CONFIG, { store, log: quiet, exec, excluded });
    for (const t of targets) {
      const o = outcomes.find((x) => x.stage === t)!;
      assert.equal(o.status, 'built', `${t}: ${o.message}`);
      const engine = fakeEngineFile.readEngine(store.objectPath(o.outputs.engine!.sha256));
      assert.equal(engine?.header.typed, name === '11.4' || t === 'engine:trt:int8', `${t} typed`);
    }
    const builds = rig.calls('trtexec').filter((c) => c.argv[0] !== '--help');
    const shown = builds.map((c) => {
      const onnx = basename(c.argv[0]!.replace(/^--onnx=/, ''));
      const flags = c.argv.filter((a) => /^--(fp16|bf16|int8|best|stronglyTyped)$/.test(a));
      return [onnx, ...flags].join(' ');
    });
    assert.deepEqual(shown.sort(), Object.values(expected).sort());
    for (const b of builds) {
      assert.deepEqual(
        b.argv.filter((a) => /Shapes=/.test(a)),
        ['--minShapes=input:1x3x96x96', '--optShapes=input:1x3x96x96', '--maxShapes=input:8x3x96x96'],
      );
    }
  });
}
