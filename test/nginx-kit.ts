/**
 * What the tests' nginx servers share (the WebDAV remote cache, test/pipeline/webdav.ts; the report's static
 * server, test/stages/report/nginx.ts): a free loopback port and the config around their `server` block, one
 * process in the foreground with its pid, logs and temp files in the test's own folder.
 */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/**
 * nginx.conf for one `server` block. Every temp directory is in `dir` (request bodies in `bodyTemp` when
 * given): the compiled-in defaults are under /var, which a test may not write.
 */
export function nginxConf(dir: string, server: string, bodyTemp = dir): string {
  const temps = ['proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir};`).join(' ');
  return `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events {}
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${bodyTemp}; ${temps}
  ${server}
}
`;
}
