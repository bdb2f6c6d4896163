/**
 * Tensors whose bytes live in files beside the model (`external_data`: location, offset, length). A location
 * is a path relative to the model's folder; one that leaves it (`..`, an absolute path, a symlink pointing out)
 * could make a model file read anything on the machine, so every location is checked before any byte of any of
 * them is read, and the model is refused naming the tensor and the location.
 */
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { err, ok, type Result } from '../pipeline/result.js';
import type { onnx } from 'onnx-proto';
import type { Attribute, Graph, Model, Tensor } from './ir.js';

/** A tensor stored outside the model file, and where its bytes are. */
export interface ExternalRef {
  /** The tensor, as decoded (no bytes yet). */
  tensor: Tensor;
  /** The file, relative to the model's folder, as the model names it. */
  location: string;
  /** Where its bytes start in the file. */
  offset: number;
  /** Undefined: to the end of the file. */
  length?: number;
}

/** What checking where a reference points needs of it: the location, and the tensor to name in a message. */
export type ExternalLocation = Pick<ExternalRef, 'location'> & {
  /** The tensor, for its name. */
  tensor: Pick<Tensor, 'name'>;
};

const EXTERNAL = 1;

/** The top-level tensors of the graph: initializers and tensor attributes (Constant values). */
function tensorsOf(graph: Graph): Tensor[] {
  const out = [...graph.initializers];
  for (const n of graph.nodes) for (const a of n.attributes) if (a.value.kind === 'tensor') out.push(a.value.value);
  return out;
}

type GraphProto = NonNullable<onnx.IAttributeProto['g']>;

/** A tensor stored externally inside an If/Loop/Scan body (at any depth), by name; undefined when none is. */
function externalInBodies(graphs: readonly GraphProto[]): string | undefined {
  for (const g of graphs) {
    const attributes = (g.node ?? []).flatMap((n) => n.attribute ?? []);
    const tensors = [...(g.initializer ?? []), ...attributes.flatMap((a) => [a.t, ...(a.tensors ?? [])])];
    const hit = tensors.find((t) => t?.dataLocation === EXTERNAL);
    if (hit) return hit.name ?? '';
    const inner = attributes.flatMap((a) => [a.g, ...(a.graphs ?? [])]).filter((x): x is GraphProto => !!x);
    const deeper = externalInBodies(inner);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

const bodiesOf = (graph: Graph): GraphProto[] =>
  graph.nodes
    .flatMap((n) => n.attributes)
    .flatMap((a) => (a.value.kind === 'opaque' ? [a.value.value.g, ...(a.value.value.graphs ?? [])] : []))
    .filter((x): x is GraphProto => !!x);

/**
 * The external references of `model`'s top-level tensors, or why there cannot be any: an entry is malformed, or
 * a body's tensor is stored externally (those are not read in, so they are refused rather than left to a runtime).
 */
export function externalRefs(model: Model): Result<ExternalRef[], string> {
  const inBody = externalInBodies(bodiesOf(model.graph));
  if (inBody !== undefined) {
    return err(
      `tensor '${inBody}' inside an If/Loop/Scan body is stored externally, which is not supported; ` +
        'save the model with the weights of its bodies inside',
    );
  }
  const refs: ExternalRef[] = [];
  for (const t of tensorsOf(model.graph)) {
    if (t.proto.dataLocation !== EXTERNAL) continue;
    const kv = new Map((t.proto.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location');
    if (!location) {
      return err(`tensor '${t.name}' is stored externally but names no location (field TensorProto.external_data)`);
    }
    const offset = Number(kv.get('offset') ?? 0);
    const length = kv.has('length') ? Number(kv.get('length')) : undefined;
    const count = (v: number | undefined) => v === undefined || (Number.isSafeInteger(v) && v >= 0);
    if (!count(offset) || !count(length)) {
      return err(
        `tensor '${t.name}': external data offset ${kv.get('offset')} / length ${kv.get('length')} is not ` +
          `a byte count`,
      );
    }
    refs.push({ tensor: t, location, offset, length });
  }
  return ok(refs);
}

/**
 * The file of each location, inside `dir` (the model's folder) and never outside it; checked for every
 * location before any data file is opened.
 */
export async function externalFiles(
  refs: readonly ExternalLocation[],
  dir: string,
): Promise<Result<Map<string, string>, string>> {
  const root = await realpath(dir).catch(() => dir);
  const files = new Map<string, string>();
  for (const r of refs) {
    if (files.has(r.location)) continue;
    const refuse = (why: string) =>
      err(
        `tensor '${r.tensor.name}': external data location ` +
          `${JSON.stringify(r.location)} ${why}; external data must sit in the model's folder (or below it)`,
      );
    if (/[\0-\x1f]/.test(r.location)) return refuse('contains a control character');
    if (isAbsolute(r.location) || /^[A-Za-z]:|^[\\/]/.test(r.location)) return refuse('is an absolute path');
    const norm = normalize(r.location);
    if (norm === '..' || norm.startsWith(`..${sep}`) || norm.split(/[\\/]/).includes('..')) {
      return refuse("leaves the model's folder");
    }
    const path = join(root, norm);
    const real = await realpath(path).catch((e: NodeJS.ErrnoException) => e);
    if (real instanceof Error) return refuse(`cannot be found (${real.code ?? real.message})`);
    const rel = relative(root, real);
    if (rel.startsWith('..') || isAbsolute(rel)) return refuse("is a symlink that leaves the model's folder");
    files.set(r.location, real);
  }
  return ok(files);
}

/**
 * The model with every external tensor's bytes read into `raw_data`, so passes, the validator and onnxruntime
 * (from bytes) see an ordinary model. Locations are checked (externalFiles) before anything is read.
 */
export async function internalize(model: Model, dir: string): Promise<Result<Model, string>> {
  const refs = externalRefs(model);
  if (!refs.ok) return refs;
  if (refs.value.length === 0) return ok(model);
  const files = await externalFiles(refs.value, dir);
  if (!files.ok) return files;
  const loaded = new Map<Tensor, Tensor>();
  for (const r of refs.value) {
    const tensor = await readExternal(r, files.value.get(r.location)!);
    if (!tensor.ok) return tensor;
    loaded.set(r.tensor, tensor.value);
  }
  return ok(withLoaded(model, loaded));
}

/** The tensor with its bytes read from `path` into `raw_data`, its external-data fields gone. */
async function readExternal(r: ExternalRef, path: string): Promise<Result<Tensor, string>> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const length = r.length ?? size - r.offset;
    if (r.offset + length > size) {
      return err(
        `tensor '${r.tensor.name}': external data ${r.location} has ${size} bytes, the tensor needs ` +
          `${r.offset + length}`,
      );
    }
    const rawData = new Uint8Array(length);
    await file.read(rawData, 0, length, r.offset);
    const { externalData: _e, dataLocation: _d, ...rest } = r.tensor.proto;
    return ok({ ...r.tensor, proto: { ...rest, rawData } });
  } finally {
    await file.close();
  }
}

/** The model with each loaded tensor in place of its external one, initializer or node attribute. */
function withLoaded(model: Model, loaded: ReadonlyMap<Tensor, Tensor>): Model {
  const swap = (t: Tensor): Tensor => loaded.get(t) ?? t;
  const isLoaded = (a: Attribute) => a.value.kind === 'tensor' && loaded.has(a.value.value);
  const swapAttribute = (a: Attribute): Attribute =>
    a.value.kind === 'tensor' && loaded.has(a.value.value)
      ? { name: a.name, value: { kind: 'tensor', value: swap(a.value.value) } }
      : a;
  const graph = model.graph;
  return {
    ...model,
    graph: {
      ...graph,
      initializers: graph.initializers.map(swap),
      nodes: graph.nodes.map((n) =>
        n.attributes.some(isLoaded) ? { ...n, attributes: n.attributes.map(swapAttribute) } : n,
      ),
    },
  };
}
