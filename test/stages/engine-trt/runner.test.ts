/**
 * The TensorRT stages through the real runner and store (pipeline/execute/runner.ts), with fake trtexec and
 * nvidia-smi: a second run is a cache hit, another TensorRT version, GPU or driver is a miss, a failed
 * build caches nothing, the timing cache follows the fingerprint, and without trtexec the stage is skipped.
 * `optimize` is a stand-in stage here that writes a tiny real ONNX model; the engine stages are the real ones.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import { createLogger } from '../../../pipeline/log/log.js';
import { ok } from '../../../pipeline/result.js';
import { planStages, runStages, type Outcome } from '../../../pipeline/execute/runner.js';
import { defineStage } from '../../../pipeline/stage.js';
import { Store } from '../../../pipeline/store/store.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { trtBuild } from '../../../trt/engine-stage.js';
import { GPU, LOG, AUTHORED_LOGS, Rig, modelBytes } from './rig.js';

const trtFp32 = engineStage(trtBuild, 'fp32');
const trtFp16 = engineStage(trtBuild, 'fp16');

const optimize = defineStage<{ batch: number | 'N' }>({
  name: 'optimize',
  version: 1,
  description: 'test stand-in: a tiny ONNX model',
  config: (root) => ({ batch: (root.toy as { batch?: number | 'N' } | undefined)?.batch ?? 1 }),
  inputs: {},
  outputs: { model: 'model.opt.onnx' },
  async run(ctx) {
    writeFileSync(ctx.out('model'), modelBytes(ctx.config.batch));
    return ok(undefined);
  },
});

function pipeline(rig: Rig) {
  const store = new Store(join(rig.root, 'artifacts'));
  const lines: string[] = [];
  const log = createLogger({
    json: true,
    stream: new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  const run = async (root: Record<string, unknown> = {}, extra: { require?: string[] } = {}) => {
    const outcomes = await runStages([optimize, trtFp32], root, { store, log, exec, ...extra });
    return outcomes.find((o) => o.stage === 'engine:trt:fp32')!;
  };
  return { store, run, lines };
}

const builds = (rig: Rig) => rig.calls('trtexec').filter((c) => c.argv[0] !== '--help');
const cacheArg = (argv: string[]) => argv.find((a) => a.startsWith('--timingCacheFile='));

test('second run is a hit; another TensorRT version, GPU or driver is a miss', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const p = pipeline(rig);
  const first = await p.run();
  assert.equal(first.status, 'built', first.message);
  assert.equal(builds(rig).length, 1);

  const second = await p.run();
  assert.equal(second.status, 'cached');
  assert.equal(second.key, first.key);
  assert.equal(builds(rig).length, 1, 'no build on a hit');
  assert.equal(second.outputs.engine?.sha256, first.outputs.engine?.sha256);

  const seen = new Set([first.key]);
  const expectMiss = async (env: Record<string, string>, what: string): Promise<Outcome> => {
    Object.assign(process.env, env);
    const before = builds(rig).length;
    const o = await p.run();
    assert.equal(o.status, 'built', `${what}: ${o.message}`);
    assert.ok(!seen.has(o.key), `${what} gives a new key`);
    seen.add(o.key);
    assert.equal(builds(rig).length, before + 1, `${what} rebuilds`);
    return o;
  };
  const v86 = await expectMiss({ FAKE_TRT_LOG: LOG.v86, FAKE_GPU: GPU.laptop }, 'TensorRT 8.6 on another GPU');
  assert.match(readFileSync(p.store.objectPath(v86.outputs.engine!.sha256), 'utf8'), /\[TensorRT v8600\]/);
  await expectMiss({ FAKE_TRT_LOG: LOG.v10h100, FAKE_GPU: GPU.h100 }, 'same TensorRT, another GPU');
  await expectMiss({ FAKE_GPU: 'NVIDIA H100 PCIe, 9.0, 560.28.03' }, 'same GPU, another driver');

  process.env.FAKE_TRT_LOG = LOG.v10;
  process.env.FAKE_GPU = GPU.ada;
  const back = await p.run();
  assert.equal(back.status, 'cached', 'the first fingerprint still hits its own entry');
  assert.equal(back.key, first.key);
});

test('a failing build caches nothing: the next run builds again and fails again', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], {
    FAKE_TRT_LOG: join(AUTHORED_LOGS, 'trt-10.3.0-out-of-memory.authored.log'),
    FAKE_GPU: GPU.ada,
  });
  const p = pipeline(rig);
  const first = await p.run();
  assert.equal(first.status, 'failed');
  assert.match(first.message!, /the GPU ran out of memory/);
  assert.ok(first.failure?.details?.some((d) => d.includes('Error Code 2: OutOfMemory')));
  const plan = await planStages([optimize, trtFp32], {}, { store: p.store, exec });
  assert.equal(plan.find((o) => o.stage === 'engine:trt:fp32')?.status, 'miss');
  const second = await p.run();
  assert.equal(second.status, 'failed');
  assert.equal(builds(rig).length, 2);
});

test('one timing cache per fingerprint, reused across model changes', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const p = pipeline(rig);
  assert.equal((await p.run({ toy: { batch: 1 } })).status, 'built');
  const dyn = await p.run({ toy: { batch: 'N' } });
  assert.equal(dyn.status, 'built', 'a model change is a miss');
  const [a, b] = builds(rig).map((c) => cacheArg(c.argv));
  assert.ok(a && a === b, 'same timing cache file for the same fingerprint');
  assert.ok(builds(rig)[1]!.argv.includes('--minShapes=input:1x3x8x8'), 'the dynamic model gets a profile');
  assert.equal(
    readFileSync(a.slice('--timingCacheFile='.length), 'utf8'),
    'entry [TensorRT v101600] [b72]\n'.repeat(2),
  );
  process.env.FAKE_TRT_LOG = LOG.v10h100;
  process.env.FAKE_GPU = GPU.h100;
  assert.equal((await p.run({ toy: { batch: 1 } })).status, 'built');
  assert.notEqual(cacheArg(builds(rig)[2]!.argv), a, 'another GPU gets its own timing cache');
});

test('no trtexec and no docker: skipped with the reason; --require trtexec makes it a failure', async () => {
  const rig = new Rig(['nvidia-smi']);
  const p = pipeline(rig);
  const skipped = await p.run();
  assert.equal(skipped.status, 'skipped');
  assert.match(
    skipped.message!,
    new RegExp(
      String.raw`^trtexec unavailable: trtexec not found on PATH or in ${rig.installDir}, .* ` +
        String.raw`\(would have run: trtexec --onnx=<model> --saveEngine=model\.fp32\.engine `,
    ),
  );
  const required = await p.run({}, { require: ['trtexec'] });
  assert.equal(required.status, 'failed');
  assert.match(required.message!, /^trtexec is required \(--require\) but unavailable: trtexec not found/);
  assert.deepEqual(rig.calls('trtexec'), []);
});

test('the FP16 stage runs beside FP32 with its own key and its own timing cache', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const store = new Store(join(rig.root, 'artifacts'));
  const log = createLogger({
    json: true,
    stream: new Writable({
      write(_c, _e, cb) {
        cb();
      },
    }),
  });
  const convert = defineStage({
    name: 'convert:fp16',
    version: 1,
    description: 'stand-in',
    config: () => null,
    inputs: {},
    outputs: { model: 'model.fp16.onnx' },
    run: async (ctx) => {
      writeFileSync(ctx.out('model'), modelBytes(1));
      return ok(undefined);
    },
  });
  const out = await runStages([optimize, convert, trtFp32, trtFp16], {}, { store, log, exec });
  const [fp32, fp16] = [
    out.find((o) => o.stage === 'engine:trt:fp32')!,
    out.find((o) => o.stage === 'engine:trt:fp16')!,
  ];
  assert.equal(fp32.status, 'built', fp32.message);
  assert.equal(fp16.status, 'built', fp16.message);
  assert.notEqual(fp32.key, fp16.key);
  const argvs = builds(rig).map((c) => c.argv);
  assert.equal(argvs.filter((a) => a.includes('--fp16')).length, 1);
  assert.notEqual(cacheArg(argvs[0]!), cacheArg(argvs[1]!));
});
