/**
 * The events a rule's positive selections describe, built from the rule's own values, and what a config's
 * exclude filters do with them. An exclusion that drops one of these events is a logging gap (the config loses
 * what the rule is written for); one that could only drop an event the rule matches when an attacker's process,
 * file or key happens to match it is an evasion gap: the rule stays ready, with a note naming the exclusion.
 *
 * Canonical values keep the rule's literal and add as little as possible (data/sysmon-canonical.yaml): a path
 * suffix gets the System32 directory, a path fragment a drive, fragments of one value are joined; fields the
 * rule does not read are left unset and no exclusion condition matches them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SysmonCondition, SysmonFilter } from '../environment/sysmon.js';
import { lazy } from '../lazy.js';
import { PACKAGE_DIR } from '../paths.js';
import { evaluate, fits, type Constraint, type Pattern, type Term } from './sysmon-match.js';

/** Per field the rule reads (lower case), the candidate values (lower case); an event is one value per field. */
export interface Canonical {
  fields: Map<string, string[]>;
  /**
   * Fields the rule tests with values no event can be built from (|re, |base64 …, or more than MAX_VALUES
   * combinations): the events leave them out and the caller compares exclusions on them symbolically.
   */
  opaque: Set<string>;
  /**
   * Fields whose values the rule leaves open at the start (`|contains`, `|endswith` outside a known folder):
   * exclusions testing how such a value begins (begin with, is …) are compared symbolically by the caller.
   */
  openLeft: Set<string>;
  /** Number of events (the product of the list lengths); 0 when the term cannot match anything. */
  size: number;
}

interface Fill {
  pathFields: Set<string>;
  suffixDirectory: string;
  fragmentPrefix: string;
  separator: string;
  fileStem: string;
  otherDirectory: string;
  /** A fragment starting with `tail` (lower case) is put after `prefix`. */
  anchors: { tail: string; prefix: string }[];
  /** CommandLine field → the fields that tell the image it starts with, in order (lower case). */
  commandLineImage: [string, string[]][];
}

const yaml = lazy<typeof import('yaml')>('yaml');
let fill: Fill | undefined;
/** data/sysmon-canonical.yaml, read once; a missing or malformed file is an internal error (exit 3), not a guess. */
function fillers(): Fill {
  if (fill) return fill;
  const file = join(PACKAGE_DIR, 'data', 'sysmon-canonical.yaml');
  const d = yaml().parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof d[k] !== 'string') throw new Error(`${file}: ${k} must be a string`);
    return d[k].toLowerCase();
  };
  if (!Array.isArray(d.pathFields) || !d.pathFields.every((f) => typeof f === 'string')) throw new Error(`${file}: pathFields must be a list of field names`);
  fill = {
    pathFields: new Set(d.pathFields.map((f) => f.toLowerCase())),
    suffixDirectory: str('suffixDirectory'),
    fragmentPrefix: str('fragmentPrefix'),
    separator: (d.separator as string) ?? ' ',
    fileStem: str('fileStem'),
    otherDirectory: str('otherDirectory'),
    anchors: [],
    commandLineImage: [],
  };
  const anchors = d.fragmentAnchors;
  if (
    !Array.isArray(anchors) ||
    !anchors.every((a: unknown) => typeof (a as { tail?: unknown } | null)?.tail === 'string' && typeof (a as { prefix?: unknown } | null)?.prefix === 'string')
  )
    throw new Error(`${file}: fragmentAnchors must be a list of {tail, prefix}`);
  fill.anchors = (anchors as { tail: string; prefix: string }[]).map((a) => ({ tail: a.tail.toLowerCase(), prefix: a.prefix.toLowerCase() }));
  const lines = d.commandLineImage;
  if (typeof lines !== 'object' || lines === null || !Object.values(lines).every((x) => Array.isArray(x) && x.every((y) => typeof y === 'string')))
    throw new Error(`${file}: commandLineImage must map field names to lists of field names`);
  fill.commandLineImage = Object.entries(lines as Record<string, string[]>).map(([k, v]) => [k.toLowerCase(), v.map((x) => x.toLowerCase())]);
  return fill;
}

/** Bounds: values per field, and events enumerated to tell "all dropped" from "some dropped". */
const MAX_VALUES = 1024;
const MAX_EVENTS = 4096;

const built = new WeakMap<Term, Canonical>();
/** Per term, the rule's filters on one field each (field → conjunctions of constraints its events never satisfy). */
const avoid = new WeakMap<Term, Map<string, Constraint[][]>>();

/** Records the rule's negated selections for the term (matchTerms calls it); only one-field ones are used. */
export function ruleFilters(term: Term, negatives: Term[]): void {
  const by = new Map<string, Constraint[][]>();
  for (const n of negatives) {
    const fields = new Set(n.map((k) => k.field.toLowerCase()));
    if (fields.size !== 1) continue;
    const f = [...fields][0] as string;
    by.set(f, [...(by.get(f) ?? []), n]);
  }
  if (by.size) avoid.set(term, by);
}

/**
 * Can the exclusion only match values the rule itself filters out? (`Image is C:\Windows\System32\wermgr.exe`
 * for a rule on wermgr.exe outside System32): then it is no way around the rule either.
 */
export function outsideRule(term: Term, f: SysmonFilter): boolean {
  const by = avoid.get(term);
  if (!by) return false;
  return f.conditions.some((c) => {
    const filters = by.get(c.field.toLowerCase());
    if (!filters || (c.operator !== 'is' && c.operator !== 'is any')) return false;
    const vs = (c.operator === 'is any' ? c.value.split(';') : [c.value]).map((x) => x.trim().toLowerCase());
    return vs.every((v) => filtered(v, filters));
  });
}

/** The fields the rule's recorded filters test (lower case). */
export function avoidedFields(term: Term): string[] {
  return [...(avoid.get(term)?.keys() ?? [])];
}

/** Does the value satisfy one of the rule's filters on its field (so no event of the rule has it)? */
function filtered(value: string, filters: Constraint[][] | undefined): boolean {
  // A filter value that cannot be compared (|re …) rejects nothing: keeping the value is the cautious side.
  const holds = (k: Constraint) =>
    !k.opaque && (k.all ? k.patterns.every((p) => p.kind !== 'opaque' && fits(p, value)) : k.patterns.some((p) => p.kind !== 'opaque' && fits(p, value)));
  return (filters ?? []).some((conj) => conj.every(holds));
}

/** The term's canonical events (memoised per term: a rule's terms are built once per run). */
export function canonicalEvents(term: Term): Canonical {
  let c = built.get(term);
  if (!c) {
    const byField = new Map<string, Constraint[]>();
    for (const k of term) {
      const f = k.field.toLowerCase();
      byField.set(f, [...(byField.get(f) ?? []), k]);
    }
    c = { fields: new Map(), opaque: new Set(), openLeft: new Set(), size: 1 };
    for (const [f, ks] of byField) {
      const vs = fieldValues(f, ks, avoid.get(term)?.get(f));
      if (!vs) c.opaque.add(f);
      else {
        c.fields.set(f, vs.values);
        if (vs.open) c.openLeft.add(f);
      }
    }
    anchorCommandLines(c, byField, avoid.get(term));
    for (const vs of c.fields.values()) c.size *= vs.length;
    built.set(term, c);
  }
  return c;
}

/**
 * A command line starts with its image (CreateProcess takes the program from the first token when no
 * application name is given, and Sysmon logs the line as passed): an open-started CommandLine of a term whose
 * Image is one known path is written after that path, so `CommandLine begin with C:\\…\\DllHost.exe /Processid`
 * is seen to drop a DllHost rule's events. With several images the start stays open.
 */
function anchorCommandLines(c: Canonical, byField: Map<string, Constraint[]>, filters: Map<string, Constraint[][]> | undefined): void {
  const f = fillers();
  for (const [line, sources] of f.commandLineImage) {
    const vs = c.fields.get(line);
    if (!vs || !c.openLeft.has(line)) continue;
    // The first source the term fixes to one value: an image path, or a PE original name (a binary that is not
    // renamed, in System32 like the suffixes above).
    const src = sources.find((x) => c.fields.has(x) || c.opaque.has(x));
    const one = src ? c.fields.get(src) : undefined;
    if (!src || !one || one.length !== 1 || c.openLeft.has(src)) continue;
    const v0 = one[0] as string;
    const img = [f.pathFields.has(src) || v0.includes('\\') ? v0 : `${f.suffixDirectory}\\${v0}`];
    const ks = byField.get(line) ?? [];
    const anchored = vs.map((v) => `${img[0] as string}${v.startsWith(' ') ? '' : ' '}${v}`);
    const holds = (v: string) =>
      ks.every((k) => (k.all ? k.patterns.every((p) => fits(p, v)) : k.patterns.some((p) => fits(p, v)))) && !filtered(v, filters?.get(line));
    if (!anchored.every(holds)) continue;
    c.fields.set(line, anchored);
    c.openLeft.delete(line);
  }
}

function fieldValues(field: string, ks: Constraint[], filters: Constraint[][] | undefined): { values: string[]; open: boolean } | undefined {
  if (ks.some((k) => k.opaque || k.patterns.some((p) => p.kind === 'opaque'))) return undefined;
  let combos: Pattern[][] = [[]];
  for (const k of ks) {
    // A value list is alternatives; with |all the values hold together in one value.
    const alts = k.all ? [k.patterns] : k.patterns.map((p) => [p]);
    if (!alts.length) continue;
    if (combos.length * alts.length > MAX_VALUES) return undefined;
    combos = combos.flatMap((c) => alts.map((a) => [...c, ...a]));
  }
  const f = fillers();
  const path = f.pathFields.has(field);
  const out = new Set<string>();
  let open = false;
  for (const c of combos) {
    // The usual directory first; where the rule's own filter excludes it (wermgr.exe outside System32), the other.
    let v = buildValue(c, path, f.suffixDirectory);
    if (v !== undefined && filters && filtered(v[0], filters)) {
      v = buildValue(c, path, f.otherDirectory);
      if (v !== undefined && filtered(v[0], filters)) v = undefined;
    }
    if (v === undefined) continue;
    out.add(v[0]);
    open ||= v[1];
  }
  return { values: [...out], open };
}

/**
 * One value satisfying every pattern, with the least added, and whether its left end is still open (the rule
 * fixes neither its start nor, for a path, its directory); undefined when the patterns contradict each other.
 */
function buildValue(ps: Pattern[], path: boolean, suffixDirectory: string): [string, boolean] | undefined {
  const f = fillers();
  let start = '';
  let end = '';
  let exact: string | undefined;
  const mids: string[] = [];
  for (const p of ps) {
    if (p.kind === 'exact') exact ??= p.value;
    else if (p.kind === 'startswith') start = p.value.length > start.length ? p.value : start;
    else if (p.kind === 'endswith') end = p.value.length > end.length ? p.value : end;
    else mids.push(p.value);
  }
  const ok = (v: string) => ps.every((p) => fits(p, v));
  if (exact !== undefined) return ok(exact) ? [exact, false] : undefined;
  const sep = path ? '' : f.separator;
  const middle = [...new Set(mids)].filter((m, _, all) => !start.includes(m) && !end.includes(m) && !all.some((o) => o !== m && o.includes(m)));
  const join = (x: string, y: string) => {
    if (x === '') return y;
    if (path && x.endsWith('\\') && y.startsWith('\\')) return x + y.slice(1);
    // A literal that already ends or starts with the separator ('urlcache ') needs no second one.
    return x.endsWith(sep) || y.startsWith(sep) ? x + y : x + sep + y;
  };
  let v = [start, ...middle, end].filter((x) => x !== '').reduce(join, '');
  let open = start === '';
  if (path && open && !/^([a-z]:\\|\\\\)/.test(v)) {
    // Sysmon writes full paths. A fragment that starts with a folder Windows puts at a known place is put there;
    // a bare file name or suffix lives in System32 (both facts, in the data); any other fragment gets only a
    // drive and its left end stays open.
    const bare = v.startsWith('\\') ? v : `\\${v.startsWith('.') ? f.fileStem : ''}${v}`;
    const anchor = f.anchors.find((x) => bare.startsWith(x.tail));
    if (anchor) v = anchor.prefix + bare;
    else if (!middle.length && end) v = suffixDirectory + bare;
    else v = f.fragmentPrefix + bare;
    open = !anchor && !(!middle.length && end);
  } else if (path && /^([a-z]:\\|\\\\)/.test(v)) open = false;
  return ok(v) ? [v, open] : undefined;
}

const grouped = new WeakMap<SysmonFilter, [string, SysmonCondition[]][]>();
/** A filter's conditions by lower-case field, computed once per filter. */
function byField(f: SysmonFilter): [string, SysmonCondition[]][] {
  let g = grouped.get(f);
  if (!g) {
    const m = new Map<string, SysmonCondition[]>();
    for (const c of f.conditions) m.set(c.field.toLowerCase(), [...(m.get(c.field.toLowerCase()) ?? []), c]);
    grouped.set(f, (g = [...m]));
  }
  return g;
}

interface ExcludeIndex {
  /** field → lower-case value → the one-condition "is" filters with that value. */
  is: Map<string, Map<string, SysmonFilter[]>>;
  rest: SysmonFilter[];
}
const indexes = new WeakMap<SysmonFilter[], ExcludeIndex>();
function excludeIndex(excludes: SysmonFilter[]): ExcludeIndex {
  let ix = indexes.get(excludes);
  if (!ix) {
    ix = { is: new Map(), rest: [] };
    for (const f of excludes) {
      const c = f.conditions.length === 1 ? f.conditions[0] : undefined;
      if (!c || c.operator !== 'is') {
        ix.rest.push(f);
        continue;
      }
      const field = c.field.toLowerCase();
      const byValue = ix.is.get(field) ?? new Map<string, SysmonFilter[]>();
      const v = c.value.trim().toLowerCase();
      byValue.set(v, [...(byValue.get(v) ?? []), f]);
      ix.is.set(field, byValue);
    }
    indexes.set(excludes, ix);
  }
  return ix;
}

export interface ExcludeJudgement {
  /** none / some / all of the canonical events are dropped. */
  dropped: 'none' | 'some' | 'all';
  /** The filters that drop at least one canonical event. */
  by: SysmonFilter[];
  /** "some" is a bound: too many events to enumerate and no single filter drops them all. */
  bound: boolean;
}

/**
 * Which canonical events do the exclude filters drop? A filter drops an event when each of its conditions holds
 * on the event's value of that field; a field the event leaves unset (the rule does not read it) holds none.
 */
export function judgeExcludes(ev: Canonical, excludes: SysmonFilter[], skip: Set<SysmonFilter>): ExcludeJudgement {
  if (!ev.size) return { dropped: 'none', by: [], bound: false };
  const ix = excludeIndex(excludes);
  // Per filter and field, which of the field's values satisfy the filter's conditions on it.
  const hits: { f: SysmonFilter; per: Map<string, boolean[]> }[] = [];
  // One-condition "is" filters (most of a SwiftOnSecurity-style config) by lookup.
  for (const [field, vs] of ev.fields) {
    const byValue = ix.is.get(field);
    if (!byValue) continue;
    const found = new Map<SysmonFilter, boolean[]>();
    vs.forEach((v, i) => {
      for (const f of byValue.get(v) ?? []) {
        if (skip.has(f)) continue;
        const bs = found.get(f) ?? vs.map(() => false);
        bs[i] = true;
        found.set(f, bs);
      }
    });
    for (const [f, bs] of found) hits.push({ f, per: new Map([[field, bs]]) });
  }
  // The others: only those on fields the events have can drop one (unset fields match no condition); a quick
  // pass first, as most hold on no value of some field.
  const holds = (conds: SysmonCondition[], v: string) => conds.every((c) => evaluate(c, v));
  for (const f of ix.rest) {
    if (skip.has(f)) continue;
    const groups = byField(f);
    if (!groups.every(([field, conds]) => ev.fields.get(field)?.some((v) => holds(conds, v)))) continue;
    hits.push({ f, per: new Map(groups.map(([field, conds]) => [field, (ev.fields.get(field) as string[]).map((v) => holds(conds, v))])) });
  }
  const by = hits.map((h) => h.f);
  if (!hits.length) return { dropped: 'none', by, bound: false };
  if (hits.some((h) => [...h.per.values()].every((bs) => bs.every(Boolean)))) return { dropped: 'all', by, bound: false };
  if (ev.size > MAX_EVENTS) return { dropped: 'some', by, bound: true };
  // Enumerate the events (mixed-radix counter over the fields) and look for one no filter drops.
  const names = [...ev.fields.keys()];
  const lens = names.map((n) => (ev.fields.get(n) as string[]).length);
  const idx = names.map(() => 0);
  for (let n = 0; n < ev.size; n++) {
    const dropped = hits.some((h) => names.every((name, i) => h.per.get(name)?.[idx[i] as number] ?? true));
    if (!dropped) return { dropped: 'some', by, bound: false };
    for (let i = 0; i < idx.length; i++) {
      idx[i] = (idx[i] as number) + 1;
      if ((idx[i] as number) < (lens[i] as number)) break;
      idx[i] = 0;
    }
  }
  return { dropped: 'all', by, bound: false };
}
