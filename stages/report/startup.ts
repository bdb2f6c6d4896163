/**
 * What starting a compiled engine costs, beside its steady-state figures: torch.compile's cold compile (the
 * engine build, engine:torch-compile:*) against the benchmark's warm one (the engine's cache loaded first),
 * and the AOTInductor package's load (engine:torch-aoti:*, no compile at all).
 */
import type { BenchFile, Measurement } from '../../measure/result.js';
import { seriesName } from './series.js';
import type { Table } from './tables.js';

const num = (m: Measurement, key: string): number | undefined => {
  const v = m.settings[key];
  return typeof v === 'number' ? v : undefined;
};
const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** How a torch.compile start went: from the engine (with its compiled libraries or not) or cold, and why. */
function compileStart(m: Measurement): string {
  const cache = m.settings['compileCache'];
  if (cache === undefined) return 'compiled cold (no engine)';
  if (cache !== 'loaded') return `compiled cold: ${String(cache)}`;
  const binaries = m.settings['compileBinaries'];
  if (typeof binaries === 'number') return `engine loaded with its ${binaries} compiled libraries, then compiled warm`;
  return binaries === undefined
    ? 'engine loaded, then compiled warm'
    : `engine loaded, then compiled warm; ${String(binaries)}`;
}

function row(m: Measurement): string[] {
  const [cold, warm] = [num(m, 'coldCompileMs'), num(m, 'compileMs')];
  const load = num(m, 'aotiLoadMs') ?? num(m, 'cacheLoadMs');
  const how = m.engine === 'torch-aoti' ? 'package loaded, no compile' : compileStart(m);
  const faster = cold !== undefined && warm ? `${(cold / warm).toFixed(1)}×` : '–';
  return [seriesName(m), String(m.batch), seconds(cold), seconds(warm), faster, seconds(load), how];
}

export function startupTable(bench: BenchFile): Table {
  const started = bench.measurements.filter(
    (m) => num(m, 'compileMs') !== undefined || num(m, 'aotiLoadMs') !== undefined,
  );
  return {
    title: 'Start-up of the compiled engines: cold compile (engine build) vs warm start (benchmark), load time',
    head: ['engine', 'batch', 'cold compile', 'warm compile', 'warm vs cold', 'engine load', 'how it started'],
    align: 'lrrrrrl',
    rows: started.map(row),
    empty: 'No compiled engine was measured.',
  };
}
