/**
 * What a stage's key is made of, gathered for the planner (pipeline/plan/plan.ts): its config slice, its inputs (a
 * producer's output, or while producers are skipped the first fallback's; the user files it names, hashed by
 * content) and the tools it declares, probed. Or why it cannot have a key now: it is left out, a producer it
 * needs has nothing to give, or (in `plan`) a producer is rebuilt first.
 */
import { basename } from 'node:path';
import { refChain, type AnyStage } from './graph.js';
import { hashFile } from '../store/hash-file.js';
import type { Cause } from '../cause.js';
import { err, ok, type Result } from '../result.js';
import { declaredOptions, type InputRef, type ToolFound, type UserFiles } from '../stage.js';
import type { StoredOutput } from '../store/store.js';
import type { ToolProbes } from './tools.js';

/** A file the user names, handed to the stage where it lies. */
export interface UserFile {
  /** Its base name, as an artifact's `file` is. */
  file: string;
  /** Its content hash: what the key takes of it (never its path). */
  sha256: string;
  /** Where it lies, as the config names it (resolved): the stage reads it there. */
  path: string;
}

/** An artifact (placed from the store under its file name), or a user file. */
export type StepInput = StoredOutput | UserFile;

export const isUserFile = (i: StepInput): i is UserFile => 'path' in i;

/** What a consumer sees of its producer: its outputs, none yet (`plan`: it is rebuilt first), or none and why. */
export type Produced =
  | { state: 'pending' }
  | {
      state: 'ready';
      /** What it built or a hit served, by label. */
      outputs: Record<string, StoredOutput>;
    }
  | {
      state: 'absent';
      /** It failed (its consumers are skipped as upstream-failed), rather than being skipped. */
      failed: boolean;
      /** Why it has nothing, as a value. */
      cause?: Cause;
      /** Why it has nothing, in words: its consumers' skip says it. */
      message?: string;
    };

/** A stage's key parts, gathered: what the fingerprint hashes, and the files the stage is handed. */
export interface Gathered {
  /** The stage's config slice (what its `config()` returns), with the options it takes into its key. */
  config: unknown;
  /** Its declared tools, by name, as their probes found them. */
  tools: Record<string, ToolFound>;
  /** What the key hashes, by label (a group's files as `group/name`); `undefined` for a skipped optional input. */
  inputs: Record<string, StepInput | undefined>;
  /** The user files as the stage's `files` named them, groups whole: what its `ctx.inputs` holds of them. */
  files: UserFiles;
}

/** No key now: `skip` (with `failed` when the stage counts as failed), or `pending`. */
export type NoKey =
  | { kind: 'pending' }
  | {
      kind: 'skip';
      /** Why, as a value. */
      cause: Cause;
      /** Why, in one sentence. */
      message: string;
      /** The stage counts as failed (a required tool missing, a probe that threw). */
      failed: boolean;
    };

/** What gathering needs beside the stage: the run's probes and the command's filters and options. */
export interface GatherOptions {
  /** The run's tool probes: each tool is probed once per run, whatever number of stages declare it. */
  probes: ToolProbes;
  /** Tool names whose absence is an error, not a skip. */
  require?: readonly string[];
  /** Stages left out by the caller (e.g. `--precision`): name → message. */
  excluded?: ReadonlyMap<string, string>;
  /** The run's stage options (`--precision`): a stage's `config` may take what changes its outputs into its key. */
  options?: Readonly<Record<string, unknown>>;
}

const skip = (cause: Cause, message: string, failed = false): Result<never, NoKey> =>
  err({ kind: 'skip', cause, message, failed });

type Absent = Extract<Produced, { state: 'absent' }>;

/** A producer that failed, or was skipped because something upstream failed: never fallen back past. */
const blocks = (p: Absent) => p.failed || p.cause === 'upstream-failed' || p.cause === 'interrupted';

/** The output an input reads: its producer's, else, while producers are skipped, the first fallback's. */
function resolveRef(
  ref: InputRef,
  producers: (stage: string) => Produced,
): StoredOutput | 'pending' | { stage: string; absent: Absent } {
  for (const r of refChain(ref)) {
    const p = producers(r.stage);
    if (p.state === 'pending') return 'pending';
    if (p.state === 'ready') {
      const o = p.outputs[r.output];
      if (!o) throw new Error(`Internal error: ${r.stage} has no output ${r.output}`);
      return o;
    }
    if (blocks(p)) return { stage: r.stage, absent: p };
  }
  const first = producers(ref.stage);
  return { stage: ref.stage, absent: first.state === 'absent' ? first : { state: 'absent', failed: false } };
}

/** Why a consumer cannot run without `stage`: a producer left out passes its message on. */
function missing(stage: string, p: Absent): Result<never, NoKey> {
  if (p.failed) return skip('upstream-failed', `needs ${stage}, which was failed`);
  if (p.cause === 'upstream-failed')
    return skip('upstream-failed', `needs ${stage}, which was skipped after a failure upstream`);
  if (p.cause === 'interrupted') return skip('interrupted', `needs ${stage}, which was interrupted`);
  if (p.cause === 'excluded' && p.message) return skip('excluded', p.message);
  return skip('upstream-skipped', `needs ${stage}, which was skipped`);
}

/** Each user file by the label its hash enters the key under: its own, or `group/name` for a group's. */
const keyLabels = (files: UserFiles): Array<[string, string]> =>
  Object.entries(files).flatMap(([label, f]): Array<[string, string]> => {
    if (f === undefined) return [];
    return typeof f === 'string' ? [[label, f]] : Object.entries(f).map(([name, path]) => [`${label}/${name}`, path]);
  });

/** The user files a stage names, and each one's hash by content under its key label. */
async function userFiles(
  def: AnyStage,
  root: Readonly<Record<string, unknown>>,
): Promise<Result<{ files: UserFiles; keyed: Record<string, UserFile> }, string>> {
  const files = def.files ? await def.files(root) : ok<UserFiles>({});
  if (!files.ok) return files;
  const keyed: Record<string, UserFile> = {};
  for (const [label, path] of keyLabels(files.value)) {
    try {
      keyed[label] = { sha256: await hashFile(path), file: basename(path), path };
    } catch (e) {
      return err(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  return ok({ files: files.value, keyed });
}

/** The artifacts a stage reads; `pending` while a producer is rebuilt first. */
function artifacts(
  def: AnyStage,
  producers: (stage: string) => Produced,
): Result<Record<string, StoredOutput | undefined> | 'pending', NoKey> {
  const inputs: Record<string, StoredOutput | undefined> = {};
  let pending = false;
  for (const [label, ref] of Object.entries(def.inputs)) {
    const o = resolveRef(ref, producers);
    if (o === 'pending') pending = true;
    else if (!('absent' in o)) inputs[label] = o;
    else if (ref.optional) inputs[label] = undefined;
    else return missing(o.stage, o.absent);
  }
  return ok(pending ? 'pending' : inputs);
}

/** The stage's declared tools, each probed once per run; a missing one skips it, or fails it under `--require`. */
async function tools(
  def: AnyStage,
  config: unknown,
  o: GatherOptions,
): Promise<Result<Record<string, ToolFound>, NoKey>> {
  const found: Record<string, ToolFound> = {};
  for (const spec of def.tools ?? []) {
    let probe;
    try {
      probe = await o.probes.probe(spec, config);
    } catch (e) {
      const why = `internal error in the ${spec.name} probe of stage ${def.name}: ${(e as Error).message}`;
      return skip('unknown-error-thrown', why, true);
    }
    if (!probe.ok) {
      const required = o.require?.includes(spec.name) ?? false;
      const said = required ? 'is required (--require) but unavailable' : 'unavailable';
      return skip('tool-unavailable', `${spec.name} ${said}: ${probe.error.message}`, required);
    }
    found[spec.name] = probe.value;
  }
  return ok(found);
}

export async function gather(
  def: AnyStage,
  root: Readonly<Record<string, unknown>>,
  producers: (stage: string) => Produced,
  o: GatherOptions,
): Promise<Result<Gathered, NoKey>> {
  const excluded = o.excluded?.get(def.name);
  if (excluded) return skip('excluded', excluded);
  const notApplicable = def.when?.(root);
  if (notApplicable) return skip('inapplicable', notApplicable);
  const read = artifacts(def, producers);
  if (!read.ok) return read;
  const files = await userFiles(def, root);
  if (!files.ok) return skip('bad-input', `${def.name}: ${files.error}`, true);
  let config: unknown;
  try {
    config = def.config(root, declaredOptions(def.options, o.options ?? {}));
  } catch (e) {
    return skip(
      'unknown-error-thrown',
      `internal error in stage ${def.name} reading its config: ${(e as Error).message}`,
      true,
    );
  }
  const found = await tools(def, config, o);
  if (!found.ok) return found;
  // A tool that is missing says so even while a producer is rebuilt: `plan` shows the skip, not `pending`.
  if (read.value === 'pending') return err({ kind: 'pending' });
  return ok({ config, tools: found.value, inputs: { ...read.value, ...files.value.keyed }, files: files.value.files });
}
