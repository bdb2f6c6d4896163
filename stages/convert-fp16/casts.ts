/**
 * The Casts of an FP32 → FP16 conversion (convert.ts): before a reader that wants another type than its value
 * has, at the graph outputs, and for outer values a body reads; then the Casts that change nothing go.
 */
import { DType, type Attribute, type Node } from '../../onnx/ir.js';
import { hasBodies } from '../../onnx/rewrite/subgraphs.js';
import type { Conversion } from './convert.js';

const castTo = (to: DType): Attribute => ({ name: 'to', value: { kind: 'int', value: to } });

/** Casts where a reader wants another type than the value has; shared per (value, type). */
export function castReaders(c: Conversion, renamed: ReadonlyMap<string, string>): Node[] {
  const casts = new Map<string, string>();
  const nodes: Node[] = [];
  const insertCast = (value: string, to: DType, before: Node[]): string => {
    const key = `${value}|${to}`;
    let name = casts.get(key);
    if (!name) {
      name = `${value}_${to === DType.FLOAT16 ? 'fp16' : 'fp32'}`;
      casts.set(key, name);
      before.push({
        name: `cast_${name}`,
        opType: 'Cast',
        domain: '',
        inputs: [value],
        outputs: [name],
        attributes: [castTo(to)],
      });
      c.report.castsInserted++;
    }
    return name;
  };
  for (const node of c.model.graph.nodes) {
    const plan = c.plans.get(node) as { inputs: boolean[] };
    const pre: Node[] = [];
    node.inputs = node.inputs.map((v, i) => {
      const has = c.dtypeOf.get(v);
      if (has === undefined) return v;
      const want = plan.inputs[i] ? DType.FLOAT16 : DType.FLOAT;
      if (has === want) return v;
      if (want === DType.FLOAT && renamed.has(v)) return renamed.get(v) as string;
      return insertCast(v, want, pre);
    });
    nodes.push(...pre, node);
  }
  return nodes;
}

/** Renames a value everywhere in `nodes` (except inside nodes `skip` excludes) to `inner`. */
function renameValue(
  nodes: readonly Node[],
  name: string,
  inner: string,
  skip: (n: Node) => boolean = () => false,
): void {
  for (const n of nodes) {
    if (skip(n)) continue;
    n.outputs = n.outputs.map((o) => (o === name ? inner : o));
    n.inputs = n.inputs.map((i) => (i === name ? inner : i));
  }
}

/** Graph outputs: the producer writes `<name>_fp16` and a Cast restores the float32 name. */
export function castGraphOutputs(c: Conversion, nodes: Node[]): void {
  for (const out of c.model.graph.outputs) {
    const has = c.dtypeOf.get(out.name);
    const want = c.options.keepIoFp32 ? DType.FLOAT : DType.FLOAT16;
    if (
      has === undefined ||
      has === want ||
      out.type?.dtype !== DType.FLOAT ||
      !nodes.some((n) => n.outputs.includes(out.name))
    )
      continue;
    const inner = `${out.name}_${has === DType.FLOAT16 ? 'fp16' : 'fp32'}`;
    renameValue(nodes, out.name, inner);
    c.dtypeOf.set(inner, has);
    nodes.push({
      name: `cast_${out.name}`,
      opType: 'Cast',
      domain: '',
      inputs: [inner],
      outputs: [out.name],
      attributes: [castTo(want)],
    });
    c.report.castsInserted++;
  }
}

/** An outer value a body reads keeps its float32 name: its float16 producer writes `<name>_fp16`, cast back. */
export function castCaptured(c: Conversion, nodes: Node[], initNames: ReadonlySet<string>): void {
  for (const name of c.captured) {
    if (c.dtypeOf.get(name) !== DType.FLOAT16 || initNames.has(name)) continue;
    const inner = `${name}_fp16`;
    renameValue(nodes, name, inner, hasBodies);
    c.dtypeOf.set(inner, DType.FLOAT16);
    c.dtypeOf.set(name, DType.FLOAT);
    const at = nodes.findIndex((n) => n.outputs.includes(inner));
    const cast: Node = {
      name: `cast_${name}`,
      opType: 'Cast',
      domain: '',
      inputs: [inner],
      outputs: [name],
      attributes: [castTo(DType.FLOAT)],
    };
    nodes.splice(at + 1, 0, cast);
    c.report.castsInserted++;
  }
}

/**
 * A Cast to the type its input already has (a model's own Cast to float inside what is now the float16
 * zone) does nothing; onnxruntime's CPU provider even trips over one. Its readers read its input instead.
 */
export function dropNoopCasts(
  nodes: Node[],
  dtypeOfValue: (v: string) => DType | undefined,
  graphOutputs: ReadonlySet<string>,
): Node[] {
  const alias = new Map<string, string>();
  const kept = nodes.filter((n) => {
    const to = n.attributes.find((a) => a.name === 'to')?.value;
    const input = n.inputs[0] ?? '';
    const output = n.outputs[0] ?? '';
    const noop =
      n.opType === 'Cast' && to?.kind === 'int' && dtypeOfValue(input) === to.value && !graphOutputs.has(output);
    if (noop) alias.set(output, alias.get(input) ?? input);
    return !noop;
  });
  for (const n of kept) n.inputs = n.inputs.map((i) => alias.get(i) ?? i);
  return kept;
}
