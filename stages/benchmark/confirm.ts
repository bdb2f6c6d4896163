/**
 * A regression is confirmed before it fails the gate: every measurement the rule (baseline.ts) finds slower is
 * measured again, alone, up to CONFIRMATIONS times, each time with its own interleaved calibration; it stands
 * only if every re-measurement is slower too. A burst of load that hit one measurement passes on the next; a
 * real slowdown is slower every time. A correctness failure is not re-measured: outputs do not depend on load.
 */
import { compareOne, compareWithBaseline, measurementKey, type Comparison, type GateResult } from './baseline.js';
import type { BenchConfig } from '../../measure/config.js';
import type { EngineName } from '../../measure/kit.js';
import type { BaselineVerdict, BenchFile, Measurement } from '../../measure/result.js';

export const CONFIRMATIONS = 2;

/** The config that measures exactly these measurements' engines, precisions and batch sizes again. */
export function narrowed(config: BenchConfig, ms: readonly Measurement[]): BenchConfig {
  const batches = [...new Set(ms.map((m) => m.batch))];
  return {
    ...config,
    engines: [...new Set(ms.map((m) => m.engine as EngineName))],
    precisions: [...new Set(ms.map((m) => m.precision))],
    batch_sizes: batches,
    ort: { ...config.ort, batch_sizes: batches },
  };
}

/** Runs the benchmark again under a config; undefined when it could not. */
export type Remeasure = (config: BenchConfig) => Promise<BenchFile | undefined>;

export async function confirmedGate(
  current: BenchFile,
  baseline: BenchFile,
  remeasure: Remeasure,
  config: BenchConfig,
): Promise<{ gate: GateResult; record: Omit<BaselineVerdict, 'file'> }> {
  const first = compareWithBaseline(current, baseline);
  const base = new Map(baseline.measurements.map((m) => [measurementKey(m), m]));
  const now = new Map(current.measurements.map((m) => [measurementKey(m), m]));
  const again = new Map<string, number[]>();
  let pending = first.regressions.filter((c) => c.ratio > 1 + c.allowed).map((c) => c.key);
  for (let i = 0; i < CONFIRMATIONS && pending.length > 0; i++) {
    const rerun = await remeasure(
      narrowed(
        config,
        pending.map((k) => now.get(k)!),
      ),
    );
    if (!rerun) break;
    const fresh = new Map(rerun.measurements.map((m) => [measurementKey(m), m]));
    pending = pending.filter((key) => {
      const m = fresh.get(key);
      if (!m) return true;
      const c = compareOne(m, base.get(key)!);
      again.set(key, [...(again.get(key) ?? []), c.ratio]);
      return c.regression;
    });
  }
  const compared = first.compared.map((c): Comparison => {
    const ratios = again.get(c.key);
    if (!ratios) return c;
    const cleared = !pending.includes(c.key) && !c.broke;
    return { ...c, again: ratios, ...(cleared ? { regression: false } : {}) };
  });
  const regressions = compared.filter((c) => c.regression);
  const gate = { ok: regressions.length === 0, compared, regressions, missing: first.missing };
  const record = {
    ok: gate.ok,
    regressions: regressions.map((r) => `${r.key}: ${r.reason ?? ''}${againText(r)}`),
    compared: compared.length,
    missing: gate.missing,
    judged: compared.map((c) => ({
      key: c.key,
      ratio: c.ratio,
      allowed: 1 + c.allowed,
      ...(c.again ? { again: c.again } : {}),
    })),
  };
  return { gate, record };
}

const againText = (c: Comparison): string =>
  c.again ? `; measured again: ${c.again.map((r) => `${r.toFixed(2)}×`).join(', ')}` : '';
