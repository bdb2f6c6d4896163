/**
 * `make bench-remote`: what the remote cache buys a CI machine with an empty store, on a real nginx WebDAV
 * server on loopback (so the figure is the protocol's and the store's cost, not a network's).
 *  1. Store A builds `onnx` and uploads it (timed: a build plus its upload).
 *  2. Store L, empty, builds `onnx` locally without a remote: the cost of a miss.
 *  3. Store B, empty, runs `onnx` with the remote: every stage a remote hit (median of RUNS fresh stores).
 *  4. No-op with the remote configured: B again, every stage a local hit; the requests it sent the server.
 * Config: CONFIG (default configs/mobilenetv2.yaml, the default MobileNetV2).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../pipeline/execute/exec.js';
import { startDav } from '../test/pipeline/webdav.js';
import { median } from './timing.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '').replace(/\/dist$/, '');
const config = process.env['CONFIG'] ?? 'configs/mobilenetv2.yaml';
const RUNS = 3;
const NOOP_RUNS = 5;
const dir = mkdtempSync(join(tmpdir(), 'ef-bench-remote-'));

type Manifest = { stages: Record<string, { status: string }> };

async function onnx(store: string, remote?: string): Promise<{ ms: number; statuses: string[]; remoteHits: number }> {
  const args = [join(root, 'pipeline.mjs'), 'onnx', '--config', config, '--artifacts', join(dir, store), '--json'];
  if (remote) args.push('--remote-cache', remote);
  const r = await exec(process.execPath, args, { cwd: root });
  if (r.exitCode !== 0) {
    throw new Error(
      `onnx on store ${store} exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`,
    );
  }
  const m = JSON.parse(readFileSync(join(dir, store, 'latest', 'manifest.json'), 'utf8')) as Manifest;
  const remoteHits = r.stderr.split('\n').filter((l) => l.includes('"msg":"remote hit')).length;
  return { ms: r.ms, statuses: Object.values(m.stages).map((s) => s.status), remoteHits };
}

const bytesUnder = (path: string): number =>
  readdirSync(path, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? bytesUnder(join(path, e.name)) : statSync(join(path, e.name)).size),
    0,
  );
const requests = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dav = await startDav();
try {
  console.log(`bench-remote (${config}, nginx WebDAV on ${dav.url})`);
  const a = await onnx('a', dav.url);
  const mb = bytesUnder(join(dav.root, 'cache', 'cas')) / 1e6;
  console.log(
    `  store A: build onnx and upload     ${s(a.ms).padStart(8)}  ` +
      `(${a.statuses.join(', ')}; ${mb.toFixed(1)} MB of blobs on the server)`,
  );
  const local = await onnx('local');
  console.log(`  store L: build onnx locally        ${s(local.ms).padStart(8)}  (${local.statuses.join(', ')})`);
  const remoteMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await onnx(`b${i}`, dav.url);
    const built = a.statuses.filter((x) => x === 'built').length;
    if (b.remoteHits !== built) throw new Error(`store b${i}: ${b.remoteHits} remote hits, ${built} stages built on A`);
    remoteMs.push(b.ms);
  }
  const remote = median(remoteMs);
  console.log(
    `  store B: onnx from the remote      ${s(remote).padStart(8)}  ` +
      `(median of ${RUNS} empty stores, every stage A built a remote hit)`,
  );
  console.log(`  ratio: a local build takes ${(local.ms / remote).toFixed(1)}x as long as the remote hit`);
  const before = requests(dav.accessLog);
  const noop: number[] = [];
  for (let i = 0; i < NOOP_RUNS; i++) noop.push((await onnx('b0', dav.url)).ms);
  const sent = requests(dav.accessLog) - before;
  console.log(
    `  no-op onnx, remote configured      ${s(median(noop)).padStart(8)}  ` +
      `(median of ${NOOP_RUNS}; ${sent} requests to the server in ${NOOP_RUNS} runs)`,
  );
} finally {
  await dav.stop();
  rmSync(dir, { recursive: true, force: true });
}
