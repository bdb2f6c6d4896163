/**
 * Code identity: a digest of the code that makes a stage's outputs, so a changed pass misses its stage and
 * a README typo misses nothing. It is computed when the CLI is bundled, from esbuild's module graph: the module
 * that declares the stage and everything it imports, statically or lazily (its `run`), each by the hash of its
 * compiled bytes; a package from node_modules (bundled or external, e.g. onnxruntime-node) counts by its name and
 * installed version. The bundle ships the digests in dist/code-identity.json, keyed by stage name.
 */
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonical, sha256 } from './fingerprint.js';

/** One module: the hash (or `name@version` for a package) and the modules it imports. */
export interface ModuleNode {
  /** The compiled module's content hash, or `name@version` for a package. */
  hash: string;
  /** The ids of the modules it imports, statically or lazily. */
  imports: readonly string[];
}
/** Every module of the bundle by id: a source path, or `package:name` for a package. */
export type ModuleGraph = Readonly<Record<string, ModuleNode>>;

/** The part of esbuild's metafile this reads. */
export interface Metafile {
  /** Each input module, by its path relative to the project. */
  inputs: Record<
    string,
    {
      /** What the module imports. */
      imports: Array<{
        /** The imported module's path (or a package's specifier when external). */
        path: string;
        /** Left out of the bundle (a package loaded from node_modules at run time). */
        external?: boolean;
      }>;
    }
  >;
}

export const CODE_IDENTITY_FILE = 'code-identity.json';

/** `node_modules/@a/b/x.js` → `@a/b`; `onnxruntime-node/dist/x` → `onnxruntime-node`. */
export function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  const rest = at >= 0 ? path.slice(at + 'node_modules/'.length) : path;
  const parts = rest.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * The module graph of a bundle. `hashOf` gives a source module's content hash, `versionOf` a package's installed
 * version. Node's built-in modules are left out: they come with the Node version, not the project.
 */
export function graphFromMetafile(
  meta: Metafile,
  hashOf: (path: string) => string,
  versionOf: (pkg: string) => string,
): Record<string, ModuleNode> {
  const graph: Record<string, ModuleNode> = {};
  const pkgNode = (pkg: string): string => {
    const id = `package:${pkg}`;
    graph[id] ??= { hash: `${pkg}@${versionOf(pkg)}`, imports: [] };
    return id;
  };
  for (const [path, input] of Object.entries(meta.inputs)) {
    const imports: string[] = [];
    for (const imp of input.imports) {
      if (isBuiltin(imp.path) || (imp.external && !/^[@a-z0-9]/i.test(imp.path))) continue;
      if (imp.external) imports.push(pkgNode(packageOf(imp.path)));
      else if (imp.path.includes('node_modules/')) imports.push(pkgNode(packageOf(imp.path)));
      else imports.push(imp.path);
    }
    if (path.includes('node_modules/')) continue;
    graph[path] = { hash: hashOf(path), imports };
  }
  return graph;
}

/** The digest of `root` and everything it reaches; a module's path counts with its bytes. */
export function closureDigest(graph: ModuleGraph, root: string): string {
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length > 0) {
    const m = todo.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    const node = graph[m];
    if (!node) throw new Error(`Internal error: module ${m} is not in the bundle's module graph`);
    todo.push(...node.imports);
  }
  return sha256(canonical([...seen].sort().map((m) => [m, graph[m]!.hash])));
}

/** dist/ of this build: this module is dist/pipeline/plan/code-identity.js, or part of the bundle under dist/cli/. */
function distDir(): string | undefined {
  const m = /^(.*)[\\/]dist[\\/](?:pipeline[\\/]plan|cli)[\\/][^\\/]+\.js$/.exec(fileURLToPath(import.meta.url));
  return m ? join(m[1]!, 'dist') : undefined;
}

/**
 * Stage name → code digest, as the bundle recorded it. Empty when there is none (the sources run under tsx):
 * keys then carry no code identity, which can only cost a miss, never a stale hit against a bundled build.
 */
export async function loadCodeIdentity(dir = distDir()): Promise<Record<string, string>> {
  if (!dir) return {};
  try {
    const v = JSON.parse(await readFile(join(dir, CODE_IDENTITY_FILE), 'utf8')) as { stages?: Record<string, unknown> };
    const stages = Object.entries(v.stages ?? {});
    return Object.fromEntries(stages.filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
