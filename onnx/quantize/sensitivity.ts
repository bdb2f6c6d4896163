/**
 * A measured shortlist for the accuracy fallback: one run of the float model and one of the quantized model
 * (Q/DQ computed in float, optimizer off, so every tensor keeps its name) on one check input, every activation
 * compared. A node's local error is how much further from float its output is than the worst of its inputs:
 * what that node's own rounding adds. The fallback then measures the whole model only for the nodes that add
 * most, instead of for every quantized node (ppocr_v4_rec has 103).
 */
import type { Model } from '../ir.js';
import { agreement } from '../compare.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { runAll, type Sample } from './calibrate.js';
import { nodeKey, type Placement } from './select.js';
import type { Written } from './qdq.js';

async function tensorsOf(
  model: Model,
  names: readonly string[],
  sample: Sample,
): Promise<Result<Map<string, Float32Array>, string>> {
  const out = new Map<string, Float32Array>();
  const ran = await runAll(model, names, [sample], (name, data) => out.set(name, data.slice()));
  return ran.ok ? ok(out) : ran;
}

/** The `count` quantized nodes of `float` whose own rounding adds most error, most first. */
export async function shortlist(
  float: Model,
  q: Written & { placement: Placement },
  sample: Sample,
  count: number,
): Promise<Result<string[], string>> {
  // A folded ReLU's output is the float value its producer's dequantized output stands for.
  const valueOf = new Map([...q.placement.folded].map((f) => [f.inputs[0] as string, f.outputs[0] as string]));
  const tensors = [...q.dequantized.keys()].map((t) => valueOf.get(t) ?? t);
  const seen = [...q.dequantized.values()];
  const reference = await tensorsOf(float, tensors, sample);
  if (!reference.ok) return err(reference.error);
  const quantized = await tensorsOf(q.model, seen, sample);
  if (!quantized.ok) return err(quantized.error);
  const error = (t: string): number => {
    const r = reference.value.get(valueOf.get(t) ?? t);
    const g = quantized.value.get(q.dequantized.get(t) ?? '');
    return r && g && r.length === g.length ? agreement(g, r).relL2 : 0;
  };
  const local: Array<{ key: string; added: number }> = [];
  float.graph.nodes.forEach((n, i) => {
    const key = nodeKey(n, i);
    if (!q.placement.nodes.has(key)) return;
    const before = Math.max(0, ...n.inputs.map(error));
    local.push({ key, added: Math.max(...n.outputs.map(error)) - before });
  });
  return ok(
    local
      .sort((a, b) => b.added - a.added)
      .slice(0, count)
      .map((l) => l.key),
  );
}
