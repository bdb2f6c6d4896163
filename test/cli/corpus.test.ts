/**
 * Every real third-party model of the corpus through the shipped CLI: `enginefoundry onnx --model
 * .cache/models/X.onnx --config configs/examples/X.yaml` (the OCR and VAD configs name real check data). Every
 * stage through FP16 is built; the imported artifact is the file as given, and our
 * own decode → encode round trip computes exactly what the original does on onnxruntime-node (bit for bit:
 * the round trip must not change a single weight or attribute, so no tolerance is allowed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { makeFeeds, resolveInputs } from '../../onnx/inputs/index.js';
import { runTensorsOnce } from '../../onnx/ort.js';
import { decodeModel, encodeModel } from '../../onnx/serde.js';
import { inputsConfig } from '../../source/config.js';
import { realModels } from '../corpus/models.js';
import { fromRoot } from '../repo-root.js';
import { readManifest, shippedCli } from './cli-kit.js';

const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-corpus-')), 'artifacts');
/** Per model, how its convert:fp16 ended: docs/corpus.md counts 15 converted and 1 declined. */
const fp16: Record<string, string> = {};

for (const m of realModels()) {
  test(`${m.name} (${m.from}): onnx exits 0, the import is the file as given, the round trip identical`, async () => {
    const config = fromRoot('configs', 'examples', `${m.name}.yaml`);
    const r = await shippedCli(['onnx', '--model', m.file, '--config', config, '--artifacts', artifacts]);
    const stages = readManifest(artifacts).stages;
    assert.equal(r.exitCode, 0, r.stderr);
    // docs/corpus.md: every stage builds, but FP16 of Silero legacy, whose float32 work all sits in If bodies
    // not proven in float16, declines (exit 0, with its reason).
    const fp16Declines = m.name === 'silero_vad_legacy';
    for (const name of ['import', 'validate', 'optimize', ...(fp16Declines ? [] : ['convert:fp16'])]) {
      assert.ok(
        ['built', 'cached'].includes(stages[name]?.status ?? ''),
        `${name}: ${stages[name]?.status} ${stages[name]?.reason ?? ''}`,
      );
    }
    if (fp16Declines) {
      assert.equal(stages['convert:fp16']?.status, 'skipped');
      assert.match(stages['convert:fp16']?.reason ?? '', /^nothing was converted to float16/);
    }
    fp16[m.name] = stages['convert:fp16']?.status === 'skipped' ? 'declined' : 'converted';
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stages['import']?.status === 'built' || stages['import']?.status === 'cached', true);
    const original = readFileSync(m.file);
    assert.equal(
      Buffer.compare(readFileSync(join(artifacts, 'latest', stages['import']!.outputs['model']!.path)), original),
      0,
      'same bytes',
    );

    const decoded = decodeModel(original);
    assert.ok(decoded.ok);
    const section = inputsConfig(parse(readFileSync(config, 'utf8')) as Record<string, unknown>);
    const spec = resolveInputs(decoded.value, section);
    assert.ok(spec.ok, spec.ok ? '' : spec.error);
    const feeds = makeFeeds(spec.value, 1, 5);
    assert.ok(feeds.ok);
    const opts = { graphOptimizationLevel: 'disabled' as const, intraOpThreads: 1 };
    const want = await runTensorsOnce(original, feeds.value, opts);
    const got = await runTensorsOnce(encodeModel(decoded.value), feeds.value, opts);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) {
      assert.deepEqual(got[name]!.dims, t.dims, name);
      const a = got[name]!.data as ArrayLike<number>;
      const b = t.data as ArrayLike<number>;
      type View = { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
      const bytes = (x: ArrayLike<number>) =>
        Buffer.from(
          (x as unknown as View).buffer,
          (x as unknown as View).byteOffset,
          (x as unknown as View).byteLength,
        );
      assert.equal(Buffer.compare(bytes(a), bytes(b)), 0, `output ${name} differs after the round trip`);
    }
  });
}

test('the corpus as docs/corpus.md counts it: 16 models, FP16 converted on 15 and declined on 1', () => {
  assert.equal(Object.keys(fp16).length, 16, `every model ran through the CLI: ${Object.keys(fp16).join(', ')}`);
  const declined = Object.keys(fp16).filter((name) => fp16[name] === 'declined');
  assert.deepEqual(declined.sort(), ['silero_vad_legacy']);
});
