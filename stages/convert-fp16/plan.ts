/**
 * The plan of a conversion: which zone each node computes in (float16, or float32 when it is kept, with why)
 * and which of its float32 operands become float16, from the operator's schema.
 */
import { DType, type Attribute, type Node, type TensorType } from '../../onnx/ir.js';
import { hasBodies } from '../../onnx/rewrite/subgraphs.js';
import { lookupOp } from '../../onnx/schema/lookup.js';
import type { Conversion, Fp16Report } from './convert.js';
import { toFloat16 } from './initializers.js';

const BODY_STAYS =
  'holds a subgraph: the node stays float32; its bodies are converted one at a time afterwards (bodies.ts)';

type Zone = 'fp16' | 'fp32';

/** Operators whose float output type comes from an attribute or a default rather than from their inputs. */
function typedByAttribute(node: Node): string | undefined {
  if (
    [
      'RandomNormal',
      'RandomUniform',
      'RandomNormalLike',
      'RandomUniformLike',
      'EyeLike',
      'Multinomial',
      'Bernoulli',
    ].includes(node.opType)
  )
    return 'its output type is set by an attribute';
  if (node.opType === 'ConstantOfShape' && !node.attributes.some((a) => a.name === 'value'))
    return 'its default value is float32';
  if (node.opType === 'Constant' && node.attributes.some((a) => a.value.kind === 'float' || a.value.kind === 'floats'))
    return 'value_float(s) is float32 by definition';
  // Runtimes expand it into a body whose constants are float32, which then meets float16 operands.
  if (node.opType === 'MeanVarianceNormalization') return 'its function body computes in float32';
  return undefined;
}

/** Which operands of a node may be float16, from its schema; undefined when the node cannot run in fp16. */
function fp16Slots(
  node: Node,
  opset: number,
  types: ReadonlyMap<string, TensorType>,
): { inputs: boolean[]; outputs: boolean[] } | string {
  const found = lookupOp(node.opType, opset, node.domain);
  if (found.kind !== 'found') return `no schema for ${node.opType} at opset ${opset}`;
  const s = found.schema;
  const param = (list: typeof s.inputs, i: number) => list[Math.min(i, list.length - 1)];
  const allows = (type: string | undefined) =>
    type !== undefined && (type === 'tensor(float16)' || (s.types[type] ?? []).includes('tensor(float16)'));
  const slots = (names: string[], list: typeof s.inputs) =>
    names.map((v, i) => {
      const p = param(list, i);
      if (!v || types.get(v)?.dtype !== DType.FLOAT) return false;
      return allows(p?.type) ? true : p?.type === 'tensor(float)' ? false : undefined;
    });
  const inputs = slots(node.inputs, s.inputs);
  const outputs = slots(node.outputs, s.outputs);
  if ([...inputs, ...outputs].includes(undefined)) return `${node.opType} takes no float16 for a float32 operand`;
  return { inputs: inputs as boolean[], outputs: outputs as boolean[] };
}

/** Decides each node's zone and which of its float32 operands become float16; an error when a type is unknown. */
export function planNodes(c: Conversion): string | undefined {
  const {
    model: { graph: g },
    types,
    options,
    report,
    dtypeOf,
  } = c;
  for (const v of g.inputs)
    if (v.type?.dtype === DType.FLOAT) dtypeOf.set(v.name, options.keepIoFp32 ? DType.FLOAT : DType.FLOAT16);
  for (const node of g.nodes) {
    if (node.opType === 'Constant') {
      const a = node.attributes[0];
      if (a?.value.kind === 'tensor' && a.value.value.dtype === DType.FLOAT)
        types.set(node.outputs[0] as string, { dtype: DType.FLOAT });
    }
    const slots = fp16Slots(node, c.opset, types);
    const kept = hasBodies(node)
      ? BODY_STAYS
      : options.keepFp32.includes(node.opType)
        ? 'on the keep_fp32 list'
        : typeof slots === 'string'
          ? slots
          : typedByAttribute(node);
    if (hasBodies(node)) report.subgraphs.push({ node: node.name, opType: node.opType, why: BODY_STAYS });
    const untyped = [...node.inputs, ...node.outputs].find((v) => v && !types.has(v));
    if (!kept && untyped)
      return (
        `the type of '${untyped}' (at ${node.opType} node '${node.name}') is unknown: type inference (onnx/infer) ` +
        `gives it none, so it cannot be converted safely; add '${node.opType}' to fp16.keep_fp32 to leave such ` +
        'nodes in float32, or declare its value_info'
      );
    const zone: Zone = kept ? 'fp32' : 'fp16';
    if (kept && [...node.inputs, ...node.outputs].some((v) => types.get(v)?.dtype === DType.FLOAT))
      report.keptFp32.push({ node: node.name, opType: node.opType, why: kept });
    const plan =
      typeof slots === 'string' || zone === 'fp32'
        ? { inputs: node.inputs.map(() => false), outputs: node.outputs.map(() => false) }
        : slots;
    c.plans.set(node, plan);
    node.outputs.forEach((o, i) => {
      if (o && types.get(o)?.dtype === DType.FLOAT) dtypeOf.set(o, plan.outputs[i] ? DType.FLOAT16 : DType.FLOAT);
    });
    if (zone === 'fp16') node.attributes = node.attributes.map((a) => fp16Attribute(node, a, report));
  }
  return undefined;
}

/** Inside the float16 zone: Cast to float and Constant tensors follow the zone. */
function fp16Attribute(node: Node, a: Attribute, report: Fp16Report): Attribute {
  if (node.opType === 'Cast' && a.name === 'to' && a.value.kind === 'int' && a.value.value === DType.FLOAT)
    return { name: 'to', value: { kind: 'int', value: DType.FLOAT16 } };
  if (
    a.value.kind === 'tensor' &&
    a.value.value.dtype === DType.FLOAT &&
    (node.opType === 'Constant' || node.opType === 'ConstantOfShape')
  ) {
    const half = toFloat16(a.value.value, a.value.value.name, report);
    if (half) return { name: a.name, value: { kind: 'tensor', value: half } };
  }
  return a;
}
