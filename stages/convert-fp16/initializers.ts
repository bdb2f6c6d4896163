/**
 * Weights: float32 Constant nodes become initializers, and float32 initializers become float16 for float16
 * readers (clamped to ±65504, counted) with a float32 copy kept for float32 readers.
 */
import { DType, type Model, type Tensor } from '../../onnx/ir.js';
import { FLOAT16_MAX } from '../../onnx/float16.js';
import { makeTensor, tensorNumbers } from '../../onnx/rewrite/tensors.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { Conversion, Fp16Report } from './convert.js';

export function toFloat16(t: Tensor, name: string, report: Fp16Report): Tensor | undefined {
  const values = tensorNumbers(t);
  if (!values) return undefined;
  let clamped = 0;
  let flushed = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Math.abs(x) > FLOAT16_MAX && Number.isFinite(x)) {
      values[i] = Math.sign(x) * FLOAT16_MAX;
      clamped++;
    } else if (x !== 0 && Math.abs(x) < 2 ** -25) flushed++;
  }
  if (clamped) report.clamped[t.name] = clamped;
  if (flushed) report.flushedToZero[t.name] = flushed;
  return makeTensor(name, DType.FLOAT16, t.dims, values);
}

/**
 * Initializers: float16 when any reader wants float16; a float32 copy for float32 readers too. Returns the
 * float32 copies' names by original name.
 */
export function convertInitializers(c: Conversion): Result<Map<string, string>, string> {
  const {
    model: { graph: g },
    types,
    report,
    dtypeOf,
  } = c;
  const initNames = new Set(g.initializers.map((t) => t.name));
  const wants = new Map<string, Set<DType>>();
  for (const node of g.nodes)
    node.inputs.forEach((v, i) => {
      if (!initNames.has(v) || types.get(v)?.dtype !== DType.FLOAT) return;
      wants.set(v, (wants.get(v) ?? new Set()).add(c.plans.get(node)?.inputs[i] ? DType.FLOAT16 : DType.FLOAT));
    });
  for (const v of c.captured) wants.get(v)?.delete(DType.FLOAT16);
  const renamed = new Map<string, string>();
  const outputNames = new Set(g.outputs.map((o) => o.name));
  const initializers: Tensor[] = [];
  for (const t of g.initializers) {
    const w = wants.get(t.name);
    report.bytes.before += byteSize(t);
    // A float32 initializer that is also a graph output stays as it is; float16 readers get a Cast.
    if (t.dtype !== DType.FLOAT || !w?.has(DType.FLOAT16) || outputNames.has(t.name)) {
      initializers.push(t);
      report.bytes.after += byteSize(t);
      if (t.dtype === DType.FLOAT) dtypeOf.set(t.name, DType.FLOAT);
      continue;
    }
    const half = toFloat16(t, t.name, report);
    if (!half) return err(`initializer '${t.name}' has storage the converter cannot read`);
    initializers.push(half);
    report.initializersConverted++;
    report.bytes.after += byteSize(half);
    dtypeOf.set(t.name, DType.FLOAT16);
    if (w.has(DType.FLOAT)) {
      const copy = `${t.name}_fp32`;
      initializers.push({ ...t, name: copy, proto: { ...t.proto, name: copy } });
      report.bytes.after += byteSize(t);
      renamed.set(t.name, copy);
    }
  }
  g.initializers = initializers;
  return ok(renamed);
}

/**
 * Float32 Constant nodes become initializers of the same name (what fold-constants does), so that a constant
 * a float32 reader needs stays float32 for it, unclamped, by the initializers' rule.
 */
export function constantsToInitializers(model: Model): void {
  const g = model.graph;
  const outputs = new Set(g.outputs.map((o) => o.name));
  const moved: Tensor[] = [];
  g.nodes = g.nodes.filter((n) => {
    const a = n.attributes[0];
    const out = n.outputs[0];
    const single = n.opType === 'Constant' && n.attributes.length === 1 && a?.name === 'value';
    if (!single || a.value.kind !== 'tensor' || !out || outputs.has(out)) return true;
    const t = a.value.value;
    if (t.dtype !== DType.FLOAT) return true;
    moved.push({ ...t, name: out, proto: { ...t.proto, name: out } });
    return false;
  });
  g.initializers = [...g.initializers, ...moved];
}

export const byteSize = (t: Tensor): number => t.proto.rawData?.length ?? (t.proto.floatData?.length ?? 0) * 4;
