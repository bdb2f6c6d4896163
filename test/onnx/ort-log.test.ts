/**
 * onnxruntime's own log stays off the terminal (onnx/ort.ts says why): a session opened the way the product
 * opens one writes nothing to stderr, neither the warning a model with an unused initializer gives nor the
 * error line of a run that fails. It runs in a child process, since onnxruntime writes to stderr natively.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { encodeModel } from '../../onnx/serde.js';
import type { SessionOptions } from '../../onnx/ort.js';
import { floats, ints, node, tiny } from './rewrite/tiny-model.js';

/** Opens the model with `options`, runs it once on a good input and once on one its Reshape cannot take. */
const child = `
const { openSession, runFloat } = await import(process.argv[1]);
const session = await openSession(process.argv[2], JSON.parse(process.argv[3]));
const good = await runFloat(session, { x: { dims: [2, 3], data: new Float32Array(6) } });
let failure = '';
try {
  await runFloat(session, { x: { dims: [2, 4], data: new Float32Array(8) } });
} catch (e) {
  failure = e.message.split('\\n')[0];
}
await session.release();
console.log(JSON.stringify({ dims: good.y.dims, failure }));
`;

async function runChild(options: SessionOptions): Promise<{ stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ort-log-'));
  try {
    const model = tiny({
      inputs: { x: [2, 'n'] },
      outputs: ['y'],
      nodes: [node('Reshape', ['x', 'shape'], ['y'])],
      initializers: [ints('shape', [3, 2]), floats('unused', [4], 1)],
    });
    const path = join(dir, 'model.onnx');
    await writeFile(path, encodeModel(model));
    const ort = new URL('../../onnx/ort.js', import.meta.url).href;
    const r = await execa(process.execPath, ['--input-type=module', '-e', child, ort, path, JSON.stringify(options)]);
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const expectRuns = (stdout: string) => {
  const { dims, failure } = JSON.parse(stdout) as { dims: number[]; failure: string };
  assert.deepEqual(dims, [3, 2]);
  assert.match(failure, /running Reshape node/, 'the failing run throws, with the message the log would repeat');
};

test("the product's sessions (the benchmark's and the numeric check's) write nothing to stderr", async () => {
  for (const options of [{}, { graphOptimizationLevel: 'disabled', intraOpThreads: 1 }] as const) {
    const { stdout, stderr } = await runChild(options);
    expectRuns(stdout);
    assert.equal(stderr, '', `options ${JSON.stringify(options)}`);
  }
});

test('at warning level the same session writes a warning and an error line: the model provokes both', async () => {
  const { stdout, stderr } = await runChild({ logSeverityLevel: 2 });
  expectRuns(stdout);
  assert.match(stderr, /\[W:onnxruntime:.*Removing initializer 'unused'/);
  assert.match(stderr, /\[E:onnxruntime:.*ExecuteKernel/);
});
