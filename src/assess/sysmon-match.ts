/**
 * How a rule's value tests compare with a Sysmon config's conditions, case-insensitively as Sysmon compares:
 * symbolically (does every / some string a rule pattern admits satisfy the condition?) and on concrete values
 * (Sysmon's own operators). Used by the filter simulation (sysmon-sim.ts) and the canonical events
 * (sysmon-canonical.ts).
 */
import type { SysmonCondition, SysmonFilter } from '../environment/sysmon.js';

/** One value test of a rule: the field's value equals / contains / starts / ends with `value` (lower case). */
export interface Pattern {
  kind: 'exact' | 'contains' | 'startswith' | 'endswith' | 'opaque';
  /** Lower case, for comparisons. */
  value: string;
  /** As the rule writes it, for generated configs. */
  raw: string;
}

/** A field constraint: any of `patterns` (or all of them with |all). */
export interface Constraint {
  field: string;
  patterns: Pattern[];
  all: boolean;
  /** Modifiers that make the values undecidable here (re, base64, cidr, gt …), as written. */
  opaque?: string[];
}

export type Term = Constraint[];

/**
 * A rule value list (Image ends with \\a.exe or \\b.exe) is covered when each value is covered by some
 * one-condition include filter on that field, even if no single filter covers them all.
 */
export function coveredByUnion(term: Term, include: SysmonFilter[]): boolean {
  return term.some((k) => {
    if (k.all || !k.patterns.length) return false;
    const single = include.filter((f) => f.conditions.length === 1 && f.conditions[0]?.field.toLowerCase() === k.field.toLowerCase());
    return k.patterns.every((p) => single.some((f) => patternImplies(p, f.conditions[0] as SysmonCondition) === true));
  });
}

/** Does every event of the term satisfy the filter? true / false / undefined (cannot tell). */
export function implies(term: Term, f: SysmonFilter): boolean | undefined {
  let unknown = false;
  for (const c of f.conditions) {
    const on = term.filter((k) => k.field.toLowerCase() === c.field.toLowerCase());
    if (!on.length) return false; // the rule leaves the field open: some events will not satisfy it
    const r = on.map((k) => constraintImplies(k, c));
    if (r.includes(true)) continue;
    if (r.includes(undefined)) unknown = true;
    else return false;
  }
  return unknown ? undefined : true;
}

export function intersects(term: Term, f: SysmonFilter): boolean {
  return f.conditions.every((c) => term.filter((k) => k.field.toLowerCase() === c.field.toLowerCase()).every((k) => constraintMeets(k, c)));
}

/** intersects() with the term's constraints grouped by lower-case field once, for many filters. */
export function meetsGrouped(byField: Map<string, Constraint[]>, f: SysmonFilter): boolean {
  return f.conditions.every((c) => (byField.get(c.field.toLowerCase()) ?? []).every((k) => constraintMeets(k, c)));
}

function constraintImplies(k: Constraint, c: SysmonCondition): boolean | undefined {
  const res = k.patterns.map((p) => patternImplies(p, c));
  if (k.all) return res.includes(true) ? true : res.includes(undefined) ? undefined : false;
  return res.every((r) => r === true) ? true : res.includes(false) ? false : undefined;
}

const meets = new WeakMap<Constraint, Map<SysmonCondition, boolean>>();
/** Memoised: the terms of one rule share their selections' constraints, and configs repeat conditions per term. */
function constraintMeets(k: Constraint, c: SysmonCondition): boolean {
  let m = meets.get(k);
  if (!m) meets.set(k, (m = new Map<SysmonCondition, boolean>()));
  let r = m.get(c);
  if (r === undefined) {
    r = k.all ? k.patterns.every((p) => patternMeets(p, c)) : k.patterns.some((p) => patternMeets(p, c));
    m.set(c, r);
  }
  return r;
}

const MULTI = new Set(['is any', 'contains any', 'contains all', 'excludes any', 'excludes all']);
const valueCache = new WeakMap<SysmonCondition, string[]>();
/** The condition's values, lower case (";"-separated for the "any"/"all" operators); computed once. */
function values(c: SysmonCondition): string[] {
  let v = valueCache.get(c);
  if (!v) {
    v = (MULTI.has(c.operator) ? c.value.split(';') : [c.value]).map((x) => x.trim().toLowerCase()).filter((x) => x !== '' || c.value === '');
    valueCache.set(c, v);
  }
  return v;
}

/** Every string the pattern matches satisfies the condition? */
function patternImplies(p: Pattern, c: SysmonCondition): boolean | undefined {
  if (p.kind === 'opaque') return undefined;
  if (p.kind === 'exact') return evaluate(c, p.value);
  const vs = values(c);
  const has = (v: string) => p.value.includes(v);
  switch (c.operator) {
    case 'contains':
      return has(vs[0] ?? '');
    case 'contains any':
      return vs.some(has);
    case 'contains all':
      return vs.every(has);
    case 'begin with':
      return p.kind === 'startswith' && p.value.startsWith(vs[0] ?? '');
    case 'end with':
      return p.kind === 'endswith' && p.value.endsWith(vs[0] ?? '');
    case 'image': {
      const v = vs[0] ?? '';
      return p.kind === 'endswith' && (v.includes('\\') ? p.value === v : p.value.endsWith(`\\${v}`));
    }
    case 'excludes':
    case 'excludes any':
    case 'excludes all':
    case 'not begin with':
    case 'not end with':
    case 'is not':
      return false; // a pattern leaves room for values that break these (cannot be sure either way)
    default:
      return false;
  }
}

/** Can some string the pattern matches satisfy the condition? */
function patternMeets(p: Pattern, c: SysmonCondition): boolean {
  if (p.kind === 'opaque') return true;
  if (p.kind === 'exact') return evaluate(c, p.value);
  const vs = values(c);
  const v = vs[0] ?? '';
  switch (c.operator) {
    case 'is':
    case 'is any':
      return vs.some((x) => fits(p, x));
    case 'begin with':
      if (p.kind === 'startswith') return p.value.startsWith(v) || v.startsWith(p.value);
      return overlap(p.value, v);
    case 'end with':
      if (p.kind === 'endswith') return p.value.endsWith(v) || v.endsWith(p.value);
      return overlap(p.value, v);
    case 'contains':
    case 'contains any':
      return vs.some((x) => overlap(p.value, x));
    case 'image':
      return v.includes('\\') ? fits(p, v) : p.kind !== 'endswith' || `\\${v}`.endsWith(p.value) || p.value.endsWith(`\\${v}`) || v === p.value;
    case 'excludes':
    case 'excludes any':
      return !vs.some((x) => p.value.includes(x));
    case 'excludes all':
      return !vs.every((x) => p.value.includes(x));
    case 'not begin with':
      return !(p.kind === 'startswith' && p.value.startsWith(v));
    case 'not end with':
      return !(p.kind === 'endswith' && p.value.endsWith(v));
    default:
      return true;
  }
}

/**
 * A rule's "contains x" and a filter's "begin/end with y" (or two contains) are taken to meet only when one
 * literal holds the other: "x.anonfiles.com.arpa" satisfies both "contains .anonfiles.com" and "end with
 * .arpa", but neither side means it, and counting such overlaps would flag nearly every rule.
 */
function overlap(a: string, b: string): boolean {
  return a.includes(b) || b.includes(a);
}

/** Does a pattern admit this exact value? */
export function fits(p: Pattern, x: string): boolean {
  if (p.kind === 'contains') return x.includes(p.value);
  if (p.kind === 'startswith') return x.startsWith(p.value);
  if (p.kind === 'endswith') return x.endsWith(p.value);
  return x === p.value;
}

/** The condition on a concrete (lower-cased) value. */
export function evaluate(c: SysmonCondition, value: string): boolean {
  const vs = values(c);
  const v = vs[0] ?? '';
  switch (c.operator) {
    case 'is':
      return value === v;
    case 'is not':
      return value !== v;
    case 'is any':
      return vs.includes(value);
    case 'contains':
      return value.includes(v);
    case 'contains any':
      return vs.some((x) => value.includes(x));
    case 'contains all':
      return vs.every((x) => value.includes(x));
    case 'excludes':
      return !value.includes(v);
    case 'excludes any':
      return !vs.some((x) => value.includes(x));
    case 'excludes all':
      return !vs.every((x) => value.includes(x));
    case 'begin with':
      return value.startsWith(v);
    case 'not begin with':
      return !value.startsWith(v);
    case 'end with':
      return value.endsWith(v);
    case 'not end with':
      return !value.endsWith(v);
    // Sysmon compares the text, not the number: "443" is not less than "1024" (SysmonCommon rules.c).
    case 'less than':
      return value < v;
    case 'more than':
      return value > v;
    case 'image':
      return v.includes('\\') ? value === v : value === v || value.endsWith(`\\${v}`);
  }
}
