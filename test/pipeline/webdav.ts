/**
 * A real remote cache for the tests: Debian's nginx with WebDAV (PUT creates files, GET serves them), on a free
 * loopback port, with its own prefix and config in a temp dir. Modes: `rw`, `readonly` (PUT refused, 403),
 * `unavailable` (every request 503); `token` requires `Authorization: Bearer <token>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nginxConf } from '../nginx-kit.js';

export const NGINX = '/usr/sbin/nginx';

export interface DavServer {
  url: string;
  /** The directory the server stores under: `ac/<key>`, `cas/<sha256>`. */
  root: string;
  /** Where nginx keeps request bodies while they arrive. */
  bodyTemp: string;
  accessLog: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDav(
  opts: { mode?: 'rw' | 'readonly' | 'unavailable'; token?: string; root?: string; port?: number } = {},
): Promise<DavServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ef-dav-'));
  const root = opts.root ?? join(dir, 'root');
  const bodyTemp = join(dir, 'body');
  mkdirSync(root, { recursive: true });
  mkdirSync(bodyTemp, { recursive: true });
  const port = opts.port ?? (await freePort());
  const mode = opts.mode ?? 'rw';
  const rules = [
    ...(opts.token ? [`if ($http_authorization != "Bearer ${opts.token}") { return 401; }`] : []),
    ...(mode === 'unavailable' ? ['return 503;'] : []),
    ...(mode === 'readonly' ? ['limit_except GET HEAD { deny all; }'] : []),
  ].join(' ');
  const conf = join(dir, 'nginx.conf');
  const dav = `dav_methods PUT; create_full_put_path on; dav_access user:rw group:r all:r; ${rules}`;
  const server = `server { listen 127.0.0.1:${port}; root ${root}; client_max_body_size 0; location / { ${dav} } }`;
  writeFileSync(conf, nginxConf(dir, server, bodyTemp));
  const child = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/cache`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  };
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' }).then(
      () => true,
      () => false,
    );
    if (up) return { url, root, bodyTemp, accessLog: join(dir, 'access.log'), process: child, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not start on port ${port}; see ${dir}/error.log`);
}
