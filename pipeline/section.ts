/**
 * A stage's config section with its defaults filled in. The runner hands over a config the schema has already
 * defaulted; merging again keeps a stage callable on a partial section (tests, bench scripts). Nested objects
 * merge key by key; arrays and scalars replace; an absent or undefined value keeps the default.
 */
export function configSection<T extends object>(root: Readonly<Record<string, unknown>>, name: string, defaults: T): T {
  return merge(defaults, root[name]) as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base, ...over };
  for (const key of Object.keys(base)) out[key] = merge(base[key], over[key]);
  return out;
}
