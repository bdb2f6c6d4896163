/**
 * Careless and hostile configs and `--set`s (issue 14): each is refused before anything is built or allocated,
 * in one line naming where (file:line:col or the `--set`), the field and the limit, with exit 2. Wall time and
 * memory of the worst cases: `make bench-hostile`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { refused, scratch } from './hostile-kit.js';

test('a config file over the size limit is refused unread, naming the file and what raises the limit', async () => {
  const s = scratch();
  const big = join(s.dir, 'configs', 'big.yaml');
  writeFileSync(big, `# padding\n`.repeat(10_000));
  await refused(
    s,
    ['build', '--config', big],
    2,
    /big\.yaml: the config is over the limit of 65536 bytes \(ENGINEFOUNDRY_MAX_CONFIG_BYTES raises it\)/,
  );
});

test('an array longer than the limit is refused naming the field', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'many.yaml');
  writeFileSync(file, `bench:\n  batch_sizes: [${Array.from({ length: 5000 }, (_, i) => i + 1).join(', ')}]\n`);
  await refused(
    s,
    ['build', '--config', file],
    2,
    /many\.yaml:2:16: bench\.batch_sizes has 5000 items, over the limit of 1000 items \(ENGINEFOUNDRY_MAX_ARRAY_ITEMS/,
  );
});

test('a YAML alias bomb is refused naming the file, in milliseconds', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'bomb.yaml');
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `l${i}: &l${i} [${Array(9)
        .fill(i === 1 ? '*a' : `*l${i - 1}`)
        .join(', ')}]`,
    );
  writeFileSync(file, `${levels.join('\n')}\n`);
  await refused(s, ['build', '--config', file], 2, /bomb\.yaml: YAML aliases expand over the limit of 100 aliases/);
});

test('a number that is not finite (1e400) is a config error, in the file and in --set', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'inf.yaml');
  writeFileSync(file, 'model:\n  seed: 1e400\n');
  await refused(s, ['build', '--config', file], 2, /inf\.yaml:2:9: model\.seed is Infinity, not a finite number/);
  await refused(
    s,
    ['build', '--config', s.config, '--set', 'model.width_mult=-.inf'],
    2,
    /^error: --set model\.width_mult=-\.inf: model\.width_mult is -Infinity/,
  );
});

test('__proto__, constructor and prototype keys are refused in the file and in --set', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'proto.yaml');
  writeFileSync(file, 'model:\n  seed: 1\n  __proto__:\n    polluted: true\n');
  await refused(
    s,
    ['build', '--config', file],
    2,
    /proto\.yaml:3:3: model\.__proto__: the key __proto__ is not allowed/,
  );
  await refused(
    s,
    ['build', '--config', s.config, '--set', 'constructor.prototype.x=1'],
    2,
    /--set constructor\.prototype\.x=1: the key constructor is not allowed/,
  );
});

test('sizes beyond the memory budget are refused before anything is allocated, naming field and limit', async () => {
  const s = scratch();
  await refused(
    s,
    ['build', '--config', s.config, '--set', 'model.num_classes=1000000000'],
    2,
    new RegExp(
      String.raw`--set model\.num_classes=1000000000: ` +
        String.raw`model\.num_classes 1000000000 makes \d+ MB of weights, over limits\.weights_mb 512`,
    ),
  );
  const staticBatch = ['--set', 'model.dynamic_batch=false', '--set', 'model.batch_size=1000000000'];
  await refused(
    s,
    ['build', '--config', s.config, ...staticBatch],
    2,
    /model\.batch_size 1000000000 makes an activation of \d+ MB, over limits\.tensor_mb 1024/,
  );
  const file = join(s.dir, 'configs', 'wide.yaml');
  writeFileSync(file, 'model:\n  num_classes: 300000\n');
  await refused(
    s,
    ['build', '--config', file],
    2,
    new RegExp(
      String.raw`wide\.yaml:2:16: model\.num_classes 300000 makes 1546 MB of weights, over limits\.weights_mb 512; ` +
        String.raw`lower it, or raise limits\.weights_mb`,
    ),
  );
});

test('a typo gets "did you mean" with file:line:col; a bad --set is blamed on the --set', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'typo.yaml');
  writeFileSync(file, 'model:\n  seed: 1\n  widht_mult: 0.5\n');
  await refused(
    s,
    ['build', '--config', file],
    2,
    /typo\.yaml:3:3: unknown field model\.widht_mult \(did you mean width_mult\?\)/,
  );
  await refused(
    s,
    ['build', '--config', s.config, '--set', 'bench.rnus=3'],
    2,
    /^error: --set bench\.rnus=3: unknown field bench\.rnus \(did you mean runs\?\)/,
  );
  await refused(
    s,
    ['build', '--config', s.config, '--set', 'bench.runs=many'],
    2,
    /^error: --set bench\.runs=many: bench\.runs must be integer/,
  );
});

test('a docker image that is not an image reference (an option in disguise) is a config error', async () => {
  const s = scratch();
  await refused(
    s,
    ['engines', '--config', s.config, '--set', 'trt.docker.image=--privileged'],
    2,
    /--set trt\.docker\.image=--privileged: trt\.docker\.image must be a Docker image reference/,
  );
  const file = join(s.dir, 'configs', 'img.yaml');
  writeFileSync(file, 'trt:\n  docker:\n    image: "nvcr.io/nvidia/tensorrt:24.08-py3 --privileged"\n');
  await refused(
    s,
    ['engines', '--config', file],
    2,
    /img\.yaml:3:12: trt\.docker\.image must be a Docker image reference/,
  );
});

test('limits can be raised on purpose', async () => {
  const s = scratch();
  const file = join(s.dir, 'configs', 'many.yaml');
  writeFileSync(file, `bench:\n  batch_sizes: [${Array.from({ length: 1200 }, (_, i) => i + 1).join(', ')}]\n`);
  await refused(s, ['build', '--config', file], 2, /over the limit of 1000 items/);
  // Raised, the array passes its own limit and meets the next one: the batch budget, for batch 1200 at 96 px.
  await refused(s, ['build', '--config', file], 2, /bench\.batch_sizes\.\d+ \d+ makes an activation/, {
    ENGINEFOUNDRY_MAX_ARRAY_ITEMS: '2000',
  });
});

test('a numeric check batch is bounded: 1e9 is refused naming the field, not an input or a decline', async () => {
  const s = scratch();
  for (const section of ['optimize', 'fp16']) {
    await refused(
      s,
      ['onnx', '--config', s.config, '--set', `${section}.check.batch=1000000000`],
      2,
      new RegExp(String.raw`^error: --set ${section}\.check\.batch=1000000000: ${section}\.check\.batch must be <= 64`),
    );
  }
});
