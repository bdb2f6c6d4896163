/**
 * Bad input through `--model`, through the shipped CLI (#9 "How it is measured"): each case ends with exit 2
 * (README: a bad model) and one error line, no stack trace, and nothing read or written outside the model's
 * folder and the artifact store. Reads outside are caught with a FIFO: opening one for reading blocks until a
 * writer comes, so a run that read it would hang past the test's timeout instead of finishing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { DType } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { realModels } from '../corpus/models.js';
import { model, node, vi, floats } from '../onnx/model-kit.js';
import { fromRoot } from '../repo-root.js';
import { assertOneLineError, readManifest, shippedCli } from './cli-kit.js';

const { onnx } = onnxProto;
const root = mkdtempSync(join(tmpdir(), 'ef-bad-'));
const artifacts = join(root, 'artifacts');
const small = realModels('oww_hey_rhasspy')[0]!.file;
const outside = join(root, 'outside.fifo');
execFileSync('mkfifo', [outside]);

/** Every path under `dir`, for a before/after comparison. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => !p.startsWith('artifacts'))
    .sort();
}

let n = 0;
/** A folder of its own for one bad model, inside `root`. */
function folder(): string {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
}

/** Runs `validate --model file` and checks what every bad input must do. */
async function refused(file: string, code: 1 | 2, re: RegExp): Promise<void> {
  const before = tree(root);
  const r = await shippedCli(['onnx', '--model', file, '--artifacts', artifacts]);
  assertOneLineError(r, code, re);
  assert.deepEqual(tree(root), before, 'nothing written outside the artifact store');
}

const tiny = (opts: { inputName?: string; nodeName?: string; dim?: number } = {}) =>
  model({
    inputs: [vi(opts.inputName ?? 'x', DType.FLOAT, [1, opts.dim ?? 4])],
    outputs: [vi('y', DType.FLOAT, [1, opts.dim ?? 4])],
    initializers: [floats('w', [4], [1, 2, 3, 4])],
    nodes: [node('Add', [opts.inputName ?? 'x', 'w'], ['y'], {}, opts.nodeName ?? 'add')],
  });

test('zero bytes, a truncated file, garbage: exit 2, one line naming the file', async () => {
  const d = folder();
  writeFileSync(join(d, 'empty.onnx'), '');
  await refused(join(d, 'empty.onnx'), 2, /empty\.onnx: the file is empty/);
  const bytes = readFileSync(small);
  writeFileSync(join(d, 'half.onnx'), bytes.subarray(0, bytes.length >> 1));
  await refused(join(d, 'half.onnx'), 2, /half\.onnx: not an ONNX model: .*truncated file\?/);
  writeFileSync(join(d, 'garbage.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
  await refused(join(d, 'garbage.onnx'), 2, /garbage\.onnx: not an ONNX model/);
});

test("a flipped byte in a tensor's type: the storage no longer fits its dims, exit 2 naming it", async () => {
  const d = folder();
  const bytes = Buffer.from(encodeModel(tiny()));
  // The initializer's TensorProto as encoded: data_type (field 2) = FLOAT is the bytes 0x10 0x01.
  const tensor = Buffer.from(onnx.TensorProto.encode({ dims: [4], dataType: DType.FLOAT }).finish());
  const at = bytes.indexOf(tensor) + tensor.indexOf(Buffer.from([0x10, 0x01])) + 1;
  bytes[at] = DType.DOUBLE;
  writeFileSync(join(d, 'flipped.onnx'), bytes);
  await refused(join(d, 'flipped.onnx'), 2, /flipped\.onnx.*'w'|flipped\.onnx.*"w"/);
});

test('a dimension of 2^40: exit 2 before anything is allocated', async () => {
  const d = folder();
  writeFileSync(join(d, 'huge.onnx'), encodeModel(tiny({ dim: 2 ** 40 })));
  await refused(join(d, 'huge.onnx'), 2, /input 'x' at shape \[1, 1099511627776\] holds .* elements/);
});

test('a cycle in the graph: exit 2, one line naming the model as given (not latest/model.onnx)', async () => {
  const d = folder();
  const cyclic = model({
    inputs: [vi('x', DType.FLOAT, [1, 4])],
    outputs: [vi('y', DType.FLOAT, [1, 4])],
    nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Identity', ['b'], ['y'])],
  });
  writeFileSync(join(d, 'cycle.onnx'), encodeModel(cyclic));
  const r = await shippedCli(['onnx', '--model', 'cycle.onnx', '--artifacts', artifacts], d);
  assertOneLineError(r, 2, /^validate: model cycle\.onnx is not a valid opset-13 model: node a \(Add\) is on a cycle/);
});

test('a graph name with ../ or a newline: exit 2, one line', async () => {
  const d = folder();
  writeFileSync(join(d, 'dots.onnx'), encodeModel(tiny({ inputName: '../../etc/x' })));
  await refused(join(d, 'dots.onnx'), 2, /graph input "\.\.\/\.\.\/etc\/x" contains '\.\.' as a path segment/);
  writeFileSync(join(d, 'newline.onnx'), encodeModel(tiny({ nodeName: 'add\nerror: fake' })));
  await refused(join(d, 'newline.onnx'), 2, /node "add\\nerror: fake" contains a control character/);
});

test('external data: read, hashed, stored and written out together with the model', async () => {
  const d = folder();
  execFileSync('/usr/bin/python3', [fromRoot('test/python/external_data_model.py'), small, d]);
  const ext = join(root, 'ext-artifacts');
  const r = await shippedCli(['onnx', '--model', join(d, 'model.onnx'), '--artifacts', ext]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stages = readManifest(ext).stages;
  for (const s of ['import', 'validate', 'optimize'])
    assert.equal(stages[s]?.status, 'built', `${s}: ${stages[s]?.reason}`);
  assert.equal(Buffer.compare(readFileSync(join(ext, 'latest', 'model.onnx')), readFileSync(join(d, 'model.onnx'))), 0);
  assert.equal(
    Buffer.compare(readFileSync(join(ext, 'latest', 'weights.data')), readFileSync(join(d, 'weights.data'))),
    0,
  );
  // One changed byte of the data (not of the .onnx) is a miss.
  const data = readFileSync(join(d, 'weights.data'));
  data[100]! ^= 0x40;
  writeFileSync(join(d, 'weights.data'), data);
  const again = await shippedCli(['validate', '--model', join(d, 'model.onnx'), '--artifacts', ext]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(readManifest(ext).stages['import']?.status, 'built');
});

test("external data outside the model's folder (.., absolute, symlink): exit 2 naming both, nothing read", async () => {
  for (const [location, re] of [
    ['../outside.fifo', /tensor '.+': external data location "\.\.\/outside\.fifo" leaves the model's folder/],
    [outside, /external data location ".*outside\.fifo" is an absolute path/],
    ['link.data', /external data location "link\.data" is a symlink that leaves the model's folder/],
  ] as const) {
    const d = folder();
    execFileSync('/usr/bin/python3', [fromRoot('test/python/external_data_model.py'), small, d, location]);
    symlinkSync(outside, join(d, 'link.data'));
    await refused(join(d, 'model.onnx'), 2, re);
  }
});
