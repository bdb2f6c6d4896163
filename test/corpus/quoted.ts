/**
 * Corpus tests hold their counts to the figures the docs quote (docs/optimize.md, docs/corpus.md). A count
 * may stray from its quote by a few models, because which libonnx-testdata models onnxruntime-node can load and
 * run moves with its version; a decline or a skip may only be fewer than quoted, never more, since more would
 * mean the tool got weaker while the docs still claim the old figure.
 */
import assert from 'node:assert/strict';

export const TOLERANCE = 3;

export function assertNear(what: string, actual: number, quoted: number): void {
  assert.ok(Math.abs(actual - quoted) <= TOLERANCE, `${what}: ${actual}, the docs quote ${quoted} (± ${TOLERANCE})`);
}

export function assertAtMost(what: string, actual: number, quoted: number): void {
  assert.ok(actual <= quoted, `${what}: ${actual}, the docs quote ${quoted} and no more`);
}
