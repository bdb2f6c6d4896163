/**
 * The regression gate (stages/benchmark/baseline.ts, bench/gate.ts) on seeded latencies and in the benchmark
 * stage on a real small MobileNetV2, correctness flags and the stats rules.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { normalFloats } from '../../../onnx/random.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { compareWithBaseline, MIN_RELATIVE, spreadMs } from '../../../stages/benchmark/baseline.js';
import { decideConfig } from '../../../measure/decide-config.js';
import { judge } from '../../../stages/benchmark/correctness.js';
import benchmark from '../../../stages/benchmark/index.js';
import type { BenchFile, Measurement } from '../../../measure/result.js';
import { latencyStats, throughput } from '../../../measure/stats.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { defaults as optimizeDefaults } from '../../../stages/optimize/config.js';
import { passesByName } from '../../../stages/optimize/passes/index.js';
import { fromRoot } from '../../repo-root.js';
import { stageContext } from '../optimize/stage-context.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

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
  const slower = compareWithBaseline(file(measurement(12, 0.02, 3)), file(base));
  assert.ok(!slower.ok);
  assert.equal(slower.regressions.length, 1);
  assert.match(
    slower.regressions[0]!.reason ?? '',
    /\(no calibration in both files: raw\): 1\.\d\d× the baseline, allowed 1\.\d\d×/,
  );
  const expected = Math.max(2 * (spreadMs(base.stats) / base.stats.p50), MIN_RELATIVE);
  assert.equal(slower.compared[0]!.allowed, expected, "without calibration the allowance is the baseline's alone");
  // A faster run is never a regression.
  assert.ok(compareWithBaseline(file(measurement(8, 0.02, 4)), file(base)).ok);
  // A noisy baseline widens the allowance: a 10 % slowdown inside its ±20 % jitter is not called.
  assert.ok(compareWithBaseline(file(measurement(11, 0.2, 5)), file(measurement(10, 0.2, 6))).ok);
  // The relative floor: a 5 % drift on a razor-thin distribution is noise between runs; 15 % is not.
  const thin = measurement(10, 0.0001, 7);
  assert.ok(compareWithBaseline(file(measurement(10.5, 0.0001, 8)), file(thin)).ok);
  assert.ok(!compareWithBaseline(file(measurement(11.5, 0.0001, 8)), file(thin)).ok);

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

test("a slow, noisy run does not excuse itself: the allowance is the baseline's spread alone", () => {
  const quiet = measurement(10, 0.02, 21);
  // Load only ever adds time: a 30 % slower engine whose samples are preempted by up to +100 %.
  const tail = Array.from(normalFloats(100, 22), (z) => 13 * (1 + 0.4 * Math.abs(z)));
  const loud = { ...measurement(13, 0, 22), samplesMs: tail, stats: latencyStats(tail) };
  const noisy = compareWithBaseline(file(loud), file(quiet));
  assert.ok(!noisy.ok, 'a 30 % slowdown inside its own ±40 % jitter is still a regression');
  assert.equal(noisy.compared[0]!.allowed, Math.max(2 * (spreadMs(quiet.stats) / quiet.stats.p50), MIN_RELATIVE));
  assert.ok(spreadMs(loud.stats) > 3, "the slow run's own spread would have excused it");
});

test('a p10 that more than doubles is a regression however noisy the baseline', () => {
  // A baseline whose tail is wider than its median (p90 > 2 × p50), as preempted samples make it on a loaded
  // machine: 2 × its spread alone would excuse a 3× slowdown.
  const tail = Array.from(normalFloats(100, 31), (z, i) => (i % 4 === 0 ? 30 : 10 * (1 + 0.01 * z)));
  const wide = { ...measurement(10, 0, 32), samplesMs: tail, stats: latencyStats(tail) };
  assert.ok(2 * spreadMs(wide.stats) > 2 * wide.stats.p50, `spread ${spreadMs(wide.stats)} ms`);
  const tripled = compareWithBaseline(file(measurement(30, 0.02, 33)), file(wide));
  assert.ok(!tripled.ok, 'a planted 3× slowdown is caught');
  assert.equal(tripled.compared[0]!.allowed, 1, 'the allowance stops at 100 % of the baseline p50');
  assert.ok(
    compareWithBaseline(file(measurement(19, 0.02, 34)), file(wide)).ok,
    'less than double: the tail allows it',
  );
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
  const base = join(dir, 'base.json');
  const same = join(dir, 'same.json');
  const slow = join(dir, 'slow.json');
  const bad = join(dir, 'bad.json');
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

const models = { model: '', source: '', check_data: {} };
before(async () => {
  const { dir } = await stageContext({}, {}, {});
  const raw = buildMobileNetV2({ ...modelDefaults, width_mult: 0.25, input_size: 32, num_classes: 10 });
  models.source = join(dir, 'model.onnx');
  models.model = join(dir, 'model.opt.onnx');
  await writeFile(models.source, encodeModel(raw));
  await writeFile(models.model, encodeModel(runPasses(raw, await passesByName(optimizeDefaults.passes)).model));
});

/** One run of the benchmark stage (ORT FP32, batch 1, one thread), against `baseline` when given. */
async function stageRun(baseline?: string) {
  const bench = { warmup: 5, runs: 50, batch_sizes: [1], engines: ['ort'], precisions: ['fp32'] };
  const root = { bench: { ...bench, ort: { intra_op_threads: 1 } } };
  const config = { bench: benchConfig(root), model: {}, ...kitSections({}), decide: decideConfig({}) };
  const s = await stageContext(config, models, benchmark.outputs);
  const ran = await benchmark.run({ ...s.ctx, options: { baseline } });
  return { ran, out: s.ctx.out('bench'), regressed: s.ctx.persistent('bench.regressed.json') };
}

/** A stage run against `baselineFile`, checked to give exactly the rule's verdict, recorded in bench.json. */
async function gated(baselineFile: string): Promise<{ ok: boolean; message: string; figures: string }> {
  const run = await stageRun(baselineFile);
  const current = JSON.parse(await readFile(run.ran.ok ? run.out : run.regressed, 'utf8')) as BenchFile;
  const rule = compareWithBaseline(current, JSON.parse(await readFile(baselineFile, 'utf8')) as BenchFile);
  assert.equal(rule.compared.length, 1);
  // The stage fails only where the rule finds a regression, and then only if re-measuring confirmed it.
  if (rule.ok) assert.ok(run.ran.ok, 'no regression by the rule: the stage passes');
  const judged = current.baseline?.judged?.[0];
  assert.equal(judged?.ratio, rule.compared[0]!.ratio, 'bench.json records the ratio the rule judged');
  if (!rule.ok) assert.equal(run.ran.ok, !judged?.again?.every((r) => r > judged.allowed), 'confirmation decides');
  assert.equal(current.baseline?.ok, run.ran.ok);
  const c = rule.compared[0]!;
  const [was, now] = [c.baselineP50.toFixed(3), c.currentP50.toFixed(3)];
  const again = judged?.again ? `, again ${judged.again.map((r) => r.toFixed(2)).join('/')}` : '';
  const figures = `p50 ${was} -> ${now} ms, ratio ${c.ratio.toFixed(2)} allowed ${(1 + c.allowed).toFixed(2)}${again}`;
  if (run.ran.ok) return { ok: true, message: '', figures };
  assert.ok(run.ran.error.details?.some((d) => d.includes('bench.regressed.json')));
  return { ok: false, message: run.ran.error.message, figures };
}

test('the stage fails on a planted 5× slowdown and passes a repeat of a baseline taken just before', async (t) => {
  const tried: string[] = [];
  // The process's first measurement runs slow (one-time costs of a first session): measured once and dropped.
  assert.ok((await stageRun()).ran.ok);
  // Two runs a fraction of a second apart can still straddle a burst of load on a shared machine, so the whole
  // scenario gets three attempts and must hold in one of them; each attempt's figures go to the diagnostics.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const first = await stageRun();
    assert.ok(first.ran.ok, first.ran.ok ? '' : first.ran.error.message);
    const measured = JSON.parse(await readFile(first.out, 'utf8')) as BenchFile;
    // The same measurement with every latency a fifth of what this machine took: now is 5× slower than that.
    // (3× left too little room over the allowed 2× for a 0.1 ms model re-measured while the suite runs beside
    // it: a confirmation once came out at 1.44×.)
    const fifth: BenchFile = structuredClone(measured);
    for (const m of fifth.measurements) {
      m.samplesMs = m.samplesMs.map((x) => x / 5);
      m.stats = latencyStats(m.samplesMs);
    }
    const planted = join(first.out, '..', 'planted.json');
    await writeFile(planted, JSON.stringify(fifth));
    const slow = await gated(planted);
    const repeat = await gated(first.out);
    t.diagnostic(`attempt ${attempt}: planted 5× ${slow.figures}; repeat ${repeat.figures}`);
    tried.push(`planted ${slow.ok ? 'passed' : 'failed'}, repeat ${repeat.ok ? 'passed' : 'failed'}`);
    if (slow.ok || !repeat.ok) continue;
    assert.match(slow.message, /^1 of 1 measurements regressed against .*planted\.json, confirmed by measuring again$/);
    return;
  }
  assert.fail(`the gate never failed the planted 5× slowdown while passing the repeat: ${tried.join('; ')}`);
});

test('--baseline with a file that is not a bench.json is refused in one line', async () => {
  const bad = join(await mkdtemp(join(tmpdir(), 'ef-gate-')), 'not-bench.json');
  await writeFile(bad, '{"hello": 1}');
  const refused = (await stageRun(bad)).ran;
  assert.ok(!refused.ok);
  assert.match(refused.error.message, /^--baseline: .*not-bench\.json is not a bench\.json/);
});
