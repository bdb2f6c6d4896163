/**
 * The verdict (measure/verdict.ts) on constructed bench.json cases: a clear winner, a tie within the
 * noise, a noisy fastest, an engine over its error budget, a task metric that dropped, nothing to recommend;
 * and on real recorded measurements (test/fixtures/gate/baseline.json, configs/ci.yaml's model on onnxruntime).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { normalFloats } from '../../../onnx/random.js';
import { decideConfig } from '../../../measure/decide-config.js';
import { noiseOf } from '../../../measure/noise.js';
import type { BenchFile, Correctness, Measurement } from '../../../measure/result.js';
import { latencyStats, throughput } from '../../../measure/stats.js';
import { precisionRank, recommend } from '../../../measure/verdict.js';
import { fromRoot } from '../../repo-root.js';

const TOLERANCE: Record<string, number> = { fp32: 1e-4, fp16: 1e-2, int8: 5e-2 };

interface Spec {
  engine: string;
  precision: string;
  ms: number;
  jitter?: number;
  relL2?: number;
  task?: number;
  /** Every fourth sample preempted to 3×: noisy by the tail rule. */
  tail?: boolean;
  seed: number;
}

function m(s: Spec, batch = 1): Measurement {
  const samplesMs = Array.from(normalFloats(40, s.seed), (z, i) =>
    s.tail && i % 4 === 0 ? 3 * s.ms : s.ms * (1 + (s.jitter ?? 0.01) * z),
  );
  const stats = latencyStats(samplesMs);
  const tol = TOLERANCE[s.precision]!;
  const relL2 = s.relL2 ?? tol / 10;
  const correctness: Correctness = {
    maxAbs: relL2,
    relL2,
    ok: relL2 <= tol,
    tolerance: { relL2: tol, top1: 0.9 },
    ...(s.task !== undefined ? { task: { metric: 'top1-labels', value: s.task, samples: 200 } } : {}),
  };
  return {
    engine: s.engine,
    precision: s.precision as Measurement['precision'],
    batch,
    artifact: `model.${s.precision}.onnx`,
    device: 'cpu',
    settings: {},
    timing: 'wall clock',
    warmup: 3,
    samplesMs,
    stats,
    throughput: throughput(batch, stats),
    correctness,
    noise: noiseOf(samplesMs, stats),
  };
}

const bench = (...measurements: Measurement[]): BenchFile => ({
  schema: 2,
  createdAt: '2026-12-07T00:00:00Z',
  model: { name: 'model.onnx', inputs: [], sha256: '' },
  budget: { runs: 40, maxSeconds: 10, warmup: 3, warmupMaxSeconds: 2 },
  environment: { cpu: { model: 'x', cores: 2 }, os: 'linux', node: 'v20', versions: {} },
  measurements,
  skipped: [],
});

const decide = (d: Record<string, unknown> = {}) => decideConfig({ decide: d });
const only = (b: BenchFile, d = decide()) => recommend(b, d).batches[0]!;

test('a winner beyond the noise of both: chosen, runner-up and the sentence', () => {
  const v = only(
    bench(
      m({ engine: 'ort', precision: 'fp32', ms: 1, seed: 1 }),
      m({ engine: 'torch-eager', precision: 'fp32', ms: 20, seed: 2 }),
    ),
  );
  assert.deepEqual([v.chosen?.label, v.runnerUp?.label, v.withinNoise], ['ort fp32', 'torch-eager fp32', false]);
  assert.ok(v.chosen!.ci[1] < v.runnerUp!.ci[0], 'the intervals do not overlap');
  assert.match(
    v.sentence,
    new RegExp(
      String.raw`^Batch 1: ship ort fp32 \(p50 \d\.\d{2,3} ms\), \d+\.\d\d× faster than the runner-up ` +
        String.raw`torch-eager fp32 .* beyond the noise of both \(95 % intervals `,
    ),
  );
});

test('within the noise the higher precision is preferred, and the verdict says so', () => {
  const v = only(
    bench(
      m({ engine: 'ort', precision: 'fp16', ms: 1.0, jitter: 0.05, seed: 3 }),
      m({ engine: 'ort', precision: 'fp32', ms: 1.01, jitter: 0.05, seed: 4 }),
    ),
  );
  assert.ok(v.chosen!.p50 > v.runnerUp!.p50, 'the FP32 median is the slower one');
  assert.deepEqual([v.chosen?.label, v.runnerUp?.label, v.withinNoise], ['ort fp32', 'ort fp16', true]);
  assert.match(
    v.sentence,
    /is within the noise of it \(95 % intervals .* overlap\), so the higher precision is preferred\.$/,
  );
  assert.ok(precisionRank('fp32') > precisionRank('fp16') && precisionRank('fp16') > precisionRank('fp8'));
  assert.ok(precisionRank('fp8') > precisionRank('int8'), 'a float beats an integer type of the same width');
});

test('a noisy measurement is never the basis of the verdict, however fast', () => {
  const v = only(
    bench(
      m({ engine: 'ort', precision: 'fp16', ms: 0.5, tail: true, seed: 5 }),
      m({ engine: 'ort', precision: 'fp32', ms: 1, seed: 6 }),
    ),
  );
  assert.equal(v.chosen?.label, 'ort fp32');
  assert.equal(v.runnerUp, undefined);
  assert.match(v.excluded[0]!.why, /^noisy: p90 is [23]\.\d\d× p50/);
  assert.match(
    v.sentence,
    new RegExp(
      String.raw`the only engine within the accuracy budget and steady ` +
        String.raw`\(ort fp16 measured 0\.5\d\d ms but was noisy, so it was not considered\)\.$`,
    ),
  );
});

test('a noisy engine faster even in its slow runs withholds the verdict rather than ship a slower one', () => {
  // As on the H100's host CPU (docs/benchmarks/round3): ort fp32 at 28 ms with preempted runs, ort int8 at 180 ms.
  const v = only(
    bench(
      m({ engine: 'ort', precision: 'fp32', ms: 28, tail: true, seed: 7 }),
      m({ engine: 'ort', precision: 'int8', ms: 180, seed: 8 }),
    ),
  );
  assert.equal(v.chosen, undefined);
  assert.equal(v.runnerUp, undefined);
  assert.match(
    v.sentence,
    new RegExp(
      String.raw`^Batch 1: no recommendation — ort fp32 \(p50 2\d\.\d\d ms, p90 8\d\.\d\d ms\) beat the steadiest ` +
        String.raw`engine within budget, ort int8 \(p50 1\d\d ms\), even in their slow runs, .*quieter machine\.$`,
    ),
  );
});

test('over the error budget is left out; decide.rel_l2 sets the ceiling for any precision', () => {
  const fast = m({ engine: 'ort', precision: 'int8', ms: 0.4, relL2: 0.08, seed: 7 });
  const fp32 = m({ engine: 'ort', precision: 'fp32', ms: 1, seed: 8 });
  const strict = only(bench(fast, fp32));
  assert.equal(strict.chosen?.label, 'ort fp32');
  assert.deepEqual(strict.excluded, [{ label: 'ort int8', p50: fast.stats.p50, why: 'rel L2 8.0e-2 over 5.0e-2' }]);
  const loose = only(bench(fast, fp32), decide({ rel_l2: { int8: 0.1 } }));
  assert.deepEqual([loose.chosen?.label, loose.chosen?.ceiling, loose.withinNoise], ['ort int8', 0.1, false]);
  const tighter = only(bench(fast, fp32), decide({ rel_l2: { fp32: 1e-9, int8: 0.1 } }));
  assert.deepEqual([tighter.chosen?.label, tighter.excluded[0]?.label], ['ort int8', 'ort fp32']);
});

test('a task metric that drops more than decide.max_task_drop below FP32 is out of budget', () => {
  const fp32 = m({ engine: 'ort', precision: 'fp32', ms: 1, task: 0.95, seed: 9 });
  const int8 = m({ engine: 'ort', precision: 'int8', ms: 0.4, task: 0.9, seed: 10 });
  const v = only(bench(fp32, int8));
  assert.equal(v.chosen?.label, 'ort fp32');
  assert.equal(v.excluded[0]!.why, 'top1-labels 0.900, 0.050 below FP32 (max 0.01)');
  const lenient = only(bench(fp32, int8), decide({ max_task_drop: 0.06 }));
  assert.equal(lenient.chosen?.label, 'ort int8');
  assert.ok(Math.abs(lenient.chosen!.task!.drop - 0.05) < 1e-12);
});

test('nothing steady and in budget: no recommendation, with every reason', () => {
  const v = only(
    bench(
      m({ engine: 'ort', precision: 'fp32', ms: 1, tail: true, seed: 11 }),
      m({ engine: 'ort', precision: 'fp16', ms: 1, relL2: 0.5, seed: 12 }),
    ),
  );
  assert.equal(v.chosen, undefined);
  assert.match(
    v.sentence,
    new RegExp(
      String.raw`^Batch 1: no recommendation — .*\(ort fp32 noisy: p90 is .*, ` +
        String.raw`ort fp16 rel L2 5\.0e-1 over 1\.0e-2\); measure again on a quieter machine\.$`,
    ),
  );
  const batches = recommend(
    bench(
      m({ engine: 'ort', precision: 'fp32', ms: 1, seed: 13 }, 8),
      m({ engine: 'ort', precision: 'fp32', ms: 1, seed: 14 }, 1),
    ),
    decide(),
  ).batches;
  assert.deepEqual(
    batches.map((b) => b.batch),
    [1, 8],
    'one verdict per batch size, in order',
  );
});

test('on real measurements the verdict holds its own rule', async () => {
  const real = JSON.parse(await readFile(fromRoot('test', 'fixtures', 'gate', 'baseline.json'), 'utf8')) as BenchFile;
  const r = recommend(real, decide());
  assert.deepEqual(
    r.batches.map((b) => b.batch),
    [1, 4],
  );
  for (const b of r.batches) {
    const counted = (b.chosen ? 1 : 0) + (b.runnerUp ? 1 : 0) + b.excluded.length;
    assert.ok(counted <= real.measurements.filter((x) => x.batch === b.batch).length);
    for (const e of b.excluded) assert.ok(e.why.length > 0);
    if (!b.chosen) continue;
    const picked = real.measurements.find(
      (x) => x.batch === b.batch && `${x.engine} ${x.precision}` === b.chosen!.label,
    )!;
    assert.ok(!picked.noise?.noisy && picked.correctness!.relL2 <= b.chosen.ceiling, 'steady and in budget');
    if (b.runnerUp && !b.withinNoise) assert.ok(b.chosen.ci[1] < b.runnerUp.ci[0]);
    if (b.withinNoise) assert.ok(precisionRank(b.chosen.precision) >= precisionRank(b.runnerUp!.precision));
  }
});
