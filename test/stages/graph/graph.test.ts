import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import graph from '../../../stages/graph/index.js';
import { dotTool } from '../../../stages/graph/graphviz.js';
import { optimizedMobileNetV2, stageContext } from '../optimize/stage-context.js';

const config = { ...modelDefaults, width_mult: 0.35, input_size: 64, num_classes: 10 };

test('the graph stage draws the raw and optimized MobileNetV2 with op types and shapes', async (t) => {
  const probe = await dotTool.probe({}, exec);
  if (!probe.ok) return t.skip(probe.error.reason);
  const { raw, optimize: opt } = await optimizedMobileNetV2(config);

  const { ctx } = await stageContext(
    { rankdir: 'TB' as const, attributes: true },
    { raw, optimized: opt.out('model') },
    graph.outputs,
  );
  ctx.tools = { dot: probe.value };
  const r = await graph.run(ctx);
  assert.ok(r.ok, r.ok ? '' : r.error.message);

  const rawDot = await readFile(ctx.out('rawDot'), 'utf8');
  const optDot = await readFile(ctx.out('optDot'), 'utf8');
  assert.match(rawDot, /label="BatchNormalization\\n1×16×32×32"/, 'the raw drawing shows BN, inferred shape');
  assert.match(rawDot, /label="Conv 3×3\/2\\n1×16×32×32"/, 'the stem conv shows kernel, stride and shape');
  assert.doesNotMatch(optDot, /BatchNormalization/, 'the optimized drawing has no BN left');
  assert.match(optDot, /label="Gemm\\n1×10"/);
  const svg = await readFile(ctx.out('optSvg'), 'utf8');
  assert.match(svg, /<svg[\s\S]*Conv/, 'graphviz rendered the SVG');
  const png = await readFile(ctx.out('rawPng'));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
  assert.ok((await stat(ctx.out('page'))).size > svg.length, 'the page holds both drawings');
  const page = await readFile(ctx.out('page'), 'utf8');
  assert.equal(page.match(/<svg/g)?.length, 2);
});

test('a missing dot is a skip reason, not a crash', async () => {
  const probe = await dotTool.probe({}, async (command, args, options) =>
    exec(`${command}-definitely-missing`, args, options),
  );
  assert.equal(probe.ok, false);
  assert.match(probe.ok ? '' : probe.error.reason, /graphviz `dot` not found.*apt-get install graphviz/);
});
