/**
 * The only place cache keys are made. A key is SHA-256 over a canonical JSON encoding (sorted keys, no
 * whitespace) of what a stage's output is a function of: its name and version, the digest of its code
 * (pipeline/plan/code-identity.ts), its config slice, the content hashes of its inputs (with their companions) and
 * the fingerprints of its tools. Never timestamps or absolute paths. The same data is stored beside each entry,
 * so `--explain` can say which of these changed since the stage last ran (pipeline/plan/explain.ts).
 */
import { createHash } from 'node:crypto';

/** What a key hashes, as stored beside its entry: `--explain` compares two of them field by field. */
export interface KeyData {
  /** The stage's name. */
  stage: string;
  /** The stage's declared version: raised by hand for a change the code digest cannot see. */
  version: number;
  /** Digest of the code that makes the stage's outputs (its modules, what they import, package versions). */
  code: string | null;
  /** The stage's slice of the run config, defaults filled in. */
  config: unknown;
  /** Input label → content hash of the input (with its companions); null for a skipped optional input. */
  inputs: Record<string, string | null>;
  /** Tool name → what the probe reported. */
  tools: Record<string, Readonly<Record<string, string>>>;
}

declare const made: unique symbol;

/** A stage's key and the data it hashes; only `fingerprint()` makes one. */
export type Fingerprint = {
  /** SHA-256 of the canonical JSON of `data`, hex. */
  readonly key: string;
  /** What the key hashes. */
  readonly data: KeyData;
} & { readonly [made]: true };

/** An input as its consumer's key sees it: its bytes, and those of the files that travel with it. */
export interface KeyInput extends Hashed {
  /** A model's external data beside it (pipeline/store/companions.ts), by its name relative to the input's folder. */
  companions?: Readonly<Record<string, Hashed>>;
}

/** A file as a key sees it. */
export interface Hashed {
  /** SHA-256 of its bytes, hex. */
  sha256: string;
}

/** A tool as a key sees it. */
export interface KeyTool {
  /** What the probe reported of the tool (versions, GPU): what the stage's outputs depend on. */
  fingerprint: Readonly<Record<string, string>>;
}

/** Everything a stage's output is a function of. */
export interface KeyParts {
  /** The stage's name and declared version. */
  stage: {
    /** Its name in the registry. */
    name: string;
    /** Raised by hand for a change the code digest cannot see. */
    version: number;
  };
  /** The stage's code digest (pipeline/plan/code-identity.ts); absent when running from the TypeScript sources. */
  code: string | undefined;
  /** The stage's slice of the run config: what its `config()` returns. */
  config: unknown;
  /** `undefined` for a skipped optional input. */
  inputs: Readonly<Record<string, KeyInput | undefined>>;
  /** The stage's tools, by name, as their probes found them. */
  tools: Readonly<Record<string, KeyTool>>;
}

/** JSON with object keys sorted at every level; `undefined` members are dropped as JSON.stringify does. */
export function canonical(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Internal error: non-finite number ${value} in a cache key`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  throw new Error(`Internal error: ${typeof value} cannot enter a cache key`);
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key of some key data: also how an entry read back from the store is checked against its key. */
export const keyOf = (data: KeyData): string => sha256(canonical(data));

/** An input's content, with its companions' when it has any (sorted by name, so their order does not count). */
function inputHash(input: KeyInput): string {
  const c = Object.entries(input.companions ?? {});
  if (c.length === 0) return input.sha256;
  const named = c.sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, x]) => [n, x.sha256]);
  return sha256(JSON.stringify([input.sha256, ...named]));
}

const mapValues = <T, U>(o: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

export function fingerprint(parts: KeyParts): Fingerprint {
  const data: KeyData = {
    stage: parts.stage.name,
    version: parts.stage.version,
    code: parts.code ?? null,
    config: parts.config ?? null,
    inputs: mapValues(parts.inputs, (i) => (i ? inputHash(i) : null)),
    tools: mapValues(parts.tools, (t) => t.fingerprint),
  };
  return { key: keyOf(data), data } as Fingerprint;
}

/** A short hash of tool fingerprints: the persistent directory of a stage (e.g. a TensorRT timing cache). */
export const toolsHash = (tools: KeyData['tools']): string => sha256(canonical(tools)).slice(0, 16);
