/**
 * Every real third-party model of the corpus through the shipped CLI: `enginefoundry onnx --model
 * .cache/models/X.onnx --config configs/examples/X.yaml`. The imported artifact is the file as given, and our
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
import { inputsConfig } from '../../stages/import/config.js';
import { realModels } from '../corpus/models.js';
import { fromRoot } from '../repo-root.js';
import { readManifest, shippedCli } from './cli-kit.js';

const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-corpus-')), 'artifacts');

/**
 * EXPECTED TO CHANGE (lead: owned by branch `passes`): on ppocr_v4_det the pass list's numeric check finds
 * fold-batchnorm's output differing (relative L2 1.05e-2 > 1e-5), and optimize fails the run (exit 1) with
 * that one line. When the pass is fixed, or the difference becomes a decline, remove the entry.
 */
const KNOWN_FAILURES: Record<string, RegExp> = {
  ppocr_v4_det: /^optimize: the optimized model differs from the original: .*bisection names pass 'fold-batchnorm'/,
};

for (const m of realModels()) {
  test(`${m.name} (${m.from}): onnx ${KNOWN_FAILURES[m.name] ? 'fails as known (KNOWN_FAILURES)' : 'exits 0'}, the ` +
    `import is the file as given, the round trip is identical on onnxruntime`, async () => {
    const config = fromRoot('configs', 'examples', `${m.name}.yaml`);
    const r = await shippedCli(['onnx', '--model', m.file, '--config', config, '--artifacts', artifacts]);
    const stages = readManifest(artifacts).stages;
    const known = KNOWN_FAILURES[m.name];
    if (known) {
      assert.equal(r.exitCode, 1, r.stderr);
      const failed = Object.entries(stages).filter(([, s]) => s.status === 'failed');
      assert.equal(failed.length, 1, r.stderr);
      assert.match(failed[0]![1].reason ?? '', known);
    } else {
      assert.equal(r.exitCode, 0, r.stderr);
      for (const [name, s] of Object.entries(stages)) {
        assert.ok(s.status !== 'failed', `${name} failed: ${s.reason}`);
        if (s.status === 'skipped') assert.ok(s.reason, `${name} skipped without a reason`);
      }
    }
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stages['import']?.status === 'built' || stages['import']?.status === 'cached', true);
    const original = readFileSync(m.file);
    assert.equal(Buffer.compare(readFileSync(join(artifacts, 'latest', stages['import']!.outputs['model']!.path)), original), 0, 'same bytes');

    const decoded = decodeModel(original);
    assert.ok(decoded.ok);
    const spec = resolveInputs(decoded.value, inputsConfig(parse(readFileSync(config, 'utf8')) as Record<string, unknown>));
    assert.ok(spec.ok, spec.ok ? '' : spec.error);
    const feeds = makeFeeds(spec.value, 1, 5);
    assert.ok(feeds.ok);
    const opts = { graphOptimizationLevel: 'disabled' as const, intraOpThreads: 1, logSeverityLevel: 3 as const };
    const want = await runTensorsOnce(original, feeds.value, opts);
    const got = await runTensorsOnce(encodeModel(decoded.value), feeds.value, opts);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) {
      assert.deepEqual(got[name]!.dims, t.dims, name);
      const a = got[name]!.data as ArrayLike<number>, b = t.data as ArrayLike<number>;
      const bytes = (x: ArrayLike<number>) => Buffer.from((x as unknown as { buffer: ArrayBuffer; byteOffset: number; byteLength: number }).buffer,
        (x as unknown as { byteOffset: number }).byteOffset, (x as unknown as { byteLength: number }).byteLength);
      assert.equal(Buffer.compare(bytes(a), bytes(b)), 0, `output ${name} differs after the round trip`);
    }
  });
}
