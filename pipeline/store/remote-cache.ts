/**
 * A client for Bazel's HTTP remote-cache protocol: `GET/PUT {url}/ac/{key}` holds an entry (our JSON),
 * `GET/PUT {url}/cas/{sha256}` a blob. nginx with WebDAV, bazel-remote (with AC validation off) and S3 proxies
 * of that protocol serve it. The remote is never a reason for a failed build: the first time the server cannot
 * be reached or answers with an error, one warning line is logged and the remote is left alone for the rest of
 * the run (a refused upload stops uploads only). Credentials travel in a header and appear in no message.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';

/** How to reach a remote cache and what this run may do with it. */
export interface RemoteOptions {
  /** The cache's base URL (http or https, no credentials): `ac/` and `cas/` are under it. */
  url: string;
  /** false: read the remote, never write it (pull requests, untrusted jobs). */
  upload: boolean;
  /** The Authorization header's value; never logged. */
  authorization?: string;
  /** A request whose socket is idle this long fails (ms). */
  timeoutMs?: number;
  /** Says the one line a run logs when the remote fails it (the run goes on without it). */
  warn(message: string): void;
}

/** A blob to upload: its hash, size, and the file that holds it. */
export interface Blob {
  /** Its content hash: the blob's name under `cas/`. */
  sha256: string;
  /** Its size in bytes. */
  size: number;
  /** The local file that holds it (a store object). */
  file: string;
}

/** `present`: the server had the key already, and nothing was sent. */
export type Uploaded = 'uploaded' | 'present' | 'skipped' | 'failed';

/** A blob fetched into a file: what it hashed to, or why not. */
export type Download =
  | {
      ok: true;
      /** The hash of the bytes received, for the caller to check against the name. */
      sha256: string;
      /** The bytes received. */
      size: number;
    }
  | {
      ok: false;
      /** What went wrong, for the warning line. */
      problem: string;
      /** The server does not have it (404): an incomplete entry, not a failing server. */
      missing?: boolean;
    };

const RETRIES = 3;
const PARALLEL = 4;

class Failure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The Authorization value for a secret: `user:password` is HTTP basic, anything else a bearer token. */
export const authorizationFor = (secret: string): string =>
  secret.includes(':') ? `Basic ${Buffer.from(secret).toString('base64')}` : `Bearer ${secret}`;

export class RemoteCache {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private down = false;
  private refused = false;
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private readonly uploads = new Set<Promise<Uploaded>>();
  /** Blobs already on the server (or uploaded) in this run. */
  private readonly present = new Set<string>();

  constructor(private readonly opts: RemoteOptions) {
    this.base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    const Agent = this.base.protocol === 'https:' ? HttpsAgent : HttpAgent;
    this.agent = new Agent({ keepAlive: true });
  }

  /** Where the remote is, for messages: never with credentials (a URL that holds them is refused upstream). */
  get where(): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, '')}`;
  }

  get usable(): boolean {
    return !this.down;
  }

  private fail(e: unknown, what: string): void {
    if (this.down) return;
    this.down = true;
    const why = e instanceof Failure ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    this.opts.warn(
      `remote cache ${this.where} ${what} failed (${why}): building locally, remote cache off for this run`,
    );
  }

  private send(method: string, path: string, body?: { file: string; size: number }): Promise<IncomingMessage> {
    const url = new URL(path, this.base);
    const headers: Record<string, string | number> = {};
    if (this.opts.authorization) headers['authorization'] = this.opts.authorization;
    if (body) headers['content-length'] = body.size;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: this.opts.timeoutMs ?? 10_000 }, resolve);
      const seconds = Math.round((this.opts.timeoutMs ?? 10_000) / 1000);
      req.on('timeout', () => req.destroy(new Failure(`no answer in ${seconds} s`)));
      req.on('error', reject);
      if (body) pipeline(createReadStream(body.file), req).catch(reject);
      else req.end();
    });
  }

  /** An answer whose body is not wanted; a status other than 2xx/404 is a failure. */
  private async status(method: string, path: string, body?: { file: string; size: number }): Promise<number> {
    const res = await this.send(method, path, body);
    res.resume();
    await new Promise((r) => res.on('end', r).on('error', r));
    const code = res.statusCode ?? 0;
    if (code >= 300 && code !== 404) throw new Failure(`HTTP ${code} on ${method}`, code);
    return code;
  }

  /** The entry stored under `key`, as text; undefined on a miss or when the remote is unusable. */
  async getEntry(key: string): Promise<string | undefined> {
    if (this.down) return undefined;
    try {
      const res = await this.send('GET', `ac/${key}`);
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      if (res.statusCode === 404) return undefined;
      if (res.statusCode !== 200) throw new Failure(`HTTP ${res.statusCode} on GET`, res.statusCode);
      const text = Buffer.concat(chunks).toString('utf8');
      return text.length > 0 ? text : undefined;
    } catch (e) {
      this.fail(e, 'lookup');
      return undefined;
    }
  }

  /** Streams a blob to `dest`, hashing it on the way; the caller compares hash and size with what it expects. */
  async download(sha: string, dest: string): Promise<Download> {
    if (this.down) return { ok: false, problem: 'remote cache off' };
    try {
      const res = await this.send('GET', `cas/${sha}`);
      if (res.statusCode === 404) {
        res.resume();
        return { ok: false, problem: 'missing on the server', missing: true };
      }
      if (res.statusCode !== 200) {
        res.resume();
        throw new Failure(`HTTP ${res.statusCode} on GET`, res.statusCode);
      }
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
      });
      await pipeline(res, createWriteStream(dest, { mode: 0o644 }));
      return { ok: true, sha256: hash.digest('hex'), size };
    } catch (e) {
      this.fail(e, 'download');
      return { ok: false, problem: 'download failed' };
    }
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= PARALLEL) await new Promise<void>((r) => this.queue.push(r));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  /** PUT with bounded retries: network errors and 5xx are retried, a 4xx is an answer. */
  private async put(path: string, body: { file: string; size: number }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.status('PUT', path, body);
        return;
      } catch (e) {
        const status = e instanceof Failure ? e.status : undefined;
        if ((status !== undefined && status < 500) || attempt >= RETRIES || this.down) throw e;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async putBlob(sha: string, file: string, size: number): Promise<void> {
    if (this.present.has(sha)) return;
    if ((await this.status('HEAD', `cas/${sha}`)) !== 200) {
      await this.slot(() => this.put(`cas/${sha}`, { file, size }));
    }
    this.present.add(sha);
  }

  /**
   * Uploads an entry's blobs in parallel, then the entry: the entry is the commit point, so a reader never finds
   * one whose blobs are not all there. A key the server already holds is left as it is.
   */
  upload(key: string, entryFile: string, entrySize: number, blobs: readonly Blob[]): Promise<Uploaded> {
    if (!this.opts.upload || this.down || this.refused) return Promise.resolve('skipped');
    const work = (async (): Promise<Uploaded> => {
      try {
        if ((await this.status('HEAD', `ac/${key}`)) === 200) return 'present';
        await Promise.all(blobs.map((b) => this.putBlob(b.sha256, b.file, b.size)));
        await this.slot(() => this.put(`ac/${key}`, { file: entryFile, size: entrySize }));
        return 'uploaded';
      } catch (e) {
        const status = e instanceof Failure ? e.status : undefined;
        if (status !== undefined && status >= 400 && status < 500) {
          if (!this.refused) {
            this.opts.warn(
              `remote cache ${this.where} refused an upload (HTTP ${status}): check the credentials ` +
                'or set cache.remote_upload: false; not uploading for the rest of this run',
            );
          }
          this.refused = true;
        } else {
          this.fail(e, 'upload');
        }
        return 'failed';
      }
    })();
    this.uploads.add(work);
    void work.finally(() => this.uploads.delete(work));
    return work;
  }

  /** Waits for every upload started so far. */
  async flush(): Promise<void> {
    while (this.uploads.size > 0) await Promise.all([...this.uploads]);
  }

  close(): void {
    this.agent.destroy();
  }
}
