/**
 * The fake trtexec checks what real trtexec checks (shared/reference/trtexec.md's gotchas; NVIDIA/TensorRT's
 * sampleOptions.cpp and sampleEngines.cpp at v10.16 and v11.1): option names per major, option values as
 * trtexec converts them, shapes against the ONNX's own inputs, and the typing a Q/DQ model needs. Each case
 * runs against 10.16 and 11.4 (8.6 where the units differ), so an argv test passing on the fake means
 * something for the real one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { existsSync, writeFileSync } from 'node:fs';
import { encodeModel } from '../../onnx/serde.js';
import { exec } from '../../pipeline/execute/exec.js';
import { tinyMobileNet } from '../stages/benchmark/tiny-mobilenet.js';
import { FAKE_BIN, GPU, LOG, Rig, fakeEngineFile } from '../stages/engine-trt/rig.js';
import { qdqModel } from './qdq-model.js';

const VERSIONS = [
  ['10.16', LOG.v10],
  ['11.4', LOG.v11],
] as const;

function rig(log: string) {
  const r = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: log, FAKE_GPU: GPU.ada, FAKE_TRT_TIMES: LOG.times });
  const run = async (...argv: string[]) => {
    const out = await exec(join(FAKE_BIN, 'trtexec'), argv);
    return { code: out.exitCode, out: out.stdout, err: out.stderr };
  };
  const engine = join(r.root, 'e.engine');
  const build = (model: string, ...more: string[]) => run(`--onnx=${model}`, `--saveEngine=${engine}`, ...more);
  return { r, run, build, engine };
}

const errors = (err: string) => [...err.matchAll(/\[E\] (.*)/g)].map((m) => m[1]);

test('11.4 knows no precision flag nor --calib; 10.16 takes them and warns weak typing is deprecated', async () => {
  for (const flag of ['--fp16', '--bf16', '--int8', '--best', '--calib=cache.bin']) {
    const v11 = rig(LOG.v11);
    const r = await v11.build(v11.r.model('m.onnx', 1), flag);
    assert.equal(r.code, 1, flag);
    assert.deepEqual(errors(r.err), [`Unknown option: ${flag.replace('=', ' ')}`]);
    assert.match(r.out, /^&&&& FAILED TensorRT\.trtexec \[TensorRT v110400\]/m);
  }
  const v10 = rig(LOG.v10);
  const ok = await v10.build(v10.r.model('m.onnx', 1), '--fp16');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /\[W\] Weakly-typed networks have been deprecated in TensorRT/);
  const typed = await v10.build(v10.r.model('m.onnx', 1), '--stronglyTyped', '--fp16');
  assert.match(typed.err, /\[W\] Invalid usage, setting fp16 mode is not allowed if graph is strongly typed/);
});

test('values: optimization level 0 to 5, integers as std::stoi, the pool unit is the last character', async () => {
  for (const [name, log] of VERSIONS) {
    const { r, build, run, engine } = rig(log);
    const model = r.model('m.onnx', 1);
    const level = await build(model, '--builderOptimizationLevel=9');
    assert.equal(level.code, 1, name);
    assert.match(errors(level.err)[0]!, /setBuilderOptimizationLevel.*level >= 0 && level <= 5/);
    assert.equal((await build(model, '--builderOptimizationLevel=5')).code, 0, name);
    const abc = await run(`--loadEngine=${engine}`, '--iterations=abc');
    assert.deepEqual([abc.code, errors(abc.err)], [1, ['stoi']], name);
    assert.equal((await run(`--loadEngine=${engine}`, '--iterations=12abc')).code, 0, 'stoi reads the leading 12');
    const pool = async (spec: string) => {
      const b = await build(model, `--memPoolSize=workspace:${spec}`);
      assert.equal(b.code, 0, `${name} ${spec}: ${b.err}`);
      return fakeEngineFile.readEngine(engine)!.header.workspaceBytes;
    };
    assert.equal(await pool('2048'), 2048 * 2 ** 20, `${name}: no unit is MiB`);
    assert.equal(await pool('2048MiB'), 2048, `${name}: "MiB" ends in B, so 2048 bytes`);
    assert.equal(await pool('2G'), 2 * 2 ** 30);
    const bad = await build(model, '--memPoolSize=workspace:2X');
    assert.match(errors(bad.err)[0]!, /invalid unit specifier 'X'/);
  }
  const { r, build, engine } = rig(LOG.v86);
  assert.equal((await build(r.model('m.onnx', 1), '--memPoolSize=workspace:2048MiB')).code, 0);
  assert.equal(
    fakeEngineFile.readEngine(engine)!.header.workspaceBytes,
    2048 * 2 ** 20,
    '8.6 reads MiB, suffix ignored',
  );
});

test("shapes: only the model's inputs, only on a dynamic model; a dynamic one without shapes built at 1", async () => {
  for (const [name, log] of VERSIONS) {
    const { r, build, engine } = rig(log);
    const shapes = (s: string) => [`--minShapes=${s}`, `--optShapes=${s}`, `--maxShapes=${s}`];
    const missing = await build(r.model('d.onnx', 'N'), ...shapes('x:1x3x8x8'));
    assert.match(errors(missing.err)[0]!, /^Cannot find input tensor with name "x" in the network inputs!/, name);
    const fixed = await build(r.model('s.onnx', 1), ...shapes('input:1x3x8x8'));
    assert.match(errors(fixed.err)[0]!, /^Static model does not take explicit shapes/, name);
    const rank = await build(r.model('d.onnx', 'N'), ...shapes('input:1x3x8'));
    assert.match(errors(rank.err)[0]!, /^Error in set dimensions to profile MIN/, name);
    const none = await build(r.model('d.onnx', 'N'));
    assert.equal(none.code, 0, name);
    assert.match(none.err, /Dynamic dimensions required for input: input, but no shapes were provided/);
    assert.deepEqual(fakeEngineFile.readEngine(engine)!.header.profile, {
      input: { min: [1, 3, 8, 8], opt: [1, 3, 8, 8], max: [1, 3, 8, 8] },
    });
  }
});

test('profiling without --separateProfileRun: no summary, no times file before 11; 11 profiles apart', async () => {
  for (const [name, log, summary] of [
    ['10.16', LOG.bench, false],
    ['11.4', LOG.bench11, true],
  ] as const) {
    const { r, run } = rig(LOG.v10);
    const engine = join(r.root, 'b.engine');
    process.env.FAKE_TRT_LOG = name === '10.16' ? LOG.v10 : LOG.v11;
    assert.equal((await run(`--onnx=${r.model('m.onnx', 1)}`, `--saveEngine=${engine}`)).code, 0);
    process.env.FAKE_TRT_LOG = log;
    const times = join(r.root, 't.json');
    const p = await run(
      `--loadEngine=${engine}`,
      `--exportTimes=${times}`,
      `--exportProfile=${join(r.root, 'p.json')}`,
    );
    assert.equal(p.code, 0, p.err);
    assert.equal(/=== Performance summary ===/.test(p.out), summary, name);
    assert.equal(existsSync(times), summary, name);
  }
});

test('a Q/DQ model needs --int8 (8.6) or --stronglyTyped (10); 11 builds it as it is', async () => {
  const { opt } = tinyMobileNet();
  for (const [log, refused, accepted] of [
    [LOG.v86, [], ['--int8']],
    [LOG.v10, ['--fp16'], ['--stronglyTyped']],
    [LOG.v11, null, []],
  ] as const) {
    const { r, build } = rig(log);
    const model = join(r.root, 'model.int8.onnx');
    writeFileSync(model, encodeModel(qdqModel(opt)));
    if (refused) {
      const no = await build(model, ...refused);
      assert.equal(no.code, 1);
      assert.match(errors(no.err)[0]!, /Q\/DQ layers and is weakly typed, but INT8 is not enabled/);
    }
    const yes = await build(model, ...accepted);
    assert.equal(yes.code, 0, yes.err);
  }
});
