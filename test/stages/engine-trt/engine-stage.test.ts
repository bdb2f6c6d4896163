/**
 * The engine stages' run() with a hand-made StageContext and fake trtexec / nvidia-smi / docker: the exact
 * argv each build gets, what it writes, and the one message each failure becomes.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import type { ToolFound } from '../../../pipeline/stage.js';
import { trtBuild, type EngineConfig } from '../../../trt/engine-stage.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { realModels } from '../../corpus/models.js';
import { GPU, LOG, AUTHORED_LOGS, Rig, fakeEngineFile } from './rig.js';

const trtFp32 = engineStage(trtBuild, 'fp32');
const trtFp16 = engineStage(trtBuild, 'fp16');

async function probe(stage: typeof trtFp32, config: EngineConfig): Promise<ToolFound> {
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

test('FP32, static graph, TensorRT 10.16: exact argv, engine + log + timing cache written', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const model = rig.model('model.opt.onnx', 1);
  const config = trtFp32.config({});
  const { ctx, outDir, messages } = rig.context(config, { model }, await probe(trtFp32, config));
  const r = await trtFp32.run(ctx);
  assert.deepEqual(r, { ok: true, value: undefined });
  assert.deepEqual(rig.calls('trtexec').at(-1)!.argv, [
    `--onnx=${model}`,
    `--saveEngine=${join(outDir, 'engine')}`,
    ...TAIL(rig),
  ]);
  const engine = fakeEngineFile.readEngine(join(outDir, 'engine'));
  assert.ok(engine);
  assert.equal(engine.versionTag, '[TensorRT v101600] [b72]');
  assert.deepEqual(engine.onnx, readFileSync(model), 'the fake engine holds the ONNX it was built from');
  assert.equal(engine.header.workspaceBytes, 2048 * 2 ** 20, 'workspace:2048 is 2048 MiB on 10.16');
  const log = readFileSync(join(outDir, 'log'), 'utf8');
  assert.match(log, /^&&&& RUNNING TensorRT\.trtexec \[TensorRT v101600\] \[b72\] # trtexec --onnx=/);
  assert.match(log, /\n==== stderr ====\n(.*\n)*\[[^\]]+\] \[W\] Dynamic dimensions required/);
  assert.ok(existsSync(join(rig.root, 'persistent', 'timing.cache')));
  const built = messages.at(-1)!;
  assert.match(built.message, /^built engine in \d+(\.\d\d?)? (ms|s)$/, 'the build says how long it took');
  assert.deepEqual(
    { ...built, message: '' },
    { level: 'info', message: '', fields: { seconds: 2.84511, sizeMiB: 12.5709, batched: false } },
  );
  assert.match(
    messages.find((m) => m.message.startsWith('building'))!.message,
    /takes minutes|take minutes/,
    'and says so before it starts',
  );
});

// The engine then runs in the profile only.
test('a real multi-input model (Silero VAD): every dynamic input in the profile, the int64 scalar static', async () => {
  const [vad] = realModels('silero_vad_legacy');
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const model = join(rig.root, 'model.opt.onnx');
  copyFileSync(vad!.file, model);
  const config = trtFp32.config({
    model: { dims: { sequence: 512 }, inputs: { sr: { value: 16000 } } },
    trt: { batch: { min: 1, opt: 2, max: 4 } },
  });
  const { ctx, outDir } = rig.context(config, { model }, await probe(trtFp32, config));
  assert.deepEqual(await trtFp32.run(ctx), { ok: true, value: undefined });
  assert.deepEqual(rig.calls('trtexec').at(-1)!.argv.slice(2, 5), [
    '--minShapes=input:1x512,h:2x1x64,c:2x1x64',
    '--optShapes=input:2x512,h:2x2x64,c:2x2x64',
    '--maxShapes=input:4x512,h:2x4x64,c:2x4x64',
  ]);
  const unset = rig.context(trtFp32.config({}), { model }, await probe(trtFp32, config));
  const refused = await trtFp32.run(unset.ctx);
  assert.ok(!refused.ok);
  assert.match(
    refused.error.message,
    /input 'input' \[batch, sequence\]: dimension 1 \('sequence'\) has no value: set model\.dims/,
  );
  assert.ok(existsSync(join(outDir, 'engine')));
});

test("failures become one message with trtexec's own error lines", async (t) => {
  // The name of each case is the kind classify-failure gives, which the failure's reason carries.
  const cases: [string, string, RegExp, string][] = [
    [
      'trt-10.3.0-out-of-memory.authored.log',
      'out-of-memory',
      /the GPU ran out of memory; lower trt\.workspace_mib or trt\.batch\.max/,
      'Error Code 2: OutOfMemory',
    ],
    [
      'trt-8.6.1-unsupported-operator.authored.log',
      'unsupported-operator',
      /uses an operator TensorRT cannot import \(FancyGelu\); replace the operator/,
      'While parsing node number 3 [FancyGelu',
    ],
    [
      'trt-10.3.0-onnx-parse-error.authored.log',
      'onnx-parse',
      /TensorRT could not parse the ONNX model/,
      'Failed to parse ONNX model from file',
    ],
    [
      'trt-8.6.1-no-gpu.authored.log',
      'no-gpu',
      /trtexec found no usable CUDA GPU/,
      'Cuda failure: no CUDA-capable device is detected',
    ],
  ];
  for (const [file, name, message, line] of cases) {
    await t.test(name, async () => {
      const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
      const model = rig.model('model.opt.onnx', 1);
      const config = trtFp32.config({});
      const tool = await probe(trtFp32, config);
      process.env.FAKE_TRT_LOG = join(AUTHORED_LOGS, file);
      const { ctx, outDir } = rig.context(config, { model }, tool);
      const r = await trtFp32.run(ctx);
      assert.ok(!r.ok);
      assert.equal(r.error.cause, `trt-${name}`);
      assert.match(r.error.message, /^building the FP32 engine from model\.opt\.onnx failed: /);
      assert.match(r.error.message, message);
      assert.ok(
        r.error.details!.some((d) => d.includes(line)),
        r.error.details!.join('\n'),
      );
      assert.match(r.error.details!.at(-2)!, /^&&&& FAILED/);
      const kept = join(rig.root, 'persistent', 'failed-build.log');
      assert.equal(r.error.details!.at(-1), `full trtexec output: ${kept}`);
      assert.ok(readFileSync(kept, 'utf8').includes(line));
      assert.ok(
        r.error.details!.every((d) => !d.includes('--onnx=<file>')),
        'help text is not a detail',
      );
      assert.ok(!existsSync(join(outDir, 'engine')));
    });
  }
});

test('a flag the binary does not know is reported by name (the fake rejects --bf16 on 8.6)', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v86, FAKE_GPU: GPU.laptop });
  const model = rig.model('model.opt.onnx', 1);
  const config = trtFp16.config({ trt: { bf16: true } });
  const real = await probe(trtFp16, config);
  const lying = { ...real, fingerprint: { ...real.fingerprint, tensorrt: '10.3.0' } };
  const r = await trtFp16.run(rig.context(config, { model }, lying).ctx);
  assert.ok(!r.ok);
  assert.match(r.error.message, /trtexec does not accept the option --bf16; /);
  assert.equal(r.error.details!.length, 3);
  assert.match(r.error.details![0]!, /\[E\] Unknown option: --bf16$/);
  assert.match(
    r.error.details![1]!,
    /^&&&& FAILED TensorRT\.trtexec \[TensorRT v8600\] # trtexec --onnx=.* --fp16 --bf16 /,
  );
  const refused = await trtFp16.run(rig.context(config, { model }, real, 'run2').ctx);
  assert.ok(!refused.ok);
  assert.equal(
    refused.error.message,
    'trt.bf16 needs TensorRT 10 or newer, and the trtexec found is 8.6.0; ' +
      'turn it off or use a TensorRT 10 trtexec or image',
  );
});

test('a build log from another GPU than the key names is not kept; a crash is reported as one', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.h100 });
  const model = rig.model('model.opt.onnx', 1);
  const config = trtFp32.config({});
  const tool = await probe(trtFp32, config);
  const r = await trtFp32.run(rig.context(config, { model }, tool).ctx);
  assert.ok(!r.ok);
  assert.equal(r.error.cause, 'trt-identity-mismatch');
  assert.equal(
    r.error.message,
    'nvidia-smi reported GPU NVIDIA H100 PCIe but trtexec built on NVIDIA RTX 6000 Ada Generation; ' +
      'make device 0 the GPU you mean (CUDA_VISIBLE_DEVICES); the engine was not kept',
  );
  process.env.FAKE_TRT_CRASH = '1';
  process.env.FAKE_TRT_LOG = join(AUTHORED_LOGS, 'trt-10.16.0-build-only-h100.authored.log');
  const crash = await trtFp32.run(rig.context(config, { model }, tool, 'crash').ctx);
  assert.ok(!crash.ok);
  assert.match(crash.error.message, /trtexec was killed by SIGSEGV without reporting an error/);
});

test('Docker: the build runs in the image with the model, output and cache directories mounted', async () => {
  const image = 'nvcr.io/nvidia/tensorrt:24.08-py3';
  const rig = new Rig(['docker', 'nvidia-smi'], {
    FAKE_TRT_LOG: LOG.v10,
    FAKE_GPU: GPU.ada,
    FAKE_DOCKER_IMAGES: image,
  });
  const model = rig.model('model.opt.onnx', 1);
  const config = trtFp32.config({});
  const { ctx, outDir } = rig.context(config, { model }, await probe(trtFp32, config));
  assert.deepEqual(await trtFp32.run(ctx), { ok: true, value: undefined });
  const user = `${process.getuid!()}:${process.getgid!()}`;
  const mounts = [rig.root, outDir, join(rig.root, 'persistent')].sort().flatMap((d) => ['-v', `${d}:${d}`]);
  assert.deepEqual(rig.calls('docker').at(-1)!.argv, [
    'run',
    '--rm',
    '--gpus',
    'all',
    '--user',
    user,
    ...mounts,
    '--',
    image,
    'trtexec',
    `--onnx=${model}`,
    `--saveEngine=${join(outDir, 'engine')}`,
    ...TAIL(rig),
  ]);
  assert.ok(existsSync(join(outDir, 'engine')));
});

test('without trtexec the stage is skipped with the reason and what it would have run', async () => {
  const rig = new Rig(['nvidia-smi']);
  const r = await trtFp16.tools![0]!.probe(trtFp16.config({}), exec);
  assert.ok(!r.ok);
  assert.equal(
    r.error.message,
    `trtexec not found on PATH or in ${rig.installDir}, ` +
      'and no docker on PATH; install TensorRT or set trt.trtexec / trt.docker.image ' +
      '(would have run: trtexec --onnx=<model> --saveEngine=model.fp16.engine --fp16 ' +
      '--minShapes=<each dynamic input at batch 1> --optShapes=<… batch 1> --maxShapes=<… batch 8> ' +
      '--memPoolSize=workspace:2048 --builderOptimizationLevel=3 --timingCacheFile=<timing.cache> --skipInference)',
  );
});

test('the key slice: FP16-only switches leave the FP32 stage alone, benchmark settings leave both alone', () => {
  const a = trtFp32.config({ trt: { bf16: true, strongly_typed: true } });
  assert.deepEqual(a, trtFp32.config({}));
  assert.notDeepEqual(trtFp16.config({ trt: { bf16: true } }), trtFp16.config({}));
  assert.deepEqual(trtFp16.config({ trt: { bench: { duration_s: 30 } } }), trtFp16.config({}));
  assert.notDeepEqual(trtFp16.config({ trt: { workspace_mib: 4096 } }), trtFp16.config({}));
});

test('a build by another TensorRT than the probe reported is not kept', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const model = rig.model('model.opt.onnx', 1);
  const config = trtFp32.config({});
  const real = await probe(trtFp32, config);
  const r = await trtFp32.run(
    rig.context(config, { model }, { ...real, fingerprint: { ...real.fingerprint, tensorrt: '10.15.0' } }).ctx,
  );
  assert.ok(!r.ok);
  assert.equal(r.error.cause, 'trt-identity-mismatch');
  assert.equal(
    r.error.message,
    'trtexec --help reported TensorRT 10.15.0 but the build ran TensorRT 10.16.0; the engine was not kept',
  );
});

test("strongly typed FP16 (10.x): builds convert:fp16's ONNX with --stronglyTyped, never --fp16", async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const model = rig.model('model.opt.onnx', 1);
  const fp16model = rig.model('model.fp16.onnx', 1);
  const config = trtFp16.config({ trt: { strongly_typed: true } });
  const tool = await probe(trtFp16, config);
  const { ctx, outDir } = rig.context(config, { model, fp16model }, tool);
  assert.deepEqual(await trtFp16.run(ctx), { ok: true, value: undefined });
  assert.deepEqual(rig.calls('trtexec').at(-1)!.argv, [
    `--onnx=${fp16model}`,
    `--saveEngine=${join(outDir, 'engine')}`,
    '--stronglyTyped',
    ...TAIL(rig),
  ]);
  const missing = await trtFp16.run(rig.context(config, { model, fp16model: undefined }, tool, 'run2').ctx);
  assert.ok(!missing.ok);
  assert.match(
    missing.error.message,
    /trt\.strongly_typed builds the FP16 ONNX from convert:fp16, and that stage produced none/,
  );
});
