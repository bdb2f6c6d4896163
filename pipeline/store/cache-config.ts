/**
 * The run config's `cache` section, which belongs to the engine rather than to a stage (no stage reads it, so
 * it enters no key), and the remote cache it describes:
 *   cache:
 *     remote: https://cache.example.com/enginefoundry   # or --remote-cache URL
 *     remote_upload: false                              # read only (pull requests)
 *     remote_credentials_env: EF_CACHE_TOKEN            # the variable holding `user:password` or a token
 *     remote_timeout_s: 10
 */
import { Type } from '@sinclair/typebox';
import { err, ok, type Result } from '../result.js';
import { authorizationFor, RemoteCache } from './remote-cache.js';
import { configSection, Section } from '../config/section.js';

export const cacheSchema = Section({
  remote: Type.Optional(Type.String({ minLength: 1 })),
  remote_upload: Type.Boolean({ default: true }),
  remote_credentials_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
  remote_timeout_s: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 10 }),
});

/** The project's schema with the engine's `cache` section added. */
export function withCacheSection(schema: object): object {
  const s = schema as { properties?: Record<string, unknown> };
  return { ...schema, properties: { ...(s.properties ?? {}), cache: cacheSchema } };
}

/** The config without the engine's own section: what identifies the config a view was made from. */
export function stageConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { cache: _cache, ...rest } = config;
  return rest;
}

/**
 * The remote cache the flag or the config names, or none. A URL with credentials in it is refused: they would
 * end up in logs; the secret belongs in the environment variable the config names.
 */
export function remoteFrom(
  flag: string | undefined,
  config: Readonly<Record<string, unknown>>,
  file: string,
  warn: (m: string) => void,
): Result<RemoteCache | undefined, string> {
  const section = configSection(config, 'cache', cacheSchema);
  const raw = flag ?? section.remote;
  if (!raw) return ok(undefined);
  const url = remoteUrl(raw, flag ? '--remote-cache' : `${file}: cache.remote`);
  if (!url.ok) return url;
  const envName = section.remote_credentials_env;
  const secret = envName ? process.env[envName] : undefined;
  if (envName && !secret) {
    warn(
      `${file}: cache.remote_credentials_env names ${envName}, which is not set: ` +
        'using the remote cache without credentials',
    );
  }
  return ok(
    new RemoteCache({
      url: url.value.href,
      upload: section.remote_upload,
      authorization: secret ? authorizationFor(secret) : undefined,
      timeoutMs: section.remote_timeout_s * 1000,
      warn,
    }),
  );
}

/** The cache's base URL, http or https, without credentials in it (they would end up in logs). */
function remoteUrl(raw: string, where: string): Result<URL, string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err(`${where}: not a URL; give the cache's base URL, e.g. http://cache.internal:8080/enginefoundry`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return err(`${where}: only http and https remote caches are supported`);
  }
  if (url.username || url.password) {
    return err(
      `${where}: the URL holds credentials; put them in an environment variable and name it in ` +
        'cache.remote_credentials_env',
    );
  }
  return ok(url);
}
