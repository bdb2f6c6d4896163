/**
 * The user's model as they know it: its name (the file's, without `.onnx`) and its path as given (relative to
 * the working directory when it lies under it, else absolute). Stages that name the model to the user (validate's
 * error, graph.html, bench.json and the report) take it from here, never from the store's `model.onnx`.
 */
import { basename, isAbsolute, relative } from 'node:path';
import { sourceSection } from './config.js';

export type GivenModel = {
  name: string;
  path: string;
};

export function givenModel(root: Readonly<Record<string, unknown>>, cwd = process.cwd()): GivenModel | undefined {
  const path = sourceSection(root).path;
  if (path === undefined) return undefined;
  const rel = relative(cwd, path);
  const shown = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return { name: basename(path).replace(/\.onnx$/i, ''), path: shown };
}
