/**
 * Validation from a path, for the stage and the CLI: a file that cannot be read or decoded is one
 * message naming the file, never an exception.
 */
import { err, ok, type Result } from '../../pipeline/result.js';
import { readModelFile } from '../serde.js';
import { validateModel, type NodeCounts, type ValidationReport } from './index.js';

export async function validateFile(path: string): Promise<Result<ValidationReport, string>> {
  const model = await readModelFile(path);
  if (!model.ok) return err(model.error);
  return ok(validateModel(model.value));
}

/** One line per issue: what, and where (node, field). */
export function describeIssue(issue: { message: string; node?: string; field?: string }): string {
  const where = [issue.node && !issue.message.includes(issue.node) ? `node ${issue.node}` : '', issue.field ?? '']
    .filter(Boolean)
    .join(', ');
  return where ? `${issue.message} [${where}]` : issue.message;
}

/** `689 nodes (684 inside 62 nested graphs): 689 checked, 0 unchecked`. */
export function describeCounts(n: NodeCounts): string {
  const graphs = `${n.subgraphs} nested graph${n.subgraphs === 1 ? '' : 's'}`;
  const nested = n.inSubgraphs ? ` (${n.inSubgraphs} inside ${graphs})` : '';
  return `${n.total} node${n.total === 1 ? '' : 's'}${nested}: ${n.checked} checked, ${n.unchecked} not checked`;
}
