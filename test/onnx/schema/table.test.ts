/**
 * The committed schema table against the reference itself: for every operator at every opset from 7 to
 * 17, the version that applies, its inputs, outputs, count bounds, attributes and type constraints agree
 * with onnx.defs.get_schema from Debian's python3-onnx 1.12; for opsets 18 to 21, which onnx 1.12 does not
 * know, the table's definitions have the digest recorded when they were generated (digests.json).
 */
import assert from 'node:assert/strict';
import { fromRoot } from '../../repo-root.js';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { coveredOps, lookupOp } from '../../../onnx/schema/lookup.js';
import { knownOps } from '../../../onnx/schema/table.js';
import { sha256, tableDump } from './projection.js';

const script = fromRoot('test/onnx/schema/dump-schemas.py');

/** Operators of the built MobileNetV2 and of common exports: the table must cover each. */
const REQUIRED =
  `Conv BatchNormalization Relu Clip Add Mul GlobalAveragePool Flatten Reshape Gemm MatMul Identity Dropout
  Cast Constant Sub Div Sqrt Concat Shape Gather Unsqueeze Squeeze Transpose Sigmoid Softmax AveragePool MaxPool Pad
  Slice ReduceMean ConstantOfShape`.split(/\s+/);

/** onnx.defs.get_schema's answer for one op at one opset, as dump-schemas.py writes it (null: not in the opset). */
type Reference = null | {
  since: number;
  deprecated: boolean;
  inputs: [string, string][];
  outputs: [string, string][];
  counts: number[];
  attributes: [string, boolean][];
  types: Record<string, string[]>;
};

/** Our entry for `op` at `opset` against onnx's; true when a found schema was compared field by field. */
function agrees(op: string, opset: number, ref: Reference | undefined): boolean {
  const ours = lookupOp(op, opset);
  const at = `${op} at opset ${opset}`;
  if (ref === null || ref === undefined) {
    assert.equal(ours.kind, 'not-in-opset', at);
    return false;
  }
  if (ref.deprecated) {
    assert.equal(ours.kind, 'deprecated', at);
    return false;
  }
  assert.equal(ours.kind, 'found', at);
  if (ours.kind !== 'found') return false;
  const s = ours.schema;
  assert.equal(s.since, ref.since, `${at}: since_version`);
  assert.deepEqual(
    s.inputs.map((p) => [p.name, p.kind]),
    ref.inputs,
    `${at}: inputs`,
  );
  assert.deepEqual(
    s.outputs.map((p) => [p.name, p.kind]),
    ref.outputs,
    `${at}: outputs`,
  );
  assert.deepEqual([s.minInputs, s.maxInputs, s.minOutputs, s.maxOutputs], ref.counts, `${at}: counts`);
  assert.deepEqual(
    s.attributes.map((a) => [a.name, a.required]),
    ref.attributes,
    `${at}: attributes`,
  );
  assert.deepEqual(s.types, ref.types, `${at}: type constraints`);
  return true;
}

test('every covered op × opset 7..17 agrees with onnx.defs.get_schema', async () => {
  const ops = coveredOps();
  assert.ok(ops.length >= 100, `only ${ops.length} ops covered`);
  for (const required of REQUIRED) assert.ok(ops.includes(required), `${required} is not covered`);
  const run = await exec('/usr/bin/python3', [script], { input: JSON.stringify(ops), timeoutMs: 60_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as Record<string, Reference>;
  let compared = 0;
  for (const op of ops) {
    for (let opset = 7; opset <= 17; opset++) if (agrees(op, opset, reference[`${op}@${opset}`])) compared++;
  }
  assert.ok(compared > 900, `compared only ${compared} op-opset pairs`);
  console.log(`schema table: ${ops.length} ops, ${compared} op×opset pairs agree with onnx.defs`);
});

test('the table dumps as onnx 1.12 does for opsets 7..17, as onnx 1.23.1 for 18..21 but 2 named entries', async () => {
  const ops = coveredOps();
  const run = await exec('/usr/bin/python3', [script, '7', '17'], { input: JSON.stringify(ops), timeoutMs: 60_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(sha256(tableDump(ops, 7, 17)), sha256(run.stdout), 'the table and onnx 1.12 differ for opsets 7..17');
  type Digest = { opsets: [number, number]; sha256: string };
  const recorded = JSON.parse(readFileSync(fromRoot('test/onnx/schema/digests.json'), 'utf8')) as Digest;
  assert.deepEqual(recorded.opsets, [18, 21]);
  const why = 'opsets 18..21 differ from what generate-table.py wrote: regenerate the table, do not edit it';
  assert.equal(sha256(tableDump(ops, 18, 21)), recorded.sha256, why);
  // dump-schemas.py's output under onnx 1.23.1 (the GPU machine's Python), for the same operators.
  const file = fromRoot('test/onnx/schema/onnx-1.23.1-opsets-18-21.json.gz');
  const real = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<
    string,
    Record<string, unknown> | null
  >;
  const ours = JSON.parse(tableDump(ops, 18, 21)) as typeof real;
  const differ = Object.keys(real).filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(real[k]));
  // Erf-13's types were widened in onnx after 1.12 and the table keeps 1.12's (opsets up to 17 must equal it);
  // GroupNormalization-18 is deprecated and onnx's docs give it no signature, so only its deprecation is ours.
  assert.deepEqual(differ.sort(), [
    'Erf@18',
    'Erf@19',
    'Erf@20',
    'Erf@21',
    'GroupNormalization@18',
    'GroupNormalization@19',
    'GroupNormalization@20',
  ]);
  for (const k of ['GroupNormalization@18', 'GroupNormalization@20']) {
    assert.deepEqual([ours[k]?.['since'], ours[k]?.['deprecated']], [real[k]?.['since'], real[k]?.['deprecated']]);
  }
  assert.equal(Object.keys(real).length, ops.length * 4);
});

test('ai.onnx.ml known by name as onnx 1.12 knows it, and version 4; ai.onnx.training has no operator', async () => {
  const script = fromRoot('test/onnx/schema/dump-domains.py');
  const run = await exec('/usr/bin/python3', [script, 'ai.onnx.ml', 'ai.onnx.training'], { timeoutMs: 60_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as Record<string, Record<string, [number, number][]>>;
  const ml = Object.entries(knownOps['ai.onnx.ml']!);
  const upTo3 = Object.fromEntries(ml.map(([op, vs]) => [op, vs.filter(([since]) => since <= 3)]));
  assert.deepEqual(upTo3, reference['ai.onnx.ml']);
  assert.deepEqual(knownOps['ai.onnx.ml']!.LabelEncoder, [
    [1, 0],
    [2, 0],
    [4, 0],
  ]);
  assert.deepEqual(knownOps['ai.onnx.training'], reference['ai.onnx.training']);
  assert.deepEqual(Object.keys(knownOps).sort(), ['ai.onnx.ml', 'ai.onnx.training']);
});

test('the opset changes that matter resolve to the right version', () => {
  const since = (op: string, opset: number) => {
    const l = lookupOp(op, opset);
    return l.kind === 'found' ? l.schema.since : l.kind;
  };
  assert.equal(since('Clip', 10), 6);
  assert.equal(since('Clip', 11), 11);
  assert.equal(since('Clip', 17), 13);
  assert.equal(since('Dropout', 11), 10);
  assert.equal(since('Dropout', 12), 12);
  assert.equal(since('Unsqueeze', 12), 11);
  assert.equal(since('Unsqueeze', 13), 13);
  assert.equal(since('Softmax', 12), 11);
  assert.equal(since('HardSwish', 13), 'not-in-opset');
  assert.equal(since('Gelu', 17), 'not-in-opset');
  assert.equal(since('Gelu', 20), 20);
  assert.equal(since('FastGelu', 21), 'unknown');
  assert.equal(since('Pad', 18), 18);
  assert.equal(since('Pad', 21), 21);
  assert.equal(since('Split', 18), 18);
  assert.equal(since('ReduceMean', 18), 18);
  assert.equal(since('Loop', 21), 21);
});
