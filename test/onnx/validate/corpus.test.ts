/**
 * Agreement with the reference over ONNX's own node corpus (Debian's libonnx-testdata): every model made
 * only of covered operators is one onnx.checker accepts, so ours must accept it too; and our shape inference,
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

const ROOT = '/usr/share/libonnx-testdata/data/node';

/** The corpus stores bfloat16 reference outputs as uint16, so their element type cannot be compared. */
const BFLOAT16_AS_UINT16 = /_to_BFLOAT16/;

function corpus(): { name: string; model: Model }[] {
  return readdirSync(ROOT).sort().map((name) => {
    const decoded = decodeModel(readFileSync(`${ROOT}/${name}/model.onnx`));
    assert.ok(decoded.ok, `${name}: ${decoded.ok ? '' : decoded.error}`);
    return { name, model: decoded.value };
  });
}

test('every corpus model made only of covered operators is accepted', () => {
  const all = corpus();
  let accepted = 0;
  let skipped = 0;
  const rejected: string[] = [];
  for (const { name, model } of all) {
    const r = validateModel(model);
    if (r.unchecked.length > 0) { skipped++; continue; }
    if (r.ok) accepted++;
    else rejected.push(`${name}: ${r.errors.map((e) => e.message).join('; ')}`);
  }
  console.log(`libonnx-testdata node models: ${all.length}; accepted ${accepted}, rejected ${rejected.length}, skipped (uncovered operators) ${skipped}`);
  assert.deepEqual(rejected, []);
  assert.ok(accepted >= 800, `only ${accepted} corpus models fully covered`);
});

test('inferred output shapes and types equal the corpus reference outputs', () => {
  let agreed = 0;
  let unknown = 0;
  const disagreed: string[] = [];
  for (const { name, model } of corpus()) {
    if (validateModel(model).unchecked.length > 0 || BFLOAT16_AS_UINT16.test(name)) continue;
    const bare = { ...model, graph: { ...model.graph, valueInfo: [], outputs: model.graph.outputs.map((o) => ({ name: o.name })) } };
    const types = inferShapes(bare);
    model.graph.outputs.forEach((o, i) => {
      const file = `${ROOT}/${name}/test_data_set_0/output_${i}.pb`;
      if (!existsSync(file)) return;
      const ref = onnxProto.onnx.TensorProto.decode(readFileSync(file));
      const dims = (ref.dims ?? []).map(Number);
      const got = types.get(o.name);
      if (!got?.shape || !got.shape.every((d) => typeof d === 'number')) { unknown++; return; }
      if (JSON.stringify(got.shape) === JSON.stringify(dims) && got.dtype === ref.dataType) agreed++;
      else disagreed.push(`${name} ${o.name}: inferred ${got.dtype} [${got.shape.join(', ')}], reference ${ref.dataType} [${dims.join(', ')}]`);
    });
  }
  console.log(`corpus outputs: ${agreed} inferred exactly, ${unknown} not fully inferred (runtime-valued shapes, uncovered rules), ${disagreed.length} wrong`);
  assert.deepEqual(disagreed, []);
  assert.ok(agreed >= 600, `only ${agreed} outputs inferred`);
});
