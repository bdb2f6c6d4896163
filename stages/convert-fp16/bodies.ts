/**
 * If/Loop/Scan bodies in float16, one at a time. convertFloat16 leaves every node holding a body, and its
 * body, in float32, and keeps every outer value a body reads in float32 under its own name. Here each body
 * of the main graph is then converted on its own: as a graph whose inputs are its own plus the outer values it
 * reads, float32 at that boundary, so nothing outside the body changes. A converted body is kept only when
 * the whole model still passes the validator and the tolerance check, and the check's outputs moved at all
 * (see UNEXERCISED); otherwise the body stays float32 and
 * the reason is reported. Bodies nested inside a body stay float32.
 */
import type { Graph, Model, Node, TensorType } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/infer/index.js';
import { cloneModel } from '../../onnx/rewrite/clone.js';
import { allGraphs, definedNames, graphFreeNames, hasBodies } from '../../onnx/rewrite/subgraphs.js';
import { decodeGraphProto, encodeGraphProto } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { failingOutput, withinTolerance, type Comparison } from '../../onnx/numeric-check.js';
import { convertFloat16, type Fp16Options, type Fp16Report } from './convert.js';

export interface BodyOutcome {
  node: string;
  opType: string;
  attribute: string;
  converted: boolean;
  /** The whole model's relative L2 with this body converted (and the ones kept before it). */
  relL2?: number;
  why?: string;
}

/** The model's outputs against float32, or why they could not be measured. */
export type BodyCheck = (model: Model) => Promise<Comparison | string>;

const holders = (m: Model): Node[] => m.graph.nodes.filter(hasBodies);

/**
 * Outputs bit-identical with the body converted prove nothing: the check's inputs do not run it (an If branch
 * not taken), or onnxruntime's CPU provider computes its operators in float32 anyway (it widens float16
 * operators it has no kernel for, and drops the float32 → float16 → float32 Cast pairs that leaves), which
 * another runtime would not.
 */
const UNEXERCISED =
  "the outputs are bit-identical with it converted (the check's inputs do not run it, " +
  "or onnxruntime's CPU provider computes it in float32), so the check proves nothing about it";

/** The body as a float16 graph with float32 at its boundary, or why it cannot be converted. */
function convertBody(
  fp32: Model,
  body: Graph,
  options: Fp16Options,
  outerTypes: ReadonlyMap<string, TensorType>,
): Result<Graph, string> {
  const free = [...graphFreeNames(body)];
  const untyped = free.find((n) => !outerTypes.has(n));
  if (untyped !== undefined) return err(`the type of the outer value '${untyped}' it reads is unknown`);
  const inputs = [...body.inputs, ...free.map((name) => ({ name, type: outerTypes.get(name) as TensorType }))];
  const converted = convertFloat16({ ...fp32, graph: { ...body, inputs } }, { ...options, keepIoFp32: true });
  if (!converted.ok) return converted;
  const graph = converted.value.model.graph;
  graph.inputs = graph.inputs.slice(0, body.inputs.length);
  return ok(graph);
}

/** Names the conversion added that an enclosing graph or another body already uses get a fresh name. */
function renameClashes(model: Model, original: Graph, converted: Graph): void {
  const mine = definedNames(original);
  const taken = new Set<string>();
  for (const g of allGraphs(model.graph)) for (const n of definedNames(g)) if (!mine.has(n)) taken.add(n);
  const rename = new Map<string, string>();
  for (const n of definedNames(converted)) {
    if (mine.has(n) || !taken.has(n)) continue;
    let k = 1;
    while (taken.has(`${n}_${k}`)) k++;
    rename.set(n, `${n}_${k}`);
    taken.add(`${n}_${k}`);
  }
  if (rename.size === 0) return;
  const to = (x: string) => rename.get(x) ?? x;
  for (const node of converted.nodes) {
    node.inputs = node.inputs.map(to);
    node.outputs = node.outputs.map(to);
  }
  converted.initializers = converted.initializers.map((t) => (rename.has(t.name) ? { ...t, name: to(t.name) } : t));
  const renamed = (v: Graph['valueInfo'][number]) => ({ name: to(v.name), ...(v.type ? { type: v.type } : {}) });
  converted.valueInfo = converted.valueInfo.map((v) => (rename.has(v.name) ? renamed(v) : v));
}

/** The models with `graph` as the body in attribute `attribute` of the k-th node that holds bodies. */
function withBody(models: readonly Model[], k: number, attribute: string, graph: Graph): Model[] {
  const encoded = encodeGraphProto(graph);
  return models.map((m) => {
    const copy = cloneModel(m);
    const node = holders(copy)[k] as Node;
    node.attributes = node.attributes.map((a) =>
      a.name === attribute && a.value.kind === 'opaque'
        ? { name: a.name, value: { kind: 'opaque', value: { ...a.value.value, g: encoded } } }
        : a,
    );
    return copy;
  });
}

/**
 * Tries each body of `fp32`'s main graph in turn on `models` (the converted model and, when it differs,
 * its float32-I/O twin, which `check` measures: the last one). Returns the models with every body that
 * passed, and what happened to each body.
 */
export async function convertBodies(
  fp32: Model,
  models: Model[],
  options: Fp16Options,
  check: BodyCheck,
  tolerance: number,
): Promise<{ models: Model[]; outcomes: BodyOutcome[] }> {
  const outcomes: BodyOutcome[] = [];
  if (!holders(fp32).length) return { models, outcomes };
  const first = await check(models[models.length - 1] as Model);
  let baseline = typeof first === 'string' ? first : first.worstError;
  const outerTypes = inferShapes(fp32);
  for (const t of fp32.graph.initializers) outerTypes.set(t.name, { dtype: t.dtype, shape: t.dims });
  for (const [k, node] of holders(fp32).entries()) {
    for (const a of node.attributes) {
      if (a.value.kind !== 'opaque' || !hasBodies({ ...node, attributes: [a] })) continue;
      const outcome = (converted: boolean, more: Partial<BodyOutcome>) =>
        outcomes.push({ node: node.name, opType: node.opType, attribute: a.name, converted, ...more });
      const proto = a.value.value.g;
      const body = proto && decodeGraphProto(proto);
      if (!body || !body.ok) {
        outcome(false, { why: 'a list of graphs, which the converter does not take' });
        continue;
      }
      const converted = convertBody(fp32, body.value, options, outerTypes);
      if (!converted.ok) {
        outcome(false, { why: converted.error });
        continue;
      }
      renameClashes(models[0] as Model, body.value, converted.value);
      const candidates = withBody(models, k, a.name, converted.value);
      const report = validateModel(candidates[0] as Model);
      if (!report.ok) {
        const first = report.errors[0]?.message;
        outcome(false, { why: `with it converted, the model does not pass the validator: ${first}` });
        continue;
      }
      const c = await check(candidates[candidates.length - 1] as Model);
      if (typeof c === 'string' || !withinTolerance(c, tolerance)) {
        outcome(false, { why: typeof c === 'string' ? c : `with it converted, ${failingOutput(c, tolerance)}` });
        continue;
      }
      if (c.worstError === baseline) {
        outcome(false, { why: UNEXERCISED });
        continue;
      }
      models = candidates;
      baseline = c.worstError;
      outcome(true, { relL2: c.worstRelL2 });
    }
  }
  return { models, outcomes };
}

/**
 * Why a conversion produced no float16 at all (no initializer, no Cast, no body converted), or undefined when it
 * did: such a "float16 model" computes in float32 throughout, and benchmarking it as FP16 would be untrue.
 */
export function nothingConverted(report: Fp16Report, outcomes: readonly BodyOutcome[]): string | undefined {
  if (report.initializersConverted > 0 || report.castsInserted > 0 || outcomes.some((o) => o.converted))
    return undefined;
  const kept =
    outcomes.length > 0 ? `; ${outcomes.length} bodies kept float32 (${outcomes[0]?.why ?? 'see fp16 details'})` : '';
  return `nothing was converted to float16: every float32 operation stays float32${kept}`;
}
