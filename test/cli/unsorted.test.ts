/**
 * A real model whose nodes are not in topological order (oww_hey_rhasspy's 29 nodes, reversed): onnx.checker
 * refuses such a file, onnxruntime sorts it on load and runs it. validate sorts it, says so in one line naming
 * the user's file, and every stage goes on; optimize's check proves the sorted model computes what the file does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readModelFile, encodeModel } from '../../onnx/serde.js';
import { realModels } from '../corpus/models.js';
import { readManifest, shippedCli } from './cli-kit.js';

test('an unsorted real model is sorted, said in one line naming the file, and goes on through FP16', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-unsorted-'));
  const m = await readModelFile(realModels('oww_hey_rhasspy')[0]!.file);
  assert.ok(m.ok);
  m.value.graph.nodes.reverse();
  const file = join(dir, 'my-reversed-model.onnx');
  writeFileSync(file, encodeModel(m.value));
  const artifacts = join(dir, 'artifacts');
  const r = await shippedCli(['onnx', '--model', file, '--artifacts', artifacts]);
  assert.equal(r.exitCode, 0, r.stderr);
  const said = r.records.filter((l) => /topological order/.test(String(l['msg'])));
  assert.deepEqual(
    said.map((l) => [l['level'], l['stage'], l['msg']]),
    [[40, 'validate', `${file}: 28 nodes were out of topological order; sorted, and the model goes on sorted`]],
  );
  const stages = readManifest(artifacts).stages;
  for (const s of ['import', 'validate', 'optimize', 'convert:fp16'])
    assert.equal(stages[s]?.status, 'built', `${s}: ${stages[s]?.reason}`);
  assert.doesNotMatch(r.stderr, /latest\/model\.onnx/, 'messages name the user file, not the store copy');
});
