/** The regression gate (stages/benchmark/baseline.ts, bench/gate.ts), correctness flags and the stats rules. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalFloats } from '../../../onnx/random.js';
import { exec } from '../../../pipeline/exec.js';
import { compareWithBaseline, spreadMs } from '../../../stages/benchmark/baseline.js';
import { benchConfig } from '../../../stages/benchmark/config.js';
import { judge } from '../../../stages/benchmark/correctness.js';
import type { BenchFile, Measurement } from '../../../stages/benchmark/result.js';
import { latencyStats, throughput } from '../../../stages/benchmark/stats.js';
import { fromRoot } from '../../repo-root.js';

/** Seeded latencies around `center` ms with a relative jitter, as a real timing loop gives. */
function measurement(center: number, jitter: number, seed: number, engine = 'ort'): Measurement {
  const samplesMs = Array.from(normalFloats(100, seed), (z) => center * (1 + jitter * z));
  const stats = latencyStats(samplesMs);
  return {
    engine,
    precision: 'fp32',
    batch: 1,
    artifact: 'model.opt.onnx',
    device: 'cpu',
    settings: { threads: 4 },
    timing: 'wall clock',
    warmup: 5,
    samplesMs,
    stats,
    throughput: throughput(1, stats),
  };
}
const file = (...measurements: Measurement[]): BenchFile => ({
  schema: 2,
  createdAt: '2026-11-25T00:00:00Z',
  model: { name: 'model.opt.onnx', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 32, 32] }], sha256: '' },
  budget: { runs: 50, maxSeconds: 10, warmup: 5, warmupMaxSeconds: 2 },
  environment: { cpu: { model: 'x', cores: 1 }, os: 'linux', node: 'v20', versions: {} },
  measurements,
  skipped: [],
});

test('percentiles are stated only with enough samples; spread and throughput follow the stated rules', () => {
  const s9 = latencyStats([5, 1, 2, 3, 4, 6, 7, 8, 9]);
  assert.equal(s9.p50, 5);
  assert.equal(s9.p90, null, 'p90 needs 10 samples');
  const s20 = latencyStats(Array.from({ length: 20 }, (_, i) => i + 1));
  // trtexec's rule: the sorted sample at index n − 1 − trunc((1 − p/100)·n).
  assert.equal(s20.p90, 18);
  assert.equal(s20.p95, 19);
  assert.equal(s20.p99, null, 'p99 needs 100 samples');
  assert.equal(spreadMs(s20), Math.max(18 - s20.p50, s20.p50 - 1));
  assert.equal(throughput(8, s20), 8000 / s20.mean);
});

test('a repeat within the spread passes; a slowdown beyond it, or a correctness break, fails', () => {
  const base = measurement(10, 0.02, 1);
  assert.ok(compareWithBaseline(file(measurement(10, 0.02, 2)), file(base)).ok, 'same distribution, new seed');
  const slower = compareWithBaseline(file(measurement(11, 0.02, 3)), file(base));
  assert.ok(!slower.ok);
  assert.equal(slower.regressions.length, 1);
  assert.match(slower.regressions[0]!.reason ?? '', /ms slower/);
  // A faster run is never a regression.
  assert.ok(compareWithBaseline(file(measurement(8, 0.02, 4)), file(base)).ok);
  // Noisy runs widen the allowance: a 10 % slowdown inside a ±20 % jitter is not called.
  assert.ok(compareWithBaseline(file(measurement(11, 0.2, 5)), file(measurement(10, 0.2, 6))).ok);
  // The relative floor: a 1 % drift on a razor-thin distribution is noise between machine starts.
  const thin = measurement(10, 0.0001, 7);
  assert.ok(compareWithBaseline(file(measurement(10.1, 0.0001, 8)), file(thin)).ok);
  assert.ok(!compareWithBaseline(file(measurement(10.1, 0.0001, 8)), file(thin), { minRelative: 0 }).ok);

  const right = {
    ...base,
    correctness: { maxAbs: 0, relL2: 0, top1: 1, ok: true, tolerance: { relL2: 1e-4, top1: 0.99 } },
  };
  const wrong = {
    ...measurement(10, 0.02, 9),
    correctness: { maxAbs: 1, relL2: 0.5, top1: 0.1, ok: false, tolerance: { relL2: 1e-4, top1: 0.99 } },
  };
  const broke = compareWithBaseline(file(wrong), file(right));
  assert.ok(!broke.ok);
  assert.match(broke.regressions[0]!.reason ?? '', /no longer within tolerance/);

  const missing = compareWithBaseline(file(), file(base));
  assert.ok(missing.ok);
  assert.equal(missing.missing.length, 1);
});

test('fast and wrong is flagged: FP32 and FP16 tolerances', () => {
  const t = benchConfig({}).tolerance;
  const ref = normalFloats(4 * 10, 11);
  const noisy = (rel: number) =>
    Float32Array.from(ref, (v, i) => v + rel * (normalFloats(ref.length, 12)[i] as number));
  assert.ok(judge(noisy(1e-6), ref, [4, 10], 'fp32', t).ok);
  const off = judge(noisy(1e-3), ref, [4, 10], 'fp32', t);
  assert.ok(!off.ok, 'TF32-sized error is not FP32');
  assert.ok(judge(noisy(1e-3), ref, [4, 10], 'fp16', t).ok, 'but is fine for FP16');
  const broken = judge(normalFloats(40, 13), ref, [4, 10], 'fp16', t);
  assert.ok(!broken.ok);
  assert.ok(broken.top1 !== undefined && broken.top1 < 0.9);
  const map = judge(noisy(1e-6), ref, [4, 1, 10], 'fp32', t);
  assert.ok(
    map.ok && map.top1 === undefined,
    'an output that is not [batch, classes] has no top-1, only rel L2 and max abs',
  );
  assert.ok(map.maxAbs > 0 && map.maxAbs < 1e-4);
  // A detector's map on noise: the reference is ~1e-7 everywhere, the engine's rounding differs by 1e-8.
  const tiny = Float32Array.from(ref, (v) => v * 1e-7);
  const tinyOff = Float32Array.from(tiny, (v, i) => v + 1e-8 * (normalFloats(ref.length, 14)[i] as number));
  const z = judge(tinyOff, tiny, [4, 1, 10], 'fp32', t);
  assert.ok(z.relL2 > 1e-2 && z.ok && z.zeroReference, 'an all-zero reference is judged by max abs, and says so');
  assert.ok(
    !judge(
      Float32Array.from(tiny, () => 0.5),
      tiny,
      [4, 1, 10],
      'fp32',
      t,
    ).ok,
    'but a real difference still fails',
  );
  assert.ok(
    !judge(
      Float32Array.from(ref, () => Number.NaN),
      ref,
      [4, 10],
      'fp16',
      t,
    ).ok,
    'NaN never agrees',
  );
});

test('bench/gate.ts exits 0 on agreement, 1 on a regression, 2 on a bad file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-gate-'));
  const base = join(dir, 'base.json'),
    same = join(dir, 'same.json'),
    slow = join(dir, 'slow.json'),
    bad = join(dir, 'bad.json');
  await writeFile(base, JSON.stringify(file(measurement(10, 0.02, 1))));
  await writeFile(same, JSON.stringify(file(measurement(10, 0.02, 2))));
  await writeFile(slow, JSON.stringify(file(measurement(12, 0.02, 3))));
  await writeFile(bad, 'not json');
  const gate = (current: string) =>
    exec(process.execPath, ['--import', 'tsx', fromRoot('bench/gate.ts'), current, '--baseline', base], {
      cwd: fromRoot('.'),
    });
  const ok = await gate(same);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /0 regression\(s\) in 1 compared/);
  const regressed = await gate(slow);
  assert.equal(regressed.exitCode, 1);
  assert.match(regressed.stdout, /^REGRESSION ort fp32 b1/m);
  const refused = await gate(bad);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /bad\.json is not JSON/);
});
