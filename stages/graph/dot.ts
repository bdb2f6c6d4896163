/**
 * The IR as GraphViz DOT: one box per node labelled with its op type, the attributes that tell convolutions
 * apart, and the shape of what it produces. Initializers and Constant nodes are weights, not data flow, so
 * they are not drawn.
 */
import type { Dim, Model, Node, TensorType, ValueInfo } from '../../onnx/ir.js';
import type { GraphConfig } from './config.js';

const COLORS: Record<string, string> = {
  Conv: '#cfe2ff',
  BatchNormalization: '#ffe5b4',
  Clip: '#d1f2d1',
  Relu: '#d1f2d1',
  Add: '#f8d7da',
  Gemm: '#e2d9f3',
  MatMul: '#e2d9f3',
  GlobalAveragePool: '#fff3cd',
  Cast: '#e9ecef',
  Constant: '#f1f3f5',
};

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const dims = (shape?: readonly Dim[]): string =>
  shape ? shape.map((d) => (d === null ? '?' : String(d))).join('×') : '?';

function attributeSummary(node: Node): string {
  const get = (name: string): number[] | undefined => {
    const a = node.attributes.find((x) => x.name === name)?.value;
    return a?.kind === 'ints' ? a.value : a?.kind === 'int' ? [a.value] : undefined;
  };
  if (node.opType !== 'Conv') return '';
  const k = get('kernel_shape');
  const s = get('strides');
  const g = get('group');
  return [k && `${k.join('×')}`, s && s.some((x) => x !== 1) && `/${s[0]}`, g && g[0] !== 1 && ` g${g[0]}`]
    .filter(Boolean)
    .join('');
}

export function toDot(
  model: Model,
  types: ReadonlyMap<string, TensorType>,
  title: string,
  config: GraphConfig,
): string {
  const g = model.graph;
  const weights = new Set(g.initializers.map((t) => t.name));
  const producer = new Map<string, string>();
  const heading = quote(`${title} — ${g.nodes.length} nodes`);
  const lines = [
    `digraph ${quote(title)} {`,
    `  graph [rankdir=${config.rankdir}, label=${heading}, labelloc=t, fontname="DejaVu Sans", ` +
      'nodesep=0.15, ranksep=0.25];',
    '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10, height=0.3, margin="0.08,0.03"];',
    '  edge [arrowsize=0.5, color="#555555"];',
  ];
  /** A graph input or output: an ellipse with its name and shape. */
  const ellipse = (id: string, v: ValueInfo) =>
    `  ${quote(id)} [shape=ellipse, fillcolor="#ffffff", label=${quote(`${v.name}\n${dims(v.type?.shape)}`)}];`;
  for (const input of g.inputs.filter((v) => !weights.has(v.name))) {
    const id = `in:${input.name}`;
    producer.set(input.name, id);
    lines.push(ellipse(id, input));
  }
  g.nodes.forEach((node, i) => {
    if (node.opType === 'Constant') return;
    const id = `n${i}`;
    const out = node.outputs[0];
    const shape = out ? types.get(out)?.shape : undefined;
    const extra = config.attributes ? attributeSummary(node) : '';
    const label = `${node.opType}${extra ? ` ${extra}` : ''}\n${dims(shape)}`;
    const fill = quote(COLORS[node.opType] ?? '#f8f9fa');
    lines.push(`  ${id} [label=${quote(label)}, tooltip=${quote(node.name)}, fillcolor=${fill}];`);
    for (const o of node.outputs) producer.set(o, id);
  });
  g.nodes.forEach((node, i) => {
    for (const input of node.inputs) {
      const from = producer.get(input);
      if (from) lines.push(`  ${quote(from)} -> n${i};`);
    }
  });
  for (const output of g.outputs) {
    const id = `out:${output.name}`;
    lines.push(ellipse(id, output));
    const from = producer.get(output.name);
    if (from) lines.push(`  ${quote(from)} -> ${quote(id)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
