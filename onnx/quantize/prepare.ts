/**
 * A division by a float constant becomes a multiplication by its reciprocal (one rounding of 1/c, about 6e-8
 * relative): onnxruntime has an integer Mul (QLinearMul) and no integer Div, so a hard-swish's `/ 6` would
 * otherwise leave a float island, a DequantizeLinear and a QuantizeLinear, between two int8 layers.
 */
import { DType, type Model } from '../ir.js';
import { cloneModel } from '../rewrite/clone.js';
import { makeTensor, tensorValues } from '../tensor.js';

export function divisionsToProducts(model: Model): { model: Model; rewritten: number } {
  const m = cloneModel(model);
  const consts = new Map(m.graph.initializers.map((t) => [t.name, t]));
  const names = new Set(m.graph.initializers.map((t) => t.name));
  let rewritten = 0;
  for (const n of m.graph.nodes) {
    const c = n.opType === 'Div' && n.domain === '' ? consts.get(n.inputs[1] ?? '') : undefined;
    const values = c && c.dtype === DType.FLOAT ? tensorValues(c) : undefined;
    if (!c || !values?.ok || Array.from(values.value as Float32Array).some((x) => x === 0 || !Number.isFinite(x)))
      continue;
    let name = `${c.name}_reciprocal`;
    for (let k = 1; names.has(name); k++) name = `${c.name}_reciprocal_${k}`;
    names.add(name);
    m.graph.initializers.push(
      makeTensor(
        name,
        DType.FLOAT,
        c.dims,
        Float32Array.from(values.value as Float32Array, (x) => 1 / x),
      ),
    );
    n.opType = 'Mul';
    n.inputs = [n.inputs[0] as string, name];
    rewritten++;
  }
  return { model: m, rewritten };
}
