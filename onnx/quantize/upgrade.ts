/**
 * Opset upgrade to 13, the first opset whose DequantizeLinear takes a per-channel `axis`. Between the model's
 * opset and 13 some operators moved attributes into inputs (Clip 11, Slice 10, Pad 11, Squeeze/Unsqueeze/
 * Split/ReduceSum 13, Dropout 12, TopK 10); those are rewritten here. Softmax, LogSoftmax and Hardmax changed
 * meaning at 13 (one axis instead of everything from it on): kept only where the axis is the last one, where
 * both agree. Upsample, Resize before 11 and Scatter have no rewrite here: the model stays at its opset and
 * the stage declines. Every other operator's newer version only adds element types or relaxes an attribute.
 * The stage proves the upgrade numerically (the float model before and after on the check's inputs).
 */
import { DType, type Attribute, type Model, type Node, type Tensor, type TensorType } from '../ir.js';
import { inferShapes } from '../infer/index.js';
import { cloneModel } from '../rewrite/clone.js';
import { hasBodies } from '../rewrite/subgraphs.js';
import { opsetVersion } from '../rewrite/opset.js';
import { makeTensor } from '../tensor.js';
import { err, ok, type Result } from '../../pipeline/result.js';

export const TARGET_OPSET = 13;

/** Attributes that became inputs: operator → (the opset it changed at, the attributes in input order). */
const MOVED: Record<string, { at: number; attrs: Array<{ name: string; dtype: DType; scalar?: boolean }> }> = {
  Clip: {
    at: 11,
    attrs: [
      { name: 'min', dtype: DType.FLOAT, scalar: true },
      { name: 'max', dtype: DType.FLOAT, scalar: true },
    ],
  },
  Slice: {
    at: 10,
    attrs: [
      { name: 'starts', dtype: DType.INT64 },
      { name: 'ends', dtype: DType.INT64 },
      { name: 'axes', dtype: DType.INT64 },
    ],
  },
  Squeeze: { at: 13, attrs: [{ name: 'axes', dtype: DType.INT64 }] },
  Unsqueeze: { at: 13, attrs: [{ name: 'axes', dtype: DType.INT64 }] },
  Split: { at: 13, attrs: [{ name: 'split', dtype: DType.INT64 }] },
  ReduceSum: { at: 13, attrs: [{ name: 'axes', dtype: DType.INT64 }] },
  Pad: {
    at: 11,
    attrs: [
      { name: 'pads', dtype: DType.INT64 },
      { name: 'value', dtype: DType.FLOAT, scalar: true },
    ],
  },
  Dropout: { at: 12, attrs: [{ name: 'ratio', dtype: DType.FLOAT, scalar: true }] },
  TopK: { at: 10, attrs: [{ name: 'k', dtype: DType.INT64 }] },
};

const SOFTMAX = new Set(['Softmax', 'LogSoftmax', 'Hardmax']);
const NO_REWRITE = new Set(['Upsample', 'Scatter', 'Resize']);

/** A model brought to opset 13, whose DequantizeLinear takes the per-channel axis the weights need. */
export interface Upgrade {
  /** The model at opset ≥ 13: the input itself when it was already there. */
  model: Model;
  /** The opset it had. */
  from: number;
  /** Nodes whose attributes became inputs (Split's split, Squeeze's axes…) on the way. */
  rewritten: number;
}

function attrNumbers(a: Attribute | undefined): number[] | undefined {
  if (!a) return undefined;
  const v = a.value;
  return v.kind === 'ints' || v.kind === 'floats'
    ? v.value
    : v.kind === 'int' || v.kind === 'float'
      ? [v.value]
      : undefined;
}

/** Moves a node's attributes into constant inputs; '' keeps an input slot empty where the attribute is absent. */
function moveAttributes(n: Node, spec: (typeof MOVED)[string], add: (t: Tensor) => string): void {
  const first = n.opType === 'Pad' ? 1 : n.inputs.length;
  const extra: string[] = [];
  for (const a of spec.attrs) {
    const v = attrNumbers(n.attributes.find((x) => x.name === a.name));
    extra.push(
      v === undefined ? '' : add(makeTensor(`${n.name || n.opType}_${a.name}`, a.dtype, a.scalar ? [] : [v.length], v)),
    );
  }
  while (extra.length > 0 && extra[extra.length - 1] === '') extra.pop();
  n.inputs = [...n.inputs.slice(0, first), ...extra];
  n.attributes = n.attributes.filter((x) => !spec.attrs.some((a) => a.name === x.name));
}

function softmaxProblem(n: Node, types: ReadonlyMap<string, TensorType>): string | undefined {
  const rank = types.get(n.inputs[0] ?? '')?.shape?.length;
  const axis = attrNumbers(n.attributes.find((a) => a.name === 'axis'))?.[0] ?? 1;
  if (rank !== undefined && (axis === rank - 1 || axis === -1)) return undefined;
  return `${n.opType} '${n.name}' changed meaning at opset 13 and its axis (${axis}) is not the last of its input`;
}

/** The model at opset ≥ 13 (unchanged when already there), or why it cannot be upgraded. */
export function upgradeOpset(model: Model): Result<Upgrade, string> {
  const from = opsetVersion(model);
  if (from >= TARGET_OPSET) return ok({ model, from, rewritten: 0 });
  if (from < 7) return err(`the model's opset ${from} is older than 7; re-export it at opset 13 or later`);
  if (model.graph.nodes.some(hasBodies))
    return err(
      `the model's opset ${from} is older than 13 and it holds If/Loop/Scan bodies, which are not upgraded here`,
    );
  const m = cloneModel(model);
  const types = inferShapes(model);
  const names = new Set(m.graph.initializers.map((t) => t.name));
  const add = (t: Tensor): string => {
    let name = t.name;
    for (let k = 1; names.has(name); k++) name = `${t.name}_${k}`;
    names.add(name);
    m.graph.initializers.push({ ...t, name, proto: { ...t.proto, name } });
    return name;
  };
  let rewritten = 0;
  for (const n of m.graph.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (NO_REWRITE.has(n.opType) && !(n.opType === 'Resize' && from >= 11))
      return err(`${n.opType} '${n.name}' at opset ${from} has no upgrade to opset 13 here; re-export at opset 13`);
    if (SOFTMAX.has(n.opType)) {
      const problem = softmaxProblem(n, types);
      if (problem) return err(problem);
    }
    const spec = MOVED[n.opType];
    if (spec && from < spec.at) {
      moveAttributes(n, spec, add);
      rewritten++;
    }
  }
  m.opsetImports = m.opsetImports.map((o) =>
    o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version: TARGET_OPSET } : o,
  );
  m.irVersion = Math.max(m.irVersion, 7);
  return ok({ model: m, from, rewritten });
}
