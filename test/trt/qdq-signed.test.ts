/**
 * engine:trt:int8 builds only a Q/DQ model with signed int8 activations (TensorRT's explicit quantization):
 * quantize:int8's default uint8 activations make the stage decline with what to set, before trtexec is asked.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { DType, type Model } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { makeTensor } from '../../onnx/tensor.js';
import { engineStage } from '../../measure/engine-stage.js';
import { trtBuild } from '../../trt/engine-stage.js';
import { unsignedQuantized } from '../../trt/qdq-signed.js';
import { tinyMobileNet } from '../stages/benchmark/tiny-mobilenet.js';
import { GPU, LOG, Rig } from '../stages/engine-trt/rig.js';
import { qdqModel } from './qdq-model.js';

const trtInt8 = engineStage(trtBuild, 'int8');

/** The same Q/DQ model with its activations' zero point as uint8 128, as onnxruntime's default would write it. */
function unsigned(model: Model): Model {
  const initializers = model.graph.initializers.map((t) =>
    t.name === 'x_zp' ? makeTensor('x_zp', DType.UINT8, [], [128]) : t,
  );
  return { ...model, graph: { ...model.graph, initializers } };
}

test('the QuantizeLinear nodes with a uint8 zero point are found; a signed model has none', () => {
  const signed = qdqModel(tinyMobileNet().opt);
  assert.deepEqual(unsignedQuantized(signed), []);
  const found = unsignedQuantized(unsigned(signed));
  const quantizers = signed.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' && n.inputs[2] === 'x_zp');
  assert.ok(quantizers.length > 0);
  assert.deepEqual(
    found,
    quantizers.map((n) => n.outputs[0]),
  );
});

test('engine:trt:int8 declines a uint8 Q/DQ model with what to set, and trtexec is never asked', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v11, FAKE_GPU: GPU.ada });
  const int8model = join(rig.root, 'model.int8.onnx');
  await writeFile(int8model, encodeModel(unsigned(qdqModel(tinyMobileNet().opt))));
  const config = trtInt8.config({});
  const found = await trtInt8.tools![0]!.probe(config, exec);
  assert.ok(found.ok);
  const { ctx } = rig.context(config, { int8model }, found.value);
  const r = await trtInt8.run(ctx);
  assert.ok(r.ok && r.value && 'declined' in r.value, JSON.stringify(r));
  assert.match(
    JSON.stringify(r.value),
    /TensorRT takes signed int8 Q\/DQ only, and \d+ activations .* set quantize\.activations: int8/,
  );
  assert.deepEqual(
    rig.calls('trtexec').filter((c) => c.argv.some((a) => a.startsWith('--onnx='))),
    [],
  );
});
