/**
 * FP32 → FP16 on the IR. Every node computes in float16 unless it is on the keep list or its schema does
 * not accept float16 for a float32 operand; then it stays float32. Casts go exactly where a value's type
 * and a reader's type differ: at the graph boundary (inputs and outputs stay float32 by default) and
 * around kept nodes; one Cast per value and target type, so no Cast pair is ever created. Weights are
 * converted once; values beyond float16's range are clamped to ±65504 and counted, as are nonzero values
 * that round to zero. A float32 constant that a float32 reader needs (a kept operator, a body) stays float32
 * for it, unclamped: Constant nodes become initializers first, so both follow the same rule.
 *
 * If/Loop/Scan: the node holding a body stays float32 and so does its body (listed in `subgraphs`); every
 * outer value a body reads stays float32 under its own name. The stage then converts the bodies one at a
 * time (bodies.ts), each kept only when the model still passes its check.
 */
import type { DType, Model, Node, TensorType, ValueInfo } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/infer/index.js';
import { cloneModel } from '../../onnx/rewrite/clone.js';
import { hasBodies, nodeFreeNames } from '../../onnx/rewrite/subgraphs.js';
import { opsetVersion } from '../../onnx/rewrite/opset.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { castCaptured, castGraphOutputs, castReaders, dropNoopCasts } from './casts.js';
import { constantsToInitializers, convertInitializers } from './initializers.js';
import { planNodes } from './plan.js';

export interface Fp16Options {
  keepFp32: readonly string[];
  keepIoFp32: boolean;
}

export interface Fp16Report {
  initializersConverted: number;
  bytes: { before: number; after: number };
  /** Constants with values beyond ±65504, clamped: name → how many values. */
  clamped: Record<string, number>;
  /** Constants with nonzero values that became zero in float16: name → how many values. */
  flushedToZero: Record<string, number>;
  /** Nodes left in float32, with why. */
  keptFp32: { node: string; opType: string; why: string }[];
  /** Nodes holding If/Loop/Scan bodies, each left in float32 with why. */
  subgraphs: { node: string; opType: string; why: string }[];
  castsInserted: number;
}

/** What the phases of one conversion share. */
export interface Conversion {
  model: Model;
  opset: number;
  options: Fp16Options;
  /** Types as inferred before conversion (Constant outputs and initializers included). */
  types: Map<string, TensorType>;
  /** The dtype each float32 value has after conversion: decided by its producer. */
  dtypeOf: Map<string, DType>;
  plans: Map<Node, { inputs: boolean[]; outputs: boolean[] }>;
  /** Outer values a body reads: they keep their name and type, since the body is not converted. */
  captured: Set<string>;
  report: Fp16Report;
}

export function convertFloat16(
  input: Model,
  options: Fp16Options,
): Result<{ model: Model; report: Fp16Report }, string> {
  const model = cloneModel(input);
  const g = model.graph;
  const opset = opsetVersion(model);
  // Cast-1 names its target type with a string that onnxruntime cannot type-infer; opset 6 made it an enum.
  if (opset < 6)
    return err(`the model is at opset ${opset}; float16 conversion needs opset 6 or later (Cast with a numeric 'to')`);
  const types = inferShapes(model);
  constantsToInitializers(model);
  for (const t of g.initializers) types.set(t.name, { dtype: t.dtype, shape: t.dims });
  const report: Fp16Report = {
    initializersConverted: 0,
    bytes: { before: 0, after: 0 },
    clamped: {},
    flushedToZero: {},
    keptFp32: [],
    subgraphs: [],
    castsInserted: 0,
  };
  const captured = new Set(g.nodes.filter(hasBodies).flatMap((n) => [...nodeFreeNames(n)]));
  const c: Conversion = { model, opset, options, types, dtypeOf: new Map(), plans: new Map(), captured, report };
  const planned = planNodes(c);
  if (planned) return err(planned);
  const initNames = new Set(g.initializers.map((t) => t.name));
  const renamed = convertInitializers(c);
  if (!renamed.ok) return renamed;
  const nodes = castReaders(c, renamed.value);
  castGraphOutputs(c, nodes);
  castCaptured(c, nodes, initNames);
  g.nodes = dropNoopCasts(nodes, (v) => c.dtypeOf.get(v) ?? types.get(v)?.dtype, new Set(g.outputs.map((o) => o.name)));
  retypeValues(c);
  return ok({ model, report });
}

/** Value infos take the dtype their producer now writes; graph outputs only when I/O is not kept float32. */
function retypeValues(c: Conversion): void {
  const g = c.model.graph;
  const retype = (v: ValueInfo): ValueInfo => {
    const d = c.dtypeOf.get(v.name);
    return d !== undefined && v.type && v.type.dtype !== d
      ? { name: v.name, type: { ...v.type, dtype: d }, ...(v.docString ? { docString: v.docString } : {}) }
      : v;
  };
  g.inputs = g.inputs.map(retype);
  g.outputs = g.outputs.map((v) => (c.options.keepIoFp32 ? v : retype(v)));
  g.valueInfo = g.valueInfo.map(retype);
}
