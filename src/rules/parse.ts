import { lazy } from '../lazy.js';
import { analyseDetection } from './detection.js';
import { fastYaml, type FastDoc } from './fastyaml.js';
import { duplicateKeyNote, duplicateKeys, reindentQuotedScalars } from './tolerant.js';
import { LIMITS } from '../limits.js';
import type { CorrelationRule, LoadError, LoadNote, LoadedRule, LogSource, SigmaRule } from './model.js';

export interface ParsedFile {
  rules: LoadedRule[];
  errors: LoadError[];
  notes: LoadNote[];
}

type Obj = Record<string, unknown>;

const yaml = lazy<typeof import('yaml')>('yaml');

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses one file's text. A file may hold several YAML documents: plain rules, Sigma v1 collections
 * (`action: global | reset | repeat`), correlation rules and filter documents.
 */
export function parseRuleFile(path: string, text: string): ParsedFile {
  return guarded(path, () => parseDocuments(path, text, true)) as ParsedFile; // with the package: always a result
}

/**
 * The same with the fast reader alone (fastyaml.ts): undefined when it gives up on the file, which the yaml
 * package must then read (src/rules/parse-parallel.ts gives those to worker threads when there are many).
 */
export function parseRuleFileFast(path: string, text: string): ParsedFile | undefined {
  return guarded(path, () => parseDocuments(path, text, false));
}

function guarded(path: string, parse: () => ParsedFile | undefined): ParsedFile | undefined {
  try {
    return parse();
  } catch (e) {
    // A rule must never take the scan down: an unexpected failure is that file's error.
    return { rules: [], errors: [{ path, message: `cannot analyse rule: ${(e as Error).message}` }], notes: [] };
  }
}

function parseDocuments(path: string, text: string, byPackage: boolean): ParsedFile | undefined {
  const out: ParsedFile = { rules: [], errors: [], notes: [] };
  const items = countItems(text);
  if (items > LIMITS.yamlItems) {
    // A 7 MB flow sequence of millions of items costs the parser tens of seconds and gigabytes: refused first.
    out.errors.push({ path, message: `more than ${LIMITS.yamlItems} YAML items (${items} separators; limit); skipped` });
    return out;
  }
  // The fast reader takes the Sigma subset of YAML (fastyaml.ts) and gives the rest to the yaml package;
  // LOGSOURCE_CHECK_YAML=package makes the package read everything (the two give the same results).
  const fast = process.env['LOGSOURCE_CHECK_YAML'] === 'package' ? undefined : fastYaml(text);
  if (!fast && !byPackage) return undefined;
  const read = fast ? { docs: fast.map(fastView), repaired: undefined } : packageViews(text);
  if ('error' in read) {
    out.errors.push({ path, message: `YAML error: ${read.error}` });
    return out;
  }
  const { docs, repaired } = read;

  let global: Obj = {};
  let previous: Obj | undefined;
  docs.forEach((doc, index) => {
    const where = docs.length > 1 ? `${path} (document ${index + 1})` : path;
    if (doc.error) {
      out.errors.push({ path: where, message: doc.error });
      return;
    }
    let value: unknown;
    try {
      value = doc.value();
    } catch (e) {
      out.errors.push({ path: where, message: `YAML error: ${firstLine((e as Error).message)}` });
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
    if (!isObj(value)) {
      out.notes.push({ path: where, message: 'YAML document is not a mapping (not a Sigma rule); skipped' });
      return;
    }
    const tolerated = [...(repaired && index === 0 ? [repaired] : []), ...doc.tolerated()];

    const action = value['action'];
    if (action !== undefined) {
      const { action: _drop, ...rest } = value;
      if (action === 'global') global = deepMerge(global, rest);
      else if (action === 'reset') global = {};
      else if (action === 'repeat') {
        if (!previous) out.errors.push({ path: where, message: '"action: repeat" without a previous rule document' });
        else emit(deepMerge(previous, rest), index, where, doc.logsourceLine(), tolerated);
      } else if (action === 'correlation') {
        // The pre-v2 correlation draft: `action: correlation` with type / rule(s) / group-by / timespan at the top.
        out.rules.push(toCorrelation(path, index, { ...rest, correlation: { type: rest['type'], rules: rest['rules'] ?? rest['rule'] } }));
        out.notes.push({ path: where, message: 'legacy "action: correlation" document (pre-v2 correlation draft) read as a correlation' });
      } else out.errors.push({ path: where, message: `unknown collection action ${JSON.stringify(action)}` });
      return;
    }

    const merged = Object.keys(global).length ? deepMerge(global, value) : value;
    if (isObj(merged['correlation'])) {
      out.rules.push(toCorrelation(path, index, merged));
      return;
    }
    if (isObj(merged['filter']) && merged['detection'] === undefined) {
      out.notes.push({ path: where, message: 'Sigma filter document recognised; not a rule' });
      return;
    }
    if (merged['detection'] === undefined && merged['logsource'] === undefined) {
      // Collections may start with a document that only holds shared metadata.
      out.notes.push({ path: where, message: 'YAML document is not a Sigma rule (no detection or logsource); skipped' });
      return;
    }
    previous = merged;
    emit(merged, index, where, doc.logsourceLine(), tolerated);
  });
  return out;

  function emit(doc: Obj, index: number, where: string, line: number | undefined, tolerated: string[]): void {
    const rule = toRule(path, index, doc, line);
    if (typeof rule === 'string') out.errors.push({ path: where, message: rule });
    else {
      if (tolerated.length) rule.facts.warnings = [...tolerated, ...rule.facts.warnings]; // a literal, not a call: no stack per item
      out.rules.push(rule);
    }
  }
}

/** One YAML document as parseDocuments reads it, from either reader. */
interface DocView {
  /** "YAML error at line N: …" when the document cannot be read. */
  error?: string;
  /** The document as JavaScript; may throw (alias limits). */
  value(): unknown;
  logsourceLine(): number | undefined;
  /** Notes on what was read as PyYAML reads it (repeated keys). */
  tolerated(): string[];
}

function fastView(d: FastDoc): DocView {
  return { value: () => d.value, logsourceLine: () => d.logsourceLine, tolerated: () => d.duplicates.map((x) => duplicateKeyNote(x.key, x.line)) };
}

/** The yaml package's documents, with multi-line quoted values re-indented as PyYAML reads them when needed. */
function packageViews(text: string): { docs: DocView[]; repaired?: string } | { error: string } {
  const { LineCounter, parseAllDocuments } = yaml();
  let lineCounter = new LineCounter();
  // Duplicate keys are read as PyYAML reads them (the last wins) and reported per rule (tolerant.ts).
  const parse = (t: string, lc: InstanceType<typeof LineCounter>) => {
    // logLevel error: yaml's warnings (unknown tags …) would go to stderr without the file's name; errors are ours to report.
    const d = parseAllDocuments(t, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, strict: false, logLevel: 'error' });
    return Array.isArray(d) ? d : [d];
  };
  let docs;
  let repaired: string | undefined;
  try {
    docs = parse(text, lineCounter);
    if (docs.some((d) => d.errors.some((e) => e.code === 'MISSING_CHAR' && /quote/.test(e.message)))) {
      const fix = reindentQuotedScalars(text);
      const lc = new LineCounter();
      const again = fix && parse(fix.text, lc);
      if (fix && again && again.every((d) => !d.errors.length)) {
        docs = again;
        lineCounter = lc;
        repaired = `multi-line quoted value with continuation lines no deeper than its key (line ${fix.lines.slice(0, 5).join(', ')}${fix.lines.length > 5 ? ', …' : ''}): read as PyYAML reads it`;
      }
    }
  } catch (e) {
    return { error: (e as Error).message };
  }
  const lc = lineCounter;
  return {
    repaired,
    docs: docs.map((doc): DocView => {
      const firstError = doc.errors[0];
      const line = firstError && (firstError.linePos?.[0]?.line ?? lc.linePos(firstError.pos[0]).line);
      return {
        error: firstError && `YAML error${line ? ` at line ${line}` : ''}: ${firstLine(firstError.message)}`,
        value: (): unknown => doc.toJS({ maxAliasCount: 100 }),
        logsourceLine: () => logsourceLine(doc, lc),
        tolerated: () => duplicateKeys(doc, (o) => lc.linePos(o).line),
      };
    }),
  };
}

function toRule(path: string, docIndex: number, doc: Obj, line: number | undefined): SigmaRule | string {
  const detection = doc['detection'];
  const logsource = doc['logsource'];
  if (!isObj(detection)) return 'rule has no "detection" mapping';
  if (!isObj(logsource)) return 'rule has no "logsource" mapping';
  const title = typeof doc['title'] === 'string' ? doc['title'] : undefined;
  if (!title) return 'rule has no "title"';
  const ls: LogSource = {};
  if (typeof logsource['definition'] === 'string') ls.definition = logsource['definition'];
  for (const key of ['product', 'category', 'service'] as const) {
    // Rules in the wild give lists (`category: [ps_module, ps_script]`) or comma-separated names: alternatives.
    const raw = logsource[key];
    const values = (Array.isArray(raw) ? raw : [raw])
      .flatMap((v) => (typeof v === 'string' ? v.split(',') : typeof v === 'number' ? [String(v)] : []))
      .map((v) => v.trim())
      .filter(Boolean);
    const names = [...new Set(values.map((v) => v.toLowerCase()))];
    if (!names.length) continue;
    ls[key] = names[0];
    if (names.length > 1) (ls.alternatives ??= {})[key] = names;
  }
  const tags = stringList(doc['tags']);
  return {
    kind: 'rule',
    path,
    docIndex,
    logsourceLine: line,
    id: optString(doc['id']),
    name: optString(doc['name']),
    title,
    status: optString(doc['status'])?.toLowerCase(),
    level: optString(doc['level'])?.toLowerCase(),
    tags,
    techniques: techniquesOf(tags),
    logsource: ls,
    detection,
    facts: analyseDetection(detection),
  };
}

function toCorrelation(path: string, docIndex: number, doc: Obj): CorrelationRule {
  const corr = doc['correlation'] as Obj;
  const tags = stringList(doc['tags']);
  return {
    kind: 'correlation',
    path,
    docIndex,
    id: optString(doc['id']),
    name: optString(doc['name']),
    title: optString(doc['title']) ?? '(untitled correlation)',
    status: optString(doc['status'])?.toLowerCase(),
    level: optString(doc['level'])?.toLowerCase(),
    tags,
    techniques: techniquesOf(tags),
    correlationType: optString(corr['type']),
    references: stringList(corr['rules']),
  };
}

function logsourceLine(doc: { contents: unknown }, lc: import('yaml').LineCounter): number | undefined {
  const { isMap, isScalar } = yaml();
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  for (const pair of contents.items) {
    if (isScalar(pair.key) && pair.key.value === 'logsource' && pair.key.range) return lc.linePos(pair.key.range[0]).line;
  }
  return undefined;
}

/** Sigma collections merge mappings recursively; a later scalar or list replaces the earlier one. */
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isObj(prev) && isObj(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function techniquesOf(tags: string[]): string[] {
  const out = new Set<string>();
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) out.add((m[1] as string).toUpperCase());
  }
  return [...out];
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
}

function optString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** Upper bound of a text's YAML items: flow separators (",") and lines (each block item or pair is one). */
function countItems(text: string): number {
  // indexOf scans natively: several times faster than a loop over the characters.
  let n = 0;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) n++;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
