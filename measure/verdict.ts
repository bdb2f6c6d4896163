/**
 * The verdict: which engine and precision to ship, per batch size, written into bench.json as
 * `recommendation`. The rule, stated in bench.json too (RULE):
 *
 * 1. Candidates are the measurements that are within the accuracy budget (decide-config.ts: the precision's
 *    relative-L2 ceiling, the benchmark's top-1 floor, and the task metric's maximum drop where there is one)
 *    and steady (not noisy, noise.ts). The rest are listed with why they were left out.
 * 2. Each candidate's p50 gets a bootstrap confidence interval of the median (bootstrap.ts).
 * 3. The fastest candidate wins outright when its interval lies wholly below every other candidate's (no
 *    overlap: it beats the runner-up by more than the noise of both). Otherwise the candidates whose intervals
 *    overlap the fastest's are within noise of it: the verdict says so and picks the highest precision among
 *    them (fp32 over fp16 over int8; the fastest of that precision), the fastest of the others being the
 *    runner-up.
 * 4. A noisy measurement within budget whose p90 still lies below the winner's interval is faster even in its
 *    slow runs: the noise hid a better engine rather than a luckier one, so the verdict is withheld and the
 *    sentence says to measure again on a quieter machine (shipping the steady but slower engine would be wrong).
 */
import { medianCI } from './bootstrap.js';
import type { DecideConfig } from './decide-config.js';
import type { BenchFile, Measurement } from './result.js';

export const RULE =
  'Per batch size: among measurements within the accuracy budget (decide.rel_l2 per precision, else ' +
  "bench.tolerance; the benchmark's top-1 floor; decide.max_task_drop below the best FP32 task metric) and not " +
  'noisy, the fastest p50 wins when its bootstrap confidence interval of the median lies wholly below every ' +
  "other's; when intervals overlap, the verdict is within noise and the highest precision among them is chosen; " +
  "a noisy measurement in budget whose p90 lies below the winner's interval withholds the verdict.";

export interface Candidate {
  engine: string;
  precision: string;
  /** `ort fp32`, with the settings that tell it apart where one engine and precision was measured twice. */
  label: string;
  artifact: string;
  p50: number;
  /** The bootstrap confidence interval of the median, ms. */
  ci: [number, number];
  /** The error judged against the budget: relative L2, or max abs where the reference is all zero. */
  error: number;
  errorKind: 'relL2' | 'maxAbs';
  ceiling: number;
  task?: { metric: string; value: number; drop: number };
}

export interface BatchVerdict {
  batch: number;
  chosen?: Candidate;
  runnerUp?: Candidate;
  /** The chosen one's interval overlaps another candidate's: not faster beyond the noise. */
  withinNoise: boolean;
  /** What was measured and left out, and why. */
  excluded: { label: string; p50: number; why: string }[];
  sentence: string;
}

export interface Recommendation {
  rule: string;
  confidence: number;
  batches: BatchVerdict[];
}

/** Bits of a precision's name (fp32 → 32, int8 → 8); a float beats an integer type of the same width. */
export function precisionRank(p: string): number {
  const bits = Number(/\d+/.exec(p)?.[0] ?? 0);
  return bits * 2 + (p.startsWith('int') || p.startsWith('uint') ? 0 : 1);
}

const labelOf = (m: Measurement, all: readonly Measurement[]): string => {
  const base = `${m.engine} ${m.precision}`;
  const twins = all.filter((o) => o.engine === m.engine && o.precision === m.precision && o.batch === m.batch);
  if (twins.length < 2) return base;
  const s = Object.entries(m.settings).filter(([k]) => twins.some((t) => t.settings[k] !== m.settings[k]));
  return `${base} (${s.map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
};

/** Why a measurement is not a candidate, or its candidate figures. */
function judgeOne(m: Measurement, batch: readonly Measurement[], c: DecideConfig): Candidate | string {
  const k = m.correctness;
  if (!k) return 'no correctness check';
  const ceiling = c.rel_l2[m.precision] ?? k.tolerance.relL2;
  const errorKind = k.zeroReference ? 'maxAbs' : 'relL2';
  const error = k.zeroReference ? k.maxAbs : k.relL2;
  const e = (x: number) => x.toExponential(1);
  if (!(error <= ceiling)) return `${errorKind === 'relL2' ? 'rel L2' : 'max abs'} ${e(error)} over ${e(ceiling)}`;
  if (k.top1 !== undefined && k.top1 < k.tolerance.top1)
    return `top-1 ${(100 * k.top1).toFixed(0)} % under ${(100 * k.tolerance.top1).toFixed(0)} %`;
  let task: Candidate['task'];
  if (k.task) {
    const peers = batch.filter((o) => o.precision === 'fp32' && o.correctness?.task?.metric === k.task!.metric);
    const best = Math.max(k.task.value, ...peers.map((o) => o.correctness!.task!.value));
    task = { metric: k.task.metric, value: k.task.value, drop: best - k.task.value };
    if (task.drop > c.max_task_drop)
      return `${k.task.metric} ${k.task.value.toFixed(3)}, ${task.drop.toFixed(3)} below FP32 (max ${c.max_task_drop})`;
  }
  if (m.noise?.noisy) return `noisy: ${m.noise.why.join('; ')}`;
  const ci = m.samplesMs.length > 0 ? medianCI(m.samplesMs, c.confidence, c.resamples) : [m.stats.p50, m.stats.p50];
  return {
    engine: m.engine,
    precision: m.precision,
    label: labelOf(m, batch),
    artifact: m.artifact,
    p50: m.stats.p50,
    ci: ci as [number, number],
    error,
    errorKind,
    ceiling,
    task,
  };
}

const overlaps = (a: Candidate, b: Candidate): boolean => a.ci[0] <= b.ci[1] && b.ci[0] <= a.ci[1];

/** The winner and runner-up among steady, in-budget candidates (step 3 of the rule). */
export function choose(candidates: readonly Candidate[]): Pick<BatchVerdict, 'chosen' | 'runnerUp' | 'withinNoise'> {
  const byP50 = [...candidates].sort((a, b) => a.p50 - b.p50);
  const fastest = byP50[0];
  if (!fastest) return { withinNoise: false };
  const tied = byP50.filter((c) => overlaps(c, fastest));
  if (tied.length === 1) return { chosen: fastest, runnerUp: byP50[1], withinNoise: false };
  const chosen = [...tied].sort((a, b) => precisionRank(b.precision) - precisionRank(a.precision) || a.p50 - b.p50)[0]!;
  const runnerUp = byP50.find((c) => c !== chosen)!;
  return { chosen, runnerUp, withinNoise: true };
}

export function recommend(bench: BenchFile, c: DecideConfig): Recommendation {
  const batches = [...new Set(bench.measurements.map((m) => m.batch))].sort((a, b) => a - b);
  return {
    rule: RULE,
    confidence: c.confidence,
    batches: batches.map((batch) => {
      const here = bench.measurements.filter((m) => m.batch === batch);
      const candidates: Candidate[] = [];
      const excluded: BatchVerdict['excluded'] = [];
      const noisy: Measurement[] = [];
      for (const m of here) {
        const j = judgeOne(m, here, c);
        if (typeof j === 'string') excluded.push({ label: labelOf(m, here), p50: m.stats.p50, why: j });
        else candidates.push(j);
        if (typeof j === 'string' && j.startsWith('noisy')) noisy.push(m);
      }
      const picked = choose(candidates);
      const chosen = picked.chosen;
      const hidden = chosen ? noisy.filter((m) => (m.stats.p90 ?? Infinity) < chosen.ci[0]) : [];
      if (chosen && hidden.length > 0)
        return { batch, withinNoise: false, excluded, sentence: withheld(batch, chosen, hidden, here) };
      return { batch, ...picked, excluded, sentence: sentence(batch, picked, excluded, c.confidence) };
    }),
  };
}

const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const interval = (c: Candidate): string => `${ms(c.ci[0])}–${ms(c.ci[1])} ms`;

/** The verdict in one sentence, as the report opens with it. */
export function sentence(
  batch: number,
  p: Pick<BatchVerdict, 'chosen' | 'runnerUp' | 'withinNoise'>,
  excluded: BatchVerdict['excluded'],
  confidence: number,
): string {
  const { chosen, runnerUp } = p;
  const faster = chosen ? excluded.filter((e) => e.p50 < chosen.p50 && e.why.startsWith('noisy')) : [];
  const said = faster.map((f) => `${f.label} measured ${ms(f.p50)} ms but was noisy`).join('; ');
  const aside = faster.length ? ` (${said}, so it was not considered)` : '';
  if (!chosen) {
    const why = excluded.map((e) => `${e.label} ${e.why.split('; ')[0]!}`).join(', ');
    const fix = excluded.some((e) => e.why.startsWith('noisy')) ? '; measure again on a quieter machine' : '';
    return (
      `Batch ${batch}: no recommendation — no measurement is both within the accuracy budget and steady ` +
      `(${why || 'none measured'})${fix}.`
    );
  }
  const head = `Batch ${batch}: ship ${chosen.label} (p50 ${ms(chosen.p50)} ms)`;
  const pct = `${Math.round(confidence * 100)} %`;
  if (!runnerUp) return `${head}, the only engine within the accuracy budget and steady${aside}.`;
  if (p.withinNoise)
    return (
      `${head}: ${runnerUp.label} (${ms(runnerUp.p50)} ms) is within the noise of it (${pct} intervals ` +
      `${interval(chosen)} and ${interval(runnerUp)} overlap), so the higher precision is preferred${aside}.`
    );
  const x = runnerUp.p50 / chosen.p50;
  return (
    `${head}, ${x.toFixed(2)}× faster than the runner-up ${runnerUp.label} (${ms(runnerUp.p50)} ms) beyond the ` +
    `noise of both (${pct} intervals ${interval(chosen)} and ${interval(runnerUp)})${aside}.`
  );
}

/** Rule 4's sentence: which noisy engines beat the steady winner even in their slow runs. */
function withheld(batch: number, steady: Candidate, hidden: readonly Measurement[], all: readonly Measurement[]) {
  const faster = hidden.map((m) => `${labelOf(m, all)} (p50 ${ms(m.stats.p50)} ms, p90 ${ms(m.stats.p90 ?? NaN)} ms)`);
  return (
    `Batch ${batch}: no recommendation — ${faster.join(' and ')} beat the steadiest engine within budget, ` +
    `${steady.label} (p50 ${ms(steady.p50)} ms), even in their slow runs, but their timings were too noisy to ` +
    `ship on; measure again on a quieter machine.`
  );
}
