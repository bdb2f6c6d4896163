/** A throwaway nginx on a loopback port serving one directory, for the report's browser test. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, nginxConf } from '../../nginx-kit.js';

export interface Served {
  url: string;
  stop(): Promise<void>;
}

const NGINX = ['/usr/sbin/nginx', 'nginx'];

/** undefined when nginx is not installed. */
export async function serveWithNginx(root: string, file: string): Promise<Served | undefined> {
  const binary = (
    await Promise.all(
      NGINX.map(async (b) => ((await execa(b, ['-v'], { reject: false })).exitCode === 0 ? b : undefined)),
    )
  ).find(Boolean);
  if (!binary) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'ef-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const types = 'types { text/html html; image/svg+xml svg; image/png png; }';
  await writeFile(conf, nginxConf(dir, `${types}\n  server { listen 127.0.0.1:${port}; root ${root}; }`));
  // One process, no inherited pipes: stopping it cannot leave a worker holding the test's stdio open.
  const server = execa(binary, ['-c', conf, '-p', dir], { reject: false, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/${file}`;
  for (let i = 0; i < 50; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return {
        url,
        stop: async () => {
          server.kill('SIGTERM');
          await server;
        },
      };
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`nginx did not serve ${url}; see ${dir}/error.log`);
}
