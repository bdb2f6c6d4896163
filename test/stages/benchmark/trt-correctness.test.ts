/**
 * The benchmark's correctness verdict on TensorRT engines, per TensorRT major. The engine stages build FP32, FP16
 * and INT8 engines of a tiny MobileNetV2 with the fake trtexec at 10.16 and at 11.4; the fake's engine runs the
 * ONNX it was built from with onnxruntime (a weakly typed --fp16 build rounds its outputs to float16), so the
 * verdict judges real outputs: each precision within its tolerance against the independent FP32 reference, and
 * a planted wrong engine (FAKE_TRT_WRONG: outputs reversed) flagged at every precision.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agreement } from '../../../onnx/compare.js';
import { normalFloats } from '../../../onnx/random.js';
import { runModelOnce } from '../../../onnx/ort.js';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { runBenchmark } from '../../../stages/benchmark/run-bench.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { trtBuild } from '../../../trt/engine-stage.js';
import { qdqModel } from '../../trt/qdq-model.js';
import { GPU, LOG, Rig } from '../engine-trt/rig.js';
import { tinyMobileNet } from './tiny-mobilenet.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

const log = { info: () => undefined, warn: () => undefined };

/** The tiny models as the upstream stages would write them; the Q/DQ one is test/trt/qdq-model.ts's. */
function models(rig: Rig) {
  const { raw, opt, fp16 } = tinyMobileNet();
  const files = {
    source: join(rig.root, 'model.onnx'),
    model: join(rig.root, 'model.opt.onnx'),
    fp16model: join(rig.root, 'model.fp16.onnx'),
    int8model: join(rig.root, 'model.int8.onnx'),
  };
  writeFileSync(files.source, encodeModel(raw));
  writeFileSync(files.model, encodeModel(opt));
  writeFileSync(files.fp16model, encodeModel(fp16));
  writeFileSync(files.int8model, encodeModel(qdqModel(opt)));
  return files;
}

async function buildEngines(rig: Rig, inputs: ReturnType<typeof models>) {
  const engines: Record<string, string> = {};
  for (const stage of trtBuild.precisions.map((p) => engineStage(trtBuild, p))) {
    const config = stage.config({ trt: { batch: { min: 1, opt: 2, max: 2 } } });
    const probe = await stage.tools![0]!.probe(config, exec);
    assert.ok(probe.ok, JSON.stringify(probe));
    const { ctx, outDir } = rig.context(config, inputs, probe.value, stage.name.replaceAll(':', '-'));
    const built = await stage.run(ctx);
    assert.deepEqual(built, { ok: true, value: undefined }, stage.name);
    engines[stage.name] = join(outDir, 'engine');
  }
  return engines;
}

async function benchTrt(rig: Rig, files: ReturnType<typeof models>, engines: Record<string, string>, work: string) {
  const config = benchConfig({
    bench: { warmup: 1, runs: 3, batch_sizes: [1, 2], engines: ['trt'], precisions: ['fp32', 'fp16', 'int8'] },
  });
  const r = await runBenchmark({
    config,
    ...kitSections({}),
    artifacts: {
      model: files.model,
      source: files.source,
      built: {
        trt: {
          fp32: engines['engine:trt:fp32']!,
          fp16: engines['engine:trt:fp16']!,
          int8: engines['engine:trt:int8']!,
        },
      },
    },
    workDir: join(rig.root, work),
    exec,
    log,
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

test('the Q/DQ test model runs on onnxruntime, and its INT8 error is visible but small', async () => {
  const { opt } = tinyMobileNet();
  const feeds = { input: { dims: [2, 3, 32, 32], data: Float32Array.from(normalFloats(2 * 3 * 32 * 32, 3)) } };
  const [fp32] = Object.values(await runModelOnce(encodeModel(opt), feeds));
  const [int8] = Object.values(await runModelOnce(encodeModel(qdqModel(opt)), feeds));
  const a = agreement(int8!.data, fp32!.data);
  assert.ok(a.relL2 > 1e-4 && a.relL2 < 5e-2, `INT8 relative L2 ${a.relL2}`);
});

for (const [name, buildLog, benchLog] of [
  ['10.16', LOG.v10, LOG.bench],
  ['11.4', LOG.v11, LOG.bench11],
] as const) {
  test(`TensorRT ${name}: FP32, FP16 and INT8 engines pass the verdict; a wrong engine fails it`, async () => {
    const rig = new Rig(['trtexec', 'nvidia-smi'], {
      FAKE_TRT_LOG: buildLog,
      FAKE_GPU: GPU.ada,
      FAKE_TRT_TIMES: LOG.times,
    });
    const files = models(rig);
    const engines = await buildEngines(rig, files);
    process.env.FAKE_TRT_LOG = benchLog;
    const good = await benchTrt(rig, files, engines, 'good');
    assert.deepEqual(good.skipped, []);
    const seen = good.measurements.map((m) => `${m.precision} b${m.batch}`);
    assert.deepEqual(seen, ['fp32 b1', 'fp32 b2', 'fp16 b1', 'fp16 b2', 'int8 b1', 'int8 b2']);
    // Bounds: FP32 is the same graph (optimizer rounding only); FP16 and INT8 must show their rounding, within
    // bench.tolerance (1e-2 and 5e-2).
    const bounds = { fp32: [0, 1e-5], fp16: [1e-6, 1e-2], int8: [1e-4, 5e-2] } as const;
    for (const m of good.measurements) {
      const c = m.correctness!;
      const [lo, hi] = bounds[m.precision];
      assert.ok(c.ok, `${m.precision} b${m.batch}: ${JSON.stringify(c)}`);
      assert.ok(c.relL2 >= lo && c.relL2 <= hi, `${m.precision} b${m.batch}: relative L2 ${c.relL2}`);
      assert.equal(c.top1, 1, `${m.precision} b${m.batch}: the same class as the reference`);
    }

    process.env.FAKE_TRT_WRONG = '1';
    const wrong = await benchTrt(rig, files, engines, 'wrong');
    delete process.env.FAKE_TRT_WRONG;
    assert.equal(wrong.measurements.length, 6);
    for (const m of wrong.measurements)
      assert.equal(m.correctness?.ok, false, `${m.precision} b${m.batch} is flagged: ${JSON.stringify(m.correctness)}`);
  });
}
