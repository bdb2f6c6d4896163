/**
 * Where a config field is, as `file:line:col`, so an error points at the line to edit. A path the file does
 * not hold (a missing field, a default) points at the nearest section it does hold, or at the file alone.
 */
import { isMap, isNode, isScalar, type Document, type LineCounter, type Node } from 'yaml';

/** Where a field path is: `file:line:col` of its value, or of its key when `atKey` (an unknown or bad key). */
export type Where = (path: readonly string[], atKey?: boolean) => string;

export function locator(file: string, doc: Document, lines: LineCounter): Where {
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  return (path, atKey = false) => {
    for (let n = path.length; n > 0; n--) {
      const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
      if (!isMap(parent)) continue;
      const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === path[n - 1]);
      if (!pair) continue;
      const node = (n === path.length && atKey) || !isNode(pair.value) ? pair.key : pair.value;
      return pos((node as Node | undefined)?.range?.[0]);
    }
    return file;
  };
}
