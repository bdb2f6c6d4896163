/**
 * The noise rule (measure/noise.ts) on constructed samples at each of its limits, and on a real
 * onnxruntime measurement with the machine's load and the calibration rounds recorded beside it.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalFloats } from '../../../onnx/random.js';
import { encodeModel } from '../../../onnx/serde.js';
import { startCalibrator } from '../../../measure/calibration.js';
import { drift, noiseOf, quantile } from '../../../measure/noise.js';
import { measureOrt } from '../../../ort/runner.js';
import { latencyStats } from '../../../measure/stats.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { loadCell } from '../../../stages/report/noise-text.js';
import { stageContext } from '../optimize/stage-context.js';

const judged = (samples: number[]) => noiseOf(samples, latencyStats(samples));
const steady = (n: number, seed: number) => Array.from(normalFloats(n, seed), (z) => 10 * (1 + 0.01 * z));

test('steady samples are not noisy; each rule trips on its own', () => {
  const calm = judged(steady(50, 1));
  assert.deepEqual([calm.noisy, calm.why], [false, []]);
  assert.ok(calm.p90OverP50! < 1.05 && calm.madOverP50 < 0.01 && Math.abs(calm.drift - 1) < 0.02);

  // Tail: 12 of 50 samples preempted to 3× (p90 lands among them); the median and the MAD barely move.
  const tail = steady(50, 2).map((x, i) => (i % 4 === 0 ? 3 * x : x));
  const t = judged(tail);
  assert.ok(t.noisy && t.why.length === 1 && /^p90 is 3\.\d\d× p50 \(limit 1\.5×\)$/.test(t.why[0]!), t.why.join());

  // Spread: every sample ±20 % around the median (uniform), no tail beyond 1.5×.
  const wide = Array.from({ length: 50 }, (_, i) => 10 * (0.8 + (0.4 * ((i * 37) % 50)) / 49));
  const w = judged(wide);
  assert.ok(w.noisy && w.why.some((y) => y.startsWith('median deviation')), w.why.join());
  assert.ok(!w.why.some((y) => y.startsWith('p90')));

  // Drift: the machine slowed by 40 % a third of the way in (a job started beside it).
  const rising = steady(60, 3).map((x, i) => (i >= 40 ? 1.4 * x : x));
  const r = judged(rising);
  assert.ok(Math.abs(drift(rising) - 1.4) < 0.05 && r.why.some((y) => y.startsWith("the last third's")), r.why.join());
  const falling = judged(steady(60, 4).map((x, i) => (i < 20 ? 1.4 * x : x)));
  assert.ok(falling.noisy, 'a level that falls moved too (warm-up not done)');

  // Below 10 samples p90 is not stated: max / p50 stands in with the 2× limit.
  const few = judged([10, 10.1, 9.9, 10, 25]);
  assert.equal(few.p90OverP50, null);
  assert.match(few.why.join(), /max is 2\.50× p50 \(limit 2× below 10 samples\)/);
  assert.equal(quantile([5, 1, 4, 2, 3], 0.1), 1, 'the p10 is a measured sample (index ⌊0.1·(n − 1)⌋)');
});

test('a real onnxruntime measurement records its load, CPU time and calibration rounds between samples', async () => {
  const { dir } = await stageContext({}, {}, {});
  const path = join(dir, 'model.onnx');
  await writeFile(path, encodeModel(buildMobileNetV2({ ...modelDefaults, width_mult: 0.25, input_size: 32 })));
  const calibrator = await startCalibrator(2);
  try {
    const x = Float32Array.from(normalFloats(3 * 32 * 32, 5));
    const budget = { runs: 12, maxMs: 60_000, minSamples: 12 };
    const run = await measureOrt({
      path,
      artifact: 'model.onnx',
      precision: 'fp32',
      batch: 1,
      feeds: { input: { type: 'float32', dims: [1, 3, 32, 32], data: x } },
      warmup: { runs: 2, maxMs: 60_000, minSamples: 1 },
      timed: budget,
      settings: { level: 'all', intraOpThreads: 1, interOpThreads: 1 },
      calibrator,
    });
    assert.ok(run.ok, run.ok ? '' : run.error.message);
    const load = run.value.measurement.load!;
    // Samples of well under a millisecond and rounds of a few: a round after the first sample, then only as the
    // samples add up to a round's length (sampling.ts), so fewer rounds than samples.
    const rounds = load.calibrationMs?.length ?? 0;
    assert.ok(rounds >= 1 && rounds < 12, `${rounds} rounds for 12 samples`);
    assert.equal(load.calibratedAround, 'samples');
    assert.ok(load.calibrationMs!.every((ms) => ms > 0));
    assert.ok(load.loadavg1.every((l) => l >= 0) && load.cpuMs! > 0 && load.wallMs! > 0);
    assert.match(loadCell(run.value.measurement), /^load \d+\.\d, CPU \d+\.\d × wall, calibration \d+\.\d ms$/);
  } finally {
    await calibrator.close();
  }
});
