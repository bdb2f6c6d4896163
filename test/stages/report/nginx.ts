/** A throwaway nginx on a loopback port serving one directory, for the report's browser test. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Served {
  url: string;
  stop(): Promise<void>;
}

const NGINX = ['/usr/sbin/nginx', 'nginx'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

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
  // Every temp directory in ours: the compiled-in defaults are under /var, which a test may not write.
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir};`).join(' ');
  await writeFile(
    conf,
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events {}
http {
  access_log ${dir}/access.log;
  ${temps}
  types { text/html html; image/svg+xml svg; image/png png; }
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`,
  );
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
