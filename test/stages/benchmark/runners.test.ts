/**
 * The benchmark as a table of engine runners, the kits' (stages/benchmark/kits.ts): every engine of every runner,
 * at every precision, is either measured at each batch or skipped with a kind and a reason that is true here.
 * The engines are stages/benchmark/kits.ts `ENGINES`; the recorded outcomes are this tree's kits', so a new kit's
 * engines are held to the rule and need no row here.
 * onnxruntime and PyTorch are the real ones on a small MobileNetV2 (FP16 converted by convert:fp16's code);
 * TensorRT is the fake trtexec and nvidia-smi of test/fixtures/bin, which check their argv.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import type { BenchFile, SkipKind } from '../../../measure/result.js';
import type { BenchArtifacts } from '../../../measure/kit.js';
import { loadRunners, runBenchmark } from '../../../stages/benchmark/run-bench.js';
import { GPU, LOG, Rig, TAG, fakeEngine } from '../engine-trt/rig.js';
import { stageContext } from '../optimize/stage-context.js';
import { tinyMobileNet } from './tiny-mobilenet.js';
import { benchConfig, ENGINES as ENGINE_NAMES, kitSections } from '../../../stages/benchmark/kits.js';

const KINDS: readonly SkipKind[] = [
  'excluded',
  'no-model',
  'tool-unavailable',
  'no-gpu',
  'unsupported-operator',
  'unsupported-model',
  'fixed-batch',
  'no-inputs',
  'out-of-memory',
  'engine-failed',
];
const ENGINES = Object.keys(ENGINE_NAMES);
const BATCHES = [1, 2];
const log = { info: () => undefined, warn: () => undefined };
const path = process.env.PATH;
let dir = '';
let artifacts: BenchArtifacts = { model: '', source: '' };

before(async () => {
  ({ dir } = await stageContext({}, {}, {}));
  const { raw, opt, fp16 } = tinyMobileNet();
  const source = join(dir, 'model.onnx');
  artifacts = { model: join(dir, 'model.opt.onnx'), source, onnx: { fp16: join(dir, 'model.fp16.onnx') } };
  await writeFile(source, encodeModel(raw));
  await writeFile(artifacts.model, encodeModel(opt));
  await writeFile(artifacts.onnx!.fp16!, encodeModel(fp16));
});
after(() => {
  process.env.PATH = path;
});

async function bench(files: BenchArtifacts, work: string, engines: readonly string[] = ENGINES): Promise<BenchFile> {
  const config = benchConfig({
    bench: { warmup: 1, runs: 3, batch_sizes: BATCHES, engines: [...engines], python: '/usr/bin/python3' },
  });
  const r = await runBenchmark({
    config,
    ...kitSections({}),
    artifacts: files,
    workDir: join(dir, work),
    exec,
    log,
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

/** Per engine and precision: `measured` at every batch, or the one kind it was skipped with. */
function outcomes(b: BenchFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const engine of ENGINES) {
    for (const precision of ['fp32', 'fp16', 'int8'] as const) {
      const batches = b.measurements
        .filter((m) => m.engine === engine && m.precision === precision)
        .map((m) => m.batch);
      const skips = b.skipped.filter((s) => s.engine === engine && s.precision === precision);
      if (batches.length === 0 && skips.length === 0 && engine === 'torch-fused' && precision === 'fp32') {
        out[`${engine} ${precision}`] = 'not asked';
        continue;
      }
      for (const s of skips) assert.ok(KINDS.includes(s.kind) && s.reason.length > 0, JSON.stringify(s));
      assert.ok(
        batches.length === 0 ? skips.length > 0 : skips.length === 0,
        `${engine} ${precision}: measured at ${batches.join(', ') || 'no batch'}, skipped ${JSON.stringify(skips)}`,
      );
      out[`${engine} ${precision}`] = batches.length
        ? `measured ${batches.join(',')}`
        : skips.map((s) => s.kind).join();
    }
  }
  return out;
}

test('the table holds every engine bench.engines can name', async () => {
  assert.deepEqual((await loadRunners()).flatMap((r) => r.engines).sort(), [...ENGINES].sort());
});

test('every engine is measured or skipped with a kind: a GPU machine (fake trtexec) with both engines', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], {
    FAKE_TRT_LOG: LOG.bench,
    FAKE_GPU: GPU.ada,
    FAKE_TRT_TIMES: LOG.times,
  });
  // Engines as the fake builds them: the model inside, a batch profile of 1 to 2.
  const at = (n: number) => [n, 3, 32, 32];
  const profile = { input: { min: at(1), opt: at(2), max: at(2) } };
  const engines = {
    fp32: fakeEngine(join(rig.root, 'model.fp32.engine'), artifacts.model, TAG.v10, profile),
    fp16: fakeEngine(join(rig.root, 'model.fp16.engine'), artifacts.onnx!.fp16!, TAG.v10, profile),
  };
  const b = await bench({ ...artifacts, built: { trt: engines } }, 'gpu');
  const recorded = {
    'ort fp32': 'measured 1,2',
    'ort fp16': 'measured 1,2',
    'torch-eager fp32': 'measured 1,2',
    // Debian's torch here is 1.13 on the CPU; no CUDA for FP16 or CUDA graphs, no torch.compile before 2.
    'torch-eager fp16': 'no-gpu',
    'torch-compile fp32': 'tool-unavailable',
    'torch-compile fp16': 'no-gpu',
    'torch-cudagraph fp32': 'no-gpu',
    'torch-cudagraph fp16': 'no-gpu',
    // AOTInductor packages need torch 2; FP16 needs CUDA.
    'torch-aoti fp32': 'tool-unavailable',
    'torch-aoti fp16': 'no-gpu',
    // The fused kernels take float16 on a GPU only: FP32 is never asked of them.
    'torch-fused fp32': 'not asked',
    'torch-fused fp16': 'no-gpu',
    'trt fp32': 'measured 1,2',
    'trt fp16': 'measured 1,2',
    // No quantize:int8 model nor INT8 engine is given here; PyTorch runs the float graph only.
    'ort int8': 'no-model',
    'torch-eager int8': 'unsupported-model',
    'torch-compile int8': 'unsupported-model',
    'torch-cudagraph int8': 'unsupported-model',
    'torch-aoti int8': 'unsupported-model',
    'torch-fused int8': 'unsupported-model',
    'trt int8': 'no-model',
  };
  const table = outcomes(b);
  assert.deepEqual(Object.fromEntries(Object.entries(table).filter(([row]) => row in recorded)), recorded);
  const loaded = rig.calls('trtexec').flatMap((c) => c.argv.filter((a) => a.startsWith('--loadEngine=')));
  assert.deepEqual([...new Set(loaded)], [`--loadEngine=${engines.fp32}`, `--loadEngine=${engines.fp16}`]);
  assert.equal(b.environment.gpu?.name, 'NVIDIA RTX 6000 Ada Generation', 'nvidia-smi names the GPU');
});

test('no GPU: TensorRT is skipped as no-gpu with the probe’s words, whatever engine files there are', async () => {
  const rig = new Rig(['trtexec'], { FAKE_TRT_LOG: LOG.bench });
  const engine = join(rig.root, 'model.fp32.engine');
  await writeFile(engine, 'fake engine');
  const b = await bench({ ...artifacts, built: { trt: { fp32: engine } } }, 'no-gpu', ['ort', 'trt']);
  const trt = b.skipped.filter((s) => s.engine === 'trt');
  const reason = 'no NVIDIA GPU found: nvidia-smi is not on PATH (TensorRT engines need an NVIDIA GPU and driver)';
  assert.deepEqual(trt, [
    { engine: 'trt', precision: 'fp32', kind: 'no-gpu', reason },
    { engine: 'trt', precision: 'fp16', kind: 'no-gpu', reason },
    { engine: 'trt', precision: 'int8', kind: 'no-gpu', reason },
  ]);
  assert.deepEqual(rig.calls('trtexec'), [], 'trtexec is not run without a GPU');
});

test('a GPU and trtexec but no engine file: no-model, pointing at the engine stage', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.bench, FAKE_GPU: GPU.ada });
  const b = await bench({ model: artifacts.model, source: artifacts.source }, 'no-engine', ['ort', 'trt']);
  const made = (what: string) => `${what} although trtexec and a GPU are here; the manifest says why`;
  assert.deepEqual(b.skipped, [
    {
      engine: 'ort',
      precision: 'fp16',
      kind: 'no-model',
      reason: 'convert:fp16 produced no model.fp16.onnx; the manifest says why',
    },
    {
      engine: 'ort',
      precision: 'int8',
      kind: 'no-model',
      reason: 'quantize:int8 produced no model.int8.onnx; the manifest says why',
    },
    { engine: 'trt', precision: 'fp32', kind: 'no-model', reason: made('engine:trt:fp32 produced no engine') },
    { engine: 'trt', precision: 'fp16', kind: 'no-model', reason: made('engine:trt:fp16 produced no engine') },
    { engine: 'trt', precision: 'int8', kind: 'no-model', reason: made('engine:trt:int8 produced no engine') },
  ]);
  assert.deepEqual(
    rig.calls('trtexec').map((c) => c.argv),
    [['--help']],
    'the probe asked trtexec who it is; no engine was run',
  );
});
