/**
 * `make bench-import`: import + validate + optimize of a ~10 MB real model in process, as the stages do them:
 *   import    read the file, hash its bytes (the cache key), decode;
 *   validate  the validator;
 *   optimize  the pass list, the validator on its result, the numeric check on the model's check data
 *             (two onnxruntime-node sessions), encode and write model.opt.onnx.
 * Target ≤ 1.5 s in all. The first run is printed apart (cold: module loading, first-touch memory), then the
 * median of `--runs` (default 5).
 * usage: node dist/bench/import.js [--model ppocr_v4_rec] [--runs N]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel, writeModelFile } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaults } from '../stages/optimize/config.js';
import { optimizeModel } from '../stages/optimize/optimize-model.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { fromRoot } from '../test/repo-root.js';
import { checkInputs } from './corpus-proof.js';

const { values: args } = parseArgs({
  options: { model: { type: 'string', default: 'ppocr_v4_rec' }, runs: { type: 'string', default: '5' } },
});
const file = fromRoot('.cache/models', `${args.model}.onnx`);
const dir = await mkdtemp(join(tmpdir(), 'ef-bench-import-'));
const passes = await passesByName(defaultPasses);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function once(): Promise<[number, number, number]> {
  const t0 = performance.now();
  const bytes = await readFile(file);
  createHash('sha256').update(bytes).digest('hex');
  const decoded = decodeModel(bytes);
  if (!decoded.ok) throw new Error(`${file}: ${decoded.error}`);
  const t1 = performance.now();
  if (!validateModel(decoded.value).ok) throw new Error(`${file} does not validate`);
  const t2 = performance.now();
  const inputs = await checkInputs(args.model, decoded.value);
  if (!inputs.ok) throw new Error(inputs.error);
  const options = { feeds: inputs.value.feeds, originalBytes: bytes };
  const optimized = await optimizeModel(decoded.value, passes, defaults, options);
  if (!optimized.ok) throw new Error(optimized.error.message);
  await writeModelFile(join(dir, 'model.opt.onnx'), optimized.value.run.model);
  const t3 = performance.now();
  return [(t1 - t0) / 1000, (t2 - t1) / 1000, (t3 - t2) / 1000];
}

try {
  console.log(`${args.model}: ${((await stat(file)).size / 1e6).toFixed(1)} MB`);
  const s = (x: number | undefined) => `${(x ?? 0).toFixed(3)} s`;
  const show = (label: string, [i, v, o]: number[]) =>
    console.log(
      `${label.padEnd(16)} import ${s(i)}  validate ${s(v)}  optimize ${s(o)}  total ${s(
        (i ?? 0) + (v ?? 0) + (o ?? 0),
      )}`,
    );
  show('first run', await once());
  const runs: number[][] = [];
  for (let r = 0; r < Number(args.runs); r++) runs.push(await once());
  const med = [0, 1, 2].map((k) => median(runs.map((x) => x[k] as number)));
  show(`median of ${runs.length}`, med);
  const total = med.reduce((a, b) => a + b, 0);
  console.log(`target ≤ 1.5 s: ${total <= 1.5 ? 'MET' : 'MISSED'} (${total.toFixed(3)} s)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
