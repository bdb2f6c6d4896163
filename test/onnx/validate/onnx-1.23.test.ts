/**
 * Our validator against onnx 1.23's checker (the project venv's, requirements-test.txt), which knows every
 * opset the schema table covers, 18 to 21 included (Debian's onnx 1.12 stops at 17). The corpus is ONNX's
 * backend test models (Debian's libonnx-testdata) and the real third-party models, each checked at its own
 * opset and re-stamped at every opset from 7 to 21: the default domain's version changed, the nodes left as
 * they are, so each model is judged against that opset's versions of its operators. Wherever every operator
 * is covered by the table, our verdict must be onnx.checker.check_model(full_check=True)'s.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import type { Model } from '../../../onnx/ir.js';
import { openSession, runFloat } from '../../../onnx/ort.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { realModels } from '../../corpus/models.js';
import { projectPython } from '../../python.js';
import { fromRoot } from '../../repo-root.js';

const DATA = '/usr/share/libonnx-testdata/data';
const OPSETS = Array.from({ length: 15 }, (_, i) => 7 + i);
const script = fromRoot('test/onnx/validate/checker-at-opsets.py');

interface Verdict {
  path: string;
  opset: number | null;
  ok: boolean;
  error: string | null;
}

async function onnxVerdicts(paths: string[]): Promise<{ version: string; verdicts: Map<string, Verdict> }> {
  const run = await exec(projectPython, [script], {
    input: JSON.stringify({ paths, opsets: OPSETS }),
    timeoutMs: 300_000,
  });
  assert.equal(run.exitCode, 0, run.stderr);
  const [head, ...lines] = run.stdout.trim().split('\n');
  const verdicts = lines.map((l) => JSON.parse(l) as Verdict);
  const version = (JSON.parse(head!) as { onnx: string }).onnx;
  return { version, verdicts: new Map(verdicts.map((v) => [`${v.path}@${v.opset}`, v])) };
}

const restamped = (model: Model, opset: number | null): Model | undefined => {
  if (opset === null) return model;
  const imports = model.opsetImports.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (imports.length !== 1 || imports[0]!.version >= opset) return undefined;
  const opsetImports = model.opsetImports.map((o) => (o === imports[0] ? { ...o, version: opset } : o));
  return { ...model, opsetImports };
};

/**
 * Where the two disagree, onnxruntime (which implements every one of these opsets) judges, and it sides with us:
 * - PRelu from opset 7 broadcasts its slope to X one way only, and a slope of [3] does not broadcast to
 *   [2, 3, 4]; onnx's shape inference never compares them (so it accepts), onnxruntime refuses to run it.
 * - MeanVarianceNormalization from opset 13 is expanded by onnx.checker into its function body, whose
 *   Constant takes its value from the `axes` attribute; without that attribute (its default, [0, 2, 3]) the
 *   Constant is left empty and the checker refuses the model: onnxruntime runs it.
 */
const JUDGED: Record<string, 'onnxruntime-refuses' | 'onnxruntime-runs'> = {
  'pytorch-converted/test_PReLU_1d_multiparam': 'onnxruntime-refuses',
  'pytorch-converted/test_PReLU_2d_multiparam': 'onnxruntime-refuses',
  'pytorch-converted/test_PReLU_3d_multiparam': 'onnxruntime-refuses',
  'node/test_mvn': 'onnxruntime-runs',
};

async function onnxruntimeRuns(model: Model): Promise<boolean> {
  const initialized = new Set(model.graph.initializers.map((t) => t.name));
  const feeds = Object.fromEntries(
    model.graph.inputs
      .filter((i) => !initialized.has(i.name))
      .map((i) => {
        const dims = (i.type?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
        return [i.name, { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) }];
      }),
  );
  try {
    await runFloat(await openSession(encodeModel(model)), feeds);
    return true;
  } catch {
    return false;
  }
}

function corpus(): { name: string; path: string }[] {
  const backend = readdirSync(DATA)
    .sort()
    .flatMap((dir) =>
      readdirSync(`${DATA}/${dir}`)
        .sort()
        .map((name) => ({ name: `${dir}/${name}`, path: `${DATA}/${dir}/${name}/model.onnx` })),
    )
    .filter((c) => {
      try {
        return readFileSync(c.path).length > 0;
      } catch {
        return false;
      }
    });
  return [...backend, ...realModels().map((m) => ({ name: m.name, path: m.file }))];
}

test("ours is onnx 1.23 full_check's verdict on the backend corpus and real models, opsets to 21", async () => {
  const models = corpus();
  const { version, verdicts } = await onnxVerdicts(models.map((m) => m.path));
  assert.match(version, /^1\.23\./);
  const disagree: string[] = [];
  const compared = new Map<number, { accepted: number; rejected: number }>();
  let uncovered = 0;
  const judged = new Set<string>();
  for (const m of models) {
    const decoded = decodeModel(readFileSync(m.path));
    assert.ok(decoded.ok, `${m.name}: ${decoded.ok ? '' : decoded.error}`);
    for (const opset of [null, ...OPSETS]) {
      const model = restamped(decoded.value, opset);
      const theirs = verdicts.get(`${m.path}@${opset}`);
      if (!model || !theirs) continue;
      const ours = validateModel(model);
      if (ours.unchecked.length > 0) {
        uncovered++;
        continue;
      }
      const tally = compared.get(ours.opset) ?? { accepted: 0, rejected: 0 };
      tally[theirs.ok ? 'accepted' : 'rejected']++;
      compared.set(ours.opset, tally);
      if (ours.ok === theirs.ok) continue;
      const judge = JUDGED[m.name];
      if (
        judge &&
        (await onnxruntimeRuns(model)) === (judge === 'onnxruntime-runs') &&
        ours.ok === (judge === 'onnxruntime-runs')
      ) {
        judged.add(m.name);
        continue;
      }
      const said = ours.ok ? 'accepts' : `rejects (${ours.errors[0]!.code}: ${ours.errors[0]!.message})`;
      disagree.push(`${m.name} at opset ${ours.opset}: ours ${said}; onnx ${theirs.ok ? 'accepts' : theirs.error}`);
    }
  }
  const table = [...compared].sort(([a], [b]) => a - b);
  console.log(
    `onnx ${version}: ${models.length} models at their own opset and re-stamped at each newer one up to 21; ` +
      `${uncovered} with operators the table does not cover skipped; ` +
      `judged by onnxruntime: ${[...judged].join(', ')}\n` +
      table.map(([opset, t]) => `opset ${opset}: ${t.accepted} accepted, ${t.rejected} rejected`).join('\n'),
  );
  assert.deepEqual(disagree.slice(0, 40), [], `${disagree.length} disagreements`);
  assert.deepEqual([...judged].sort(), Object.keys(JUDGED).sort(), 'a judged disagreement is gone: drop it');
  for (const opset of OPSETS) {
    const t = compared.get(opset);
    assert.ok(t && t.accepted >= 100 && t.rejected >= 10, `opset ${opset}: too few compared (${JSON.stringify(t)})`);
  }
});
