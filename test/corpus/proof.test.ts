/**
 * The corpus proof: every real model of realModels() through optimize and FP16 as the stages prove them
 * (bench/corpus-proof.ts), on its check data (configs/examples/data) or seeded inputs. Tolerances are the
 * stages' own: 1e-5 relative L2 for optimize (float32 reassociation over tens of layers stays near 1e-6),
 * 1e-2 for FP16 (11-bit mantissa accumulated over the network).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { compareOutputs, runDisabled } from '../../onnx/numeric-check.js';
import type { Model } from '../../onnx/ir.js';
import { readModelFile } from '../../onnx/serde.js';
import { countNodes } from '../../onnx/rewrite/subgraphs.js';
import { checkInputs, proveFp16, proveOptimize, type Verdict } from '../../bench/corpus-proof.js';
import { realModelNames, realModels } from './models.js';

const reason = (v: Verdict): string => (v.status === 'done' ? '' : v.reason);

/**
 * docs/corpus.md's table: nodes before → after the passes, every graph counted, with how many sit in
 * If/Loop/Scan bodies. The passes are deterministic, so these are exact.
 */
const NODES: Record<string, string> = {
  silero_vad_legacy: '250 (248) → 250 (248)',
  silero_vad_v5: '689 (684) → 340 (338)',
  silero_vad_v6: '689 (684) → 340 (338)',
  ppocr_v4_det: '672 (0) → 328 (0)',
  ppocr_v4_rec: '765 (0) → 419 (0)',
  ppocr_mobile_v2_cls: '471 (0) → 184 (0)',
  oww_melspectrogram: '29 (0) → 20 (0)',
  oww_embedding: '65 (0) → 65 (0)',
  oww_hey_jarvis: '63 (30) → 54 (26)',
  oww_alexa: '7 (0) → 7 (0)',
  oww_timer: '8 (0) → 8 (0)',
  oww_hey_rhasspy: '29 (0) → 25 (0)',
  oww_hello_deepa: '29 (0) → 25 (0)',
  silero_vad_op15: '350 (229) → 172 (117)',
  silero_vad_half: '325 (229) → 169 (117)',
  silero_vad_op18: '90 (86) → 90 (86)',
};

const nodes = (g: Model['graph']): string => `${countNodes(g)} (${countNodes(g) - g.nodes.length})`;

/**
 * Each If branch tried on its own in float16: the branch the check data runs is converted where its LSTM's
 * outputs are typed (Silero v5, v6, op18); a branch the check does not run proves nothing and stays float32.
 */
const BODY_OUTCOMES = [
  ...['oww_hey_jarvis else_branch', 'oww_hey_jarvis then_branch'],
  ...['silero_vad_half else_branch', 'silero_vad_half then_branch'].flatMap((b) => [b, b, b]),
  'silero_vad_legacy else_branch',
  ...['silero_vad_op15 else_branch', 'silero_vad_op15 then_branch'].flatMap((b) => [b, b, b]),
  'silero_vad_op18 else_branch',
  'silero_vad_v5 else_branch',
  'silero_vad_v6 else_branch',
]
  .map((b) => `${b}: the outputs are bit-identical`)
  .concat([
    "silero_vad_legacy then_branch: with it converted, output 'hn': relative L2",
    'silero_vad_op18 then_branch: converted',
    'silero_vad_v5 then_branch: converted',
    'silero_vad_v6 then_branch: converted',
  ])
  .sort();

const tally = (verdicts: Verdict[]) => ({
  done: verdicts.filter((v) => v.status === 'done').length,
  declined: verdicts.filter((v) => v.status === 'declined').map((v) => (v.status === 'done' ? '' : v.reason)),
  failed: verdicts.filter((v) => v.status === 'failed').map((v) => (v.status === 'done' ? '' : v.reason)),
});

test('each real model optimizes to the same outputs; FP16 within tolerance or declined: nothing converts', async () => {
  const optimize: Verdict[] = [];
  const fp16: Verdict[] = [];
  const withCheckData: string[] = [];
  const withBodies: string[] = [];
  const bodyOutcomes: string[] = [];
  const fp16Declined: string[] = [];
  const nodeCounts: Record<string, string> = {};
  assert.equal(realModelNames.length, 16, 'docs/corpus.md: 16 real models');
  for (const m of realModels()) {
    const model = await readModelFile(m.file);
    assert.ok(model.ok, model.ok ? '' : model.error);
    const inputs = await checkInputs(m.name, model.value);
    assert.ok(inputs.ok, `${m.name}: ${inputs.ok ? '' : inputs.error}`);
    if (inputs.value.expected) {
      // The check data is what onnxruntime computes on the original: its outputs are reproduced exactly.
      const ran = await runDisabled(await readFile(m.file), inputs.value.feeds);
      assert.ok(ran.ok, ran.ok ? '' : ran.error);
      const c = compareOutputs(ran.value, inputs.value.expected);
      assert.ok(c.worstRelL2 <= 1e-6, `${m.name}: check data outputs reproduce`);
      withCheckData.push(m.name);
    }
    const o = await proveOptimize(model.value, inputs.value.feeds);
    if (o.verdict.status === 'done') assert.ok(o.verdict.relL2 <= 1e-5, `${m.name}: ${o.verdict.relL2}`);
    optimize.push(o.verdict);
    nodeCounts[m.name] = `${nodes(model.value.graph)} → ${nodes(o.model.graph)}`;
    const f = await proveFp16(o.model, inputs.value.feeds);
    fp16.push(f.verdict);
    if (f.verdict.status === 'declined') fp16Declined.push(m.name);
    assert.deepEqual(f.clamped, {}, `${m.name}: no constant of these models is beyond ±65504`);
    if (f.bodies.length > 0) withBodies.push(m.name);
    bodyOutcomes.push(...f.bodies.map((b) => `${m.name} ${b.attribute}: ${b.converted ? 'converted' : b.why}`));
  }
  assert.deepEqual(tally(optimize), { done: 16, declined: [], failed: [] });
  assert.deepEqual(nodeCounts, NODES, "docs/corpus.md's node counts, bodies included");
  // Silero legacy keeps all of its float32 work inside If bodies, none of which is proven in float16: nothing is
  // converted, and a "float16 model" that computes in float32 would be benchmarked as FP16 untruly.
  const fp16Tally = tally(fp16);
  assert.deepEqual({ ...fp16Tally, declined: fp16Tally.declined.length }, { done: 15, declined: 1, failed: [] });
  assert.deepEqual(fp16Declined.sort(), ['silero_vad_legacy']);
  for (const r of fp16Tally.declined)
    assert.match(r, /^nothing was converted to float16: every float32 operation stays float32; 2 bodies kept/);
  const sileroAll = ['half', 'legacy', 'op15', 'op18', 'v5', 'v6'].map((v) => `silero_vad_${v}`);
  assert.deepEqual(withCheckData.sort(), ['ppocr_mobile_v2_cls', 'ppocr_v4_det', 'ppocr_v4_rec', ...sileroAll]);
  assert.deepEqual(withBodies.sort(), ['oww_hey_jarvis', ...sileroAll]);
  const kinds = /^(\S+ \S+): (converted|the outputs are bit-identical|with it converted, output '\w+': relative L2).*$/;
  assert.deepEqual(bodyOutcomes.map((o) => o.replace(kinds, '$1: $2')).sort(), BODY_OUTCOMES);
});

test('silero VAD v5: the passes remove nodes inside its If bodies', async () => {
  const [m] = realModels('silero_vad_v5');
  const model = await readModelFile(m?.file ?? '');
  assert.ok(model.ok);
  const inputs = await checkInputs('silero_vad_v5', model.value);
  assert.ok(inputs.ok);
  const o = await proveOptimize(model.value, inputs.value.feeds);
  const inside = (g: typeof model.value.graph) => countNodes(g) - g.nodes.length;
  assert.deepEqual([countNodes(model.value.graph), inside(model.value.graph)], [689, 684]);
  assert.ok(
    o.model.graph.nodes.some((n) => n.opType === 'If'),
    'the outer graph keeps its If',
  );
  assert.equal(inside(o.model.graph), 338, 'nodes inside bodies after (docs/corpus.md)');
});

test('a check whose inputs the ORIGINAL model cannot run declines, saying so', async () => {
  const [m] = realModels('silero_vad_v5');
  const model = await readModelFile(m?.file ?? '');
  assert.ok(model.ok);
  const inputs = await checkInputs('silero_vad_v5', model.value);
  assert.ok(inputs.ok);
  const state = { type: 'float32' as const, dims: [2, 1, 64], data: new Float32Array(128) };
  const wrongState = { ...inputs.value.feeds, state };
  const o = await proveOptimize(model.value, wrongState);
  assert.equal(o.verdict.status, 'declined', reason(o.verdict));
  assert.match(reason(o.verdict), /^the check's own inputs could not run the ORIGINAL model/);
  const seeded = await proveOptimize(model.value, {});
  assert.equal(seeded.verdict.status, 'declined');
});
