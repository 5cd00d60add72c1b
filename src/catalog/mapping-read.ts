/**
 * Reads the YAML of a --mapping or --pipeline file within the limits of src/limits.ts (LIMITS.mapping).
 * The file is the user's, but it may come with a rule repository from strangers: its cost is bounded before
 * parsing (items counted), the fast reader of the rule files takes what it can (the yaml package's map check
 * for repeated keys is a list scan: 100,000 conditions in one add_condition took minutes), and lists are
 * checked in one walk. Repeated keys are read as PyYAML (pySigma) reads them: the last value, with a note.
 */
import { lazy } from '../lazy.js';
import { LIMITS } from '../limits.js';
import { fastYaml } from '../rules/fastyaml.js';
import { duplicateKeyNote, duplicateKeys } from '../rules/tolerant.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export class MappingError extends Error {}

/** The document of a mapping or pipeline file and the notes on how it was read; MappingError when unusable. */
export function readMappingYaml(path: string, text: string): { doc: unknown; notes: string[] } {
  const items = countItems(text);
  const { yamlItems, yamlItemsPackage } = LIMITS.mapping;
  if (items > yamlItems) throw new MappingError(`${path}: more than ${yamlItems} YAML items (${items} separators; limit); not used`);
  let doc: unknown;
  let repeated: string[];
  const fast = fastYaml(text, yamlItems);
  if (fast) {
    if (fast.length > 1) throw new MappingError(`${path}: YAML error: ${fast.length} documents, expected one`);
    doc = fast[0]?.value ?? null;
    repeated = (fast[0]?.duplicates ?? []).map((d) => duplicateKeyNote(d.key, d.line));
  } else {
    if (items > yamlItemsPackage)
      throw new MappingError(
        `${path}: more than ${yamlItemsPackage} YAML items (${items} separators) in YAML beyond the plain block style (anchors, tags, quoted values over several lines …; limit); not used`,
      );
    ({ doc, repeated } = viaPackage(path, text));
  }
  const notes = repeated.slice(0, 10).map((n) => `${path}: ${n}`);
  if (repeated.length > 10) notes.push(`${path}: … and ${repeated.length - 10} more duplicate keys`);
  const long = longList(doc, LIMITS.mapping.listItems);
  if (long) throw new MappingError(`${path}: ${clip(long)}: more than ${LIMITS.mapping.listItems} list items (limit); not used`);
  return { doc, notes };
}

function viaPackage(path: string, text: string): { doc: unknown; repeated: string[] } {
  const { LineCounter, parseAllDocuments } = yaml();
  const lc = new LineCounter();
  try {
    // uniqueKeys off: the package's own check scans each map's keys per key (quadratic); repeats are found below.
    const parsed = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    if (docs.length > 1) throw new MappingError(`${path}: YAML error: ${docs.length} documents, expected one`);
    const d = docs[0];
    if (!d) return { doc: null, repeated: [] };
    const err = d.errors[0];
    if (err) throw new MappingError(`${path}: YAML error at line ${lc.linePos(err.pos[0]).line}: ${err.message.split('\n')[0]}`);
    return { doc: d.toJS({ maxAliasCount: 100 }), repeated: duplicateKeys(d, (o) => lc.linePos(o).line) };
  } catch (e) {
    if (e instanceof MappingError) throw e;
    throw new MappingError(`${path}: YAML error: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Where the first list longer than `max` is ("transformations[3].conditions.EventID"), or undefined. */
function longList(doc: unknown, max: number): string | undefined {
  const stack: { v: unknown; at: string }[] = [{ v: doc, at: '' }];
  while (stack.length) {
    const { v, at } = stack.pop() as { v: unknown; at: string };
    if (Array.isArray(v)) {
      if (v.length > max) return at || 'the document';
      v.forEach((x, i) => {
        if (typeof x === 'object' && x !== null) stack.push({ v: x, at: `${at}[${i}]` });
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) if (typeof x === 'object' && x !== null) stack.push({ v: x, at: at ? `${at}.${k}` : k });
    }
  }
  return undefined;
}

/** A key path or value as it goes into a message: hostile keys may be megabytes. */
export function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Upper bound of a text's YAML items: flow separators (",") and lines (each block item or pair is one). */
function countItems(text: string): number {
  let n = 0;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) n++;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
