/** A measurement's noise verdict and the machine's load while it ran, as the ranking's cells say them. */
import type { Measurement } from '../../measure/result.js';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/** `noisy (p90 is 7.00× p50 …)`, `steady`, or `not judged` for a bench.json written before the rule. */
export const noiseCell = (m: Measurement): string =>
  !m.noise ? 'not judged' : m.noise.noisy ? `noisy (${m.noise.why.join('; ')})` : 'steady';

/** `load 2.1, CPU 1.9 × wall, calibration 7.2 ms`. */
export function loadCell(m: Measurement): string {
  const l = m.load;
  if (!l) return 'not recorded';
  const avg = Math.max(...l.loadavg1).toFixed(1);
  const cpu = l.cpuMs !== undefined && l.wallMs ? `, CPU ${(l.cpuMs / l.wallMs).toFixed(1)} × wall` : '';
  const cal = l.calibrationMs?.length ? `, calibration ${median(l.calibrationMs).toFixed(1)} ms` : '';
  return `load ${avg}${cpu}${cal}`;
}
