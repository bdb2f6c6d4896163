/**
 * Robustness of convert:fp16 over ONNX's own corpus: every libonnx-testdata model onnxruntime-node can load
 * either converts to a model that still loads and that the validator accepts (when it accepted the
 * original), or is declined with a message; the converter never throws. The counts are docs/optimize.md's
 * (test/corpus/quoted.ts).
 * (Numerics are checked on real networks elsewhere: many corpus operators are not meant for float16.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSession } from '../../../onnx/ort.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { assertAtMost, assertNear } from '../../corpus/quoted.js';

const ROOT = '/usr/share/libonnx-testdata/data';

async function loads(bytes: Uint8Array): Promise<string | undefined> {
  try {
    await (await openSession(bytes, { graphOptimizationLevel: 'disabled', logSeverityLevel: 4 })).release();
    return undefined;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
}

test(
  'every loadable corpus model converts to a loadable, valid float16 model or is declined with a reason',
  { timeout: 240_000 },
  async (t) => {
    let converted = 0;
    let declined = 0;
    let notLoadable = 0;
    const failed: string[] = [];
    for (const suite of readdirSync(ROOT)) {
      for (const name of readdirSync(join(ROOT, suite))) {
        const file = join(ROOT, suite, name, 'model.onnx');
        if (!existsSync(file)) continue;
        const bytes = new Uint8Array(readFileSync(file));
        const decoded = decodeModel(bytes);
        if (!decoded.ok || (await loads(bytes))) {
          notLoadable++;
          continue;
        }
        const r = convertFloat16(decoded.value, { keepFp32: [], keepIoFp32: true });
        if (!r.ok) {
          declined++;
          continue;
        }
        const why =
          (validateModel(decoded.value).ok && validateModel(r.value.model).errors[0]?.message) ||
          (await loads(encodeModel(r.value.model)));
        if (why) failed.push(`${suite}/${name}: ${why}`);
        else converted++;
      }
    }
    t.diagnostic(
      `fp16 corpus: ${converted} converted (load + validate), ${declined} declined with a reason, ` +
        `${failed.length} failed, ${notLoadable} not loadable to begin with`,
    );
    assert.deepEqual(failed, []);
    // docs/optimize.md: 968 convert, load and validate; 36 declined with a reason; 0 fail.
    assertNear('converted', converted, 968);
    assertAtMost('declined', declined, 36);
  },
);
