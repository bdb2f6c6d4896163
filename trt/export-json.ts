/**
 * The JSON files trtexec writes with --exportTimes and --exportOutput. trtexec writes floats with
 * iostream defaults, so a non-finite value comes out as a bare `nan` or `inf`, which JSON.parse rejects;
 * those tokens are read as NaN/Infinity.
 */
import { readFile } from 'node:fs/promises';
import { err, ok, type Result } from '../pipeline/result.js';

export interface TimingRecord {
  startEnqMs: number;
  endEnqMs: number;
  startH2dMs: number;
  endH2dMs: number;
  startComputeMs: number;
  endComputeMs: number;
  startD2hMs: number;
  endD2hMs: number;
  h2dMs: number;
  computeMs: number;
  d2hMs: number;
  /** h2dMs + computeMs + d2hMs. */
  latencyMs: number;
}

export interface ExportedOutput {
  name: string;
  dims: number[];
  values: number[];
}

const NON_FINITE = /(?<=[[,:]\s*)(-?)(nan|inf)(?=\s*[\],}])/gi;

function parseLenient(text: string): unknown {
  const marked = text.replace(NON_FINITE, (_m, sign: string, word: string) => `"${sign}${word.toLowerCase()}"`);
  return JSON.parse(marked, (_k, v: unknown) =>
    v === 'nan' || v === '-nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v,
  );
}

async function readJson(path: string, what: string): Promise<Result<unknown, string>> {
  try {
    return ok(parseLenient(await readFile(path, 'utf8')));
  } catch (e) {
    return err(`${what} ${path} is missing or not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

export async function readExportTimes(path: string): Promise<Result<TimingRecord[], string>> {
  const json = await readJson(path, 'the --exportTimes file');
  if (!json.ok) return json;
  if (!Array.isArray(json.value) || json.value.some((r) => typeof (r as TimingRecord)?.latencyMs !== 'number')) {
    return err(`the --exportTimes file ${path} is not a list of timing records with latencyMs`);
  }
  return ok(json.value as TimingRecord[]);
}

export async function readExportOutput(path: string): Promise<Result<ExportedOutput[], string>> {
  const json = await readJson(path, 'the --exportOutput file');
  if (!json.ok) return json;
  const list = json.value as { name?: unknown; dimensions?: unknown; values?: unknown }[];
  if (
    !Array.isArray(list) ||
    list.some((o) => typeof o?.name !== 'string' || typeof o.dimensions !== 'string' || !Array.isArray(o.values))
  ) {
    return err(`the --exportOutput file ${path} is not a list of {name, dimensions, values}`);
  }
  return ok(
    list.map((o) => ({
      name: o.name as string,
      dims: (o.dimensions as string)
        .split('x')
        .filter((d) => d !== '')
        .map(Number),
      values: (o.values as unknown[]).map(Number),
    })),
  );
}
