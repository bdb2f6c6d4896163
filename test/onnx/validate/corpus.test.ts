/**
 * Agreement with the reference over ONNX's own test corpus (Debian's libonnx-testdata: node, pytorch-converted,
 * pytorch-operator, simple): on every model made only of covered operators our verdict is onnx.checker's
 * (full_check); and our shape inference,
 * run with the declared output types removed, must give the shapes of the corpus' reference outputs.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { inferShapes } from '../../../onnx/infer/index.js';
import type { Model } from '../../../onnx/ir.js';
import { decodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { referenceCheck } from './reference.js';

const DATA = '/usr/share/libonnx-testdata/data';
const ROOT = `${DATA}/node`;

/** The corpus stores bfloat16 reference outputs as uint16, so their element type cannot be compared. */
const BFLOAT16_AS_UINT16 = /_to_BFLOAT16/;

function corpus(dir = ROOT): { name: string; path: string; model: Model }[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => existsSync(`${dir}/${name}/model.onnx`))
    .map((name) => {
      const path = `${dir}/${name}/model.onnx`;
      const decoded = decodeModel(readFileSync(path));
      assert.ok(decoded.ok, `${name}: ${decoded.ok ? '' : decoded.error}`);
      return { name, path, model: decoded.value };
    });
}

test('on every corpus model made only of covered operators, ours and onnx.checker give the same verdict', async () => {
  const all = readdirSync(DATA)
    .sort()
    .flatMap((dir) => corpus(`${DATA}/${dir}`).map((c) => ({ ...c, name: `${dir}/${c.name}` })));
  const covered = all
    .map((c) => ({ ...c, report: validateModel(c.model) }))
    .filter((c) => c.report.unchecked.length === 0);
  const reference = await referenceCheck(covered.map((c) => c.path));
  const accepted = covered.filter((c) => c.report.ok);
  const rejected = covered.filter((c) => !c.report.ok);
  console.log(
    `libonnx-testdata models: ${all.length}; covered ${covered.length}: accepted ${accepted.length}, ` +
      `rejected ${rejected.length} (${rejected.map((c) => `${c.name}: ${c.report.errors[0]!.code}`).join(', ')}); ` +
      `skipped (uncovered operators) ${all.length - covered.length}`,
  );
  const disagree = covered
    .filter((c) => reference.get(c.path)?.ok !== c.report.ok)
    .map((c) => {
      const ours = c.report.ok ? 'accepts' : `rejects (${c.report.errors[0]!.message})`;
      const theirs = reference.get(c.path);
      return `${c.name}: ours ${ours}, onnx ${theirs?.ok ? 'accepts' : `rejects (${theirs?.error})`}`;
    });
  assert.deepEqual(disagree, []);
  // Exact: Debian's libonnx-testdata is fixed, and so is what our checker covers and accepts.
  assert.deepEqual([all.length, covered.length, accepted.length], [1072, 1063, 1060]);
  assert.deepEqual(
    rejected.map((c) => `${c.name}: ${c.report.errors[0]!.code}`),
    [
      'pytorch-converted/test_PixelShuffle: type-not-allowed',
      'pytorch-operator/test_operator_repeat: type-not-allowed',
      'pytorch-operator/test_operator_repeat_dim_overflow: type-not-allowed',
    ],
  );
  const withBodies = covered.filter((c) => c.report.nodes.subgraphs > 0);
  const names = withBodies.map((c) => c.name.replace(/^node\//, '')).join(', ');
  console.log(`of which with If/Loop/Scan/SequenceMap bodies: ${withBodies.length} (${names})`);
  assert.equal(withBodies.length, 22, `covered models with bodies: ${names}`);
});

test('inferred output shapes and types equal the corpus reference outputs', () => {
  let agreed = 0;
  let unknown = 0;
  const disagreed: string[] = [];
  for (const { name, model } of corpus()) {
    if (validateModel(model).unchecked.length > 0 || BFLOAT16_AS_UINT16.test(name)) continue;
    const bare = {
      ...model,
      graph: { ...model.graph, valueInfo: [], outputs: model.graph.outputs.map((o) => ({ name: o.name })) },
    };
    const types = inferShapes(bare);
    model.graph.outputs.forEach((o, i) => {
      const file = `${ROOT}/${name}/test_data_set_0/output_${i}.pb`;
      if (!existsSync(file)) return;
      const ref = onnxProto.onnx.TensorProto.decode(readFileSync(file));
      const dims = (ref.dims ?? []).map(Number);
      const got = types.get(o.name);
      if (!got?.shape || !got.shape.every((d) => typeof d === 'number')) {
        unknown++;
        return;
      }
      if (JSON.stringify(got.shape) === JSON.stringify(dims) && got.dtype === ref.dataType) agreed++;
      else
        disagreed.push(
          `${name} ${o.name}: inferred ${got.dtype} [${got.shape.join(', ')}], ` +
            `reference ${ref.dataType} [${dims.join(', ')}]`,
        );
    });
  }
  console.log(
    `corpus outputs: ${agreed} inferred exactly, ${unknown} not fully inferred ` +
      `(runtime-valued shapes, uncovered rules), ${disagreed.length} wrong`,
  );
  assert.deepEqual(disagreed, []);
  assert.deepEqual([agreed, unknown], [658, 435], 'outputs inferred exactly, and not fully inferred');
});
