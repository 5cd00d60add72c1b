/**
 * Where the `yaml` package is stricter than PyYAML (which pySigma and sigma-cli use), rule files from other
 * repositories would be lost. Two tolerances, each reported as a note on the rule, never silently:
 *  - duplicate mapping keys: PyYAML keeps the last value (a dict assignment per key), so do we;
 *  - multi-line quoted scalars whose continuation lines are indented no deeper than their key: PyYAML reads
 *    them (it does not check the indentation inside a flow scalar); we re-indent those lines and parse again.
 * Whitespace inside a multi-line quoted scalar folds to one space, so re-indenting never changes a value.
 */
import { lazy } from '../lazy.js';

const yaml = lazy<typeof import('yaml')>('yaml');

/** Keys that occur twice in one mapping of the document: "CommandLine|contains at line 35". */
export function duplicateKeys(doc: { contents: unknown }, lineOf: (offset: number) => number): string[] {
  const { isMap, isSeq, isPair, isScalar } = yaml();
  const out: string[] = [];
  const stack: unknown[] = [doc.contents];
  let visited = 0;
  while (stack.length && visited++ < 100_000) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) {
          if (seen.has(key)) {
            out.push(duplicateKeyNote(key, isScalar(pair.key) && pair.key.range ? lineOf(pair.key.range[0]) : undefined));
          }
          seen.add(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}

/** The note on a repeated key (the fast reader, src/rules/fastyaml.ts, gives the same). */
export function duplicateKeyNote(key: string, line: number | undefined): string {
  return `duplicate key ${key}${line ? ` at line ${line}` : ''}: the earlier value is ignored, as PyYAML does`;
}

/**
 * Re-indents the continuation lines of multi-line quoted scalars that sit at or left of their key's column.
 * Returns the repaired text and the lines it moved, or undefined when nothing needed it.
 */
export function reindentQuotedScalars(text: string): { text: string; lines: number[] } | undefined {
  const lines = text.split(/(?<=\n)/);
  const moved: number[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const open = /^(\s*)(?:- +|[^\s#'"][^#]*?:\s+(?:- +)?)(['"])/.exec(line);
    if (!open) {
      i++;
      continue;
    }
    const indent = (open[1] as string).length;
    const quote = open[2] as string;
    const end = closingLine(lines, i, open[0].length, quote);
    if (end === undefined) return undefined; // never closed: not ours to guess
    for (let j = i + 1; j <= end; j++) {
      const l = lines[j] as string;
      const lead = /^[ \t]*/.exec(l)?.[0].length ?? 0;
      if (l.trim() && lead <= indent) {
        lines[j] = ' '.repeat(indent + 1 - lead) + l;
        moved.push(j + 1);
      }
    }
    i = end + 1;
  }
  return moved.length ? { text: lines.join(''), lines: moved } : undefined;
}

/** Index of the line holding the closing quote of a scalar opened at (line, col), or undefined. */
function closingLine(lines: string[], start: number, col: number, quote: string): number | undefined {
  for (let j = start; j < lines.length && j < start + 200; j++) {
    const l = lines[j] as string;
    for (let k = j === start ? col : 0; k < l.length; k++) {
      const c = l[k];
      if (quote === '"' && c === '\\') {
        k++;
        continue;
      }
      if (c !== quote) continue;
      if (quote === "'" && l[k + 1] === "'") {
        k++; // '' is an escaped quote
        continue;
      }
      return j;
    }
  }
  return undefined;
}
