/**
 * The bodies of If, Loop and Scan against their node: as many inputs as the node passes them and as many
 * outputs as it takes back (what onnx.checker's full check enforces through shape inference).
 */
import type { Node } from '../ir.js';
import type { Body } from '../subgraph.js';
import type { Issue } from './report.js';

/** The body's [inputs, outputs] the node needs, and how to say why; undefined for an operator without a rule. */
function expected(node: Node, opset: number): { inputs: number; outputs: number; why: string } | undefined {
  const n = node.inputs.length;
  const m = node.outputs.length;
  switch (node.opType) {
    case 'If':
      return { inputs: 0, outputs: m, why: `an If branch takes no inputs and yields the node's ${m} outputs` };
    case 'Loop':
      return {
        inputs: n,
        outputs: m + 1,
        why:
          `a Loop body takes the iteration number, the condition and the node's ${n - 2} loop-carried values,` +
          ` and yields the condition and the node's ${m} outputs`,
      };
    case 'Scan': {
      const fed = opset < 9 ? n - 1 : n;
      const aside = opset < 9 ? ' (sequence_lens aside)' : '';
      const why = `a Scan body takes the node's ${fed} state and scan inputs${aside} and yields its ${m} outputs`;
      return { inputs: fed, outputs: m, why };
    }
    default:
      return undefined;
  }
}

export function checkBodies(node: Node, label: string, bodies: readonly Body[], opset: number): Issue[] {
  const issues: Issue[] = [];
  if (node.domain !== '' && node.domain !== 'ai.onnx') return issues;
  for (const body of bodies) {
    const want = expected(node, opset);
    if (!want) continue;
    const g = body.graph;
    const sides = [
      ['input', g.inputs.length, want.inputs],
      ['output', g.outputs.length, want.outputs],
    ] as const;
    for (const [what, have, count] of sides) {
      if (have === count) continue;
      issues.push({
        code: `body-${what}-count`,
        message:
          `${node.opType} node ${label}: its ${body.attribute} has ${have} ${what}s but needs ${count}:` +
          ` ${want.why}`,
        node: label,
        field: `attribute '${body.attribute}'`,
      });
    }
  }
  return issues;
}
