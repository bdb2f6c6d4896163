/**
 * Requirement 5 and 6: the default pass list over ONNX's own test corpus (libonnx-testdata). Every model
 * onnxruntime-node can load and that reproduces its reference outputs before the passes must still do so
 * after them (rtol 1e-3, atol 1e-7, as ONNX's backend tests), must not crash a pass, and must not turn a
 * model the validator accepts into one it rejects. The counts are docs/optimize.md's (test/corpus/quoted.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Model } from '../../../onnx/ir.js';
import { runTensorsOnce, type AnyTensor } from '../../../onnx/ort.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { passesByName, defaultPasses } from '../../../stages/optimize/passes/index.js';
import { assertAtMost, assertNear } from '../../corpus/quoted.js';
import { closeEnough, protoToTensor } from './corpus-tensors.js';

const ROOT = '/usr/share/libonnx-testdata/data';

type Outcome = { status: 'passed'; changedBy: string[] } | { status: 'failed' | 'skipped'; why: string };

const firstLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 80) ?? '';

async function run(bytes: Uint8Array, feeds: Record<string, AnyTensor>): Promise<Record<string, AnyTensor> | string> {
  try {
    return await runTensorsOnce(bytes, feeds, { graphOptimizationLevel: 'disabled', intraOpThreads: 1 });
  } catch (e) {
    return firstLine(e);
  }
}

function matches(got: Record<string, AnyTensor>, model: Model, expected: AnyTensor[]): string | undefined {
  for (const [i, want] of expected.entries()) {
    const name = model.graph.outputs[i]?.name ?? '';
    const t = got[name];
    const why = t ? closeEnough(t, want) : 'missing';
    if (why) return `output ${name}: ${why}`;
  }
  return undefined;
}

async function runCase(dir: string): Promise<Outcome> {
  const file = join(dir, 'model.onnx');
  const data = join(dir, 'test_data_set_0');
  if (!existsSync(file) || !existsSync(data)) return { status: 'skipped', why: 'no model or reference data shipped' };
  const bytes = new Uint8Array(readFileSync(file));
  const decoded = decodeModel(bytes);
  if (!decoded.ok) return { status: 'skipped', why: 'not decodable' };
  const model = decoded.value;
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputNames = model.graph.inputs.map((v) => v.name).filter((n) => !inits.has(n));
  const files = readdirSync(data);
  const load = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]))
      .map((f) => protoToTensor(readFileSync(join(data, f))));
  const inputs = load('input_');
  const expected = load('output_');
  if ([...inputs, ...expected].some((t) => t === undefined))
    return { status: 'skipped', why: 'non-tensor or unsupported reference data' };
  const feeds = Object.fromEntries(inputs.map((t, i) => [inputNames[i] ?? `#${i}`, t as AnyTensor]));
  const before = await run(bytes, feeds);
  if (typeof before === 'string') return { status: 'skipped', why: 'onnxruntime-node cannot run it' };
  if (matches(before, model, expected as AnyTensor[]))
    return { status: 'skipped', why: 'onnxruntime-node itself misses the reference' };

  let optimized: Model;
  let changedBy: string[];
  try {
    const r = runPasses(model, await passesByName(defaultPasses));
    optimized = r.model;
    changedBy = [...new Set(r.steps.filter((s) => s.changed).map((s) => s.pass))];
  } catch (e) {
    return { status: 'failed', why: `pass crashed: ${firstLine(e)}` };
  }
  if (validateModel(model).ok && !validateModel(optimized).ok)
    return { status: 'failed', why: `validator rejects the result: ${validateModel(optimized).errors[0]?.message}` };
  const after = await run(encodeModel(optimized), feeds);
  if (typeof after === 'string') return { status: 'failed', why: `optimized model does not run: ${after}` };
  const why = matches(after, optimized, expected as AnyTensor[]);
  return why ? { status: 'failed', why } : { status: 'passed', changedBy };
}

test(
  'the pass list keeps every runnable corpus model reproducing its reference outputs',
  { timeout: 240_000 },
  async (t) => {
    const cases = readdirSync(ROOT).flatMap((suite) => readdirSync(join(ROOT, suite)).map((c) => join(ROOT, suite, c)));
    const failed: string[] = [];
    const skipped = new Map<string, number>();
    let passed = 0;
    let changed = 0;
    const byPass = new Map<string, number>();
    for (const dir of cases) {
      const o = await runCase(dir);
      if (o.status === 'passed') {
        passed++;
        if (o.changedBy.length) changed++;
        for (const p of o.changedBy) byPass.set(p, (byPass.get(p) ?? 0) + 1);
      } else if (o.status === 'skipped') skipped.set(o.why, (skipped.get(o.why) ?? 0) + 1);
      else failed.push(`${dir.slice(ROOT.length + 1)}: ${o.why}`);
    }
    const skips = [...skipped.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(
      `corpus: ${cases.length} models, ${passed} passed (${changed} changed by the passes), ` +
        `${failed.length} failed, ${skips} skipped`,
    );
    for (const [why, n] of skipped) t.diagnostic(`skipped ${n}: ${why}`);
    t.diagnostic(`models changed per pass: ${[...byPass].map(([p, n]) => `${p} ${n}`).join(', ')}`);
    assert.deepEqual(failed, []);
    // docs/optimize.md: 1081 models, 959 passed (101 changed), 0 failed, 122 skipped.
    assert.equal(cases.length, 1081, 'the corpus Debian ships');
    assertNear('passed', passed, 959);
    assertNear('changed by the passes', changed, 101);
    assertAtMost('skipped', skips, 122);
  },
);
