/**
 * Route coverage by object (data/audit-objects.yaml): which objects a rule reads, from the ObjectType and
 * ObjectName values of its positive selections, and whether an object-access subcategory covers them.
 * Removable Storage covers \Device\CdRom* (an ISO mount) fully, \REGISTRY\ keys and the lsass.exe process
 * not at all, and a rule that names any file only in part.
 */
import type { ObjectFacts } from '../catalog/audit-objects.js';
import { typedDetection, type FieldTest } from '../rules/detection-model.js';
import type { SigmaRule } from '../rules/model.js';

/** Any object: the rule (or one of its selections) names none a class can tell. */
const ANY = '*';

export type Coverage = 'full' | 'partial' | 'none';

/** The classes of objects the rule reads, or [ANY] when it names none; per rule and facts, worked out once. */
const memo = new WeakMap<SigmaRule, { facts: ObjectFacts; classes: string[] }>();
export function objectsRead(rule: SigmaRule, facts: ObjectFacts): string[] {
  const m = memo.get(rule);
  if (m && m.facts === facts) return m.classes;
  const classes = compute(rule, facts);
  memo.set(rule, { facts, classes });
  return classes;
}

/** The branches (AND-ed field tests) of the rule's positively used selections; a keyword list names no field. */
export function positiveBranches(rule: SigmaRule): FieldTest[][] {
  return typedDetection(rule).positive.flatMap((s) => (s.keywords ? [] : s.branches));
}

function compute(rule: SigmaRule, facts: ObjectFacts): string[] {
  const out = new Set<string>();
  for (const b of positiveBranches(rule)) {
    const got = branchClasses(b, facts);
    if (got) got.forEach((k) => out.add(k));
  }
  return out.size ? [...out] : [ANY];
}

/**
 * Per EventID the rule names, the providers its selections pair with it (Provider_Name in the same branch);
 * an EventID in a branch without one may come from any provider (no entry). Collector queries that filter on
 * Provider are judged by these (a WEF subscription on Service Control Manager 7045).
 */
export function providersByEvent(rule: SigmaRule): Record<string, string[]> | undefined {
  const out = new Map<string, Set<string>>();
  const anyProvider = new Set<string>();
  for (const b of positiveBranches(rule)) {
    let ids: string[] = [];
    let providers: string[] = [];
    for (const { fieldLower: field, mods, values: written } of b) {
      if (mods.some((m) => m !== 'all' && m !== 'cased')) continue;
      const values = written.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
      if (field === 'eventid') ids = values;
      else if (field === 'provider_name' || field === 'provider') providers = values;
    }
    for (const id of ids) {
      if (!providers.length) anyProvider.add(id);
      else providers.forEach((p) => (out.get(id) ?? out.set(id, new Set()).get(id)!).add(p));
    }
  }
  for (const id of anyProvider) out.delete(id);
  return out.size ? Object.fromEntries([...out].map(([id, p]) => [id, [...p]])) : undefined;
}

/** The classes one branch (fields AND'ed) reads, or undefined when it has no object field. */
function branchClasses(branch: FieldTest[], facts: ObjectFacts): string[] | undefined {
  let current: string[] | undefined;
  for (const { fieldLower: rawField, mods, values: written } of branch) {
    const isType = facts.typeFields.includes(rawField);
    if (!isType && !facts.nameFields.includes(rawField)) continue;
    const values = written.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map((v) => String(v).toLowerCase());
    if (!values.length) continue;
    const each = values.map((v) => classOf(v, isType, mods, facts));
    // |all: every value holds at once (the object is in all their classes); else any one of them.
    const field = mods.includes('all') ? each.reduce<string[]>((acc, k) => meet(acc, [k], facts), [ANY]) : each.includes(ANY) ? [ANY] : [...new Set(each)];
    current = current ? meet(current, field, facts) : field;
  }
  return current;
}

/** Modifiers after which the value is still the text of the object name (base64, windash … transform it). */
const PLAIN = new Set(['contains', 'startswith', 'endswith', 'all', 'cased']);

function classOf(value: string, isType: boolean, mods: string[], facts: ObjectFacts): string {
  if (mods.some((m) => !PLAIN.has(m))) return ANY;
  const starts = !mods.some((m) => m === 'contains' || m === 'endswith');
  const ends = !mods.some((m) => m === 'contains' || m === 'startswith');
  for (const k of facts.classes) {
    if (isType) {
      if (k.objectTypes.includes(value)) return k.id;
      continue;
    }
    if (k.nameContains.some((p) => value.includes(p))) return k.id;
    if (starts && k.namePrefixes.some((p) => value.startsWith(p))) return k.id;
    if (ends && k.nameSuffixes.some((p) => value.endsWith(p))) return k.id;
  }
  return ANY;
}

function ancestors(id: string, facts: ObjectFacts): string[] {
  const out: string[] = [];
  let k = facts.classes.find((c) => c.id === id);
  while (k?.within && !out.includes(k.within)) {
    out.push(k.within);
    k = facts.classes.find((c) => c.id === k?.within);
  }
  return out;
}

/** Objects in both sets (fields AND'ed): the narrower class where one is within the other. */
function meet(a: string[], b: string[], facts: ObjectFacts): string[] {
  if (a.includes(ANY)) return b;
  if (b.includes(ANY)) return a;
  const out = new Set<string>();
  for (const x of a) {
    for (const y of b) {
      if (x === y || ancestors(x, facts).includes(y)) out.add(x);
      else if (ancestors(y, facts).includes(x)) out.add(y);
    }
  }
  // Contradictory values (ObjectType Key with a file path): nothing can be told, the rule may read anything.
  return out.size ? [...out] : [ANY];
}

/**
 * How a route covering `route` classes covers a rule reading `read`. `narrow`: the route covers a slice of
 * what any object may be (Removable Storage), so a rule that names no object is covered only in part.
 */
export function routeCoverage(read: string[], route: string[], narrow: boolean, facts: ObjectFacts): Coverage {
  let covered = 0;
  let touched = 0;
  for (const c of read) {
    if (c === ANY) {
      if (narrow) touched++;
      else covered++;
      continue;
    }
    if (route.includes(c) || ancestors(c, facts).some((a) => route.includes(a))) covered++;
    else if (route.some((r) => ancestors(r, facts).includes(c))) touched++;
  }
  return covered === read.length ? 'full' : covered + touched > 0 ? 'partial' : 'none';
}

/** Human words for the classes read, for notes. */
export function describeObjects(read: string[]): string {
  return read.map((c) => (c === ANY ? 'unnamed objects' : c)).join(', ');
}
