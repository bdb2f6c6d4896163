/**
 * Bounds on what a config may make the tool read, so a careless or hostile config is refused in milliseconds
 * instead of running for minutes or exhausting memory. Each can be raised on purpose through its environment
 * variable; the refusal names the variable.
 */
/** One bound, as the refusal states it. */
export interface Limit {
  /** The bound in force: the environment variable's when it is a positive integer, else the default. */
  value: number;
  /** The environment variable that raises it. */
  env: string;
  /** What `value` counts (`bytes`, `items`), for the message. */
  unit: string;
}

function limit(env: string, fallback: number, unit: string): Limit {
  const raw = process.env[env];
  const n = raw === undefined ? NaN : Number(raw);
  return { value: Number.isSafeInteger(n) && n > 0 ? n : fallback, env, unit };
}

export const limits = () => ({
  /** A config file's size: the shipped configs are ~1 KB; parsing YAML costs ~1 KB of memory per byte at worst. */
  configBytes: limit('ENGINEFOUNDRY_MAX_CONFIG_BYTES', 64 << 10, 'bytes'),
  /** Items in any one array of the config (batch sizes, passes, engines). */
  arrayItems: limit('ENGINEFOUNDRY_MAX_ARRAY_ITEMS', 1000, 'items'),
  /** YAML alias expansions in one config (the "billion laughs" guard). */
  yamlAliases: limit('ENGINEFOUNDRY_MAX_YAML_ALIASES', 100, 'aliases'),
});

export const overLimit = (what: string, l: Limit): string =>
  `${what} over the limit of ${l.value} ${l.unit} (${l.env} raises it)`;
