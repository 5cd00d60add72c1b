/**
 * Would Sysmon log the events a rule matches? Symbolic, per event type: the rule's positive match space
 * (the condition in disjunctive normal form over its positive selections, each term a conjunction of field
 * constraints) is compared with the config's include and exclude filters, case-insensitively as Sysmon
 * compares. Where it cannot decide (regex, base64, an include filter on a field the rule leaves open) the
 * answer is "partial" with the reason, never a guess.
 *
 * Semantics (Sysinternals): an event is logged when it matches an include filter — or the type has no include
 * filter — and matches no exclude filter; exclude wins. Excludes on fields the rule does not test are not
 * counted against it (they drop unrelated events, which is their purpose).
 */
import { expandPattern, type ConditionNode } from '../rules/condition.js';
import type { SigmaRule } from '../rules/model.js';
import { typedDetection, type FieldTest } from '../rules/detection-model.js';
import type { ElementRules, SysmonCondition, SysmonFilter } from '../environment/sysmon.js';
import { append } from '../lines.js';
import { avoidedFields, canonicalEvents, judgeExcludes, outsideRule, ruleFilters } from './sysmon-canonical.js';
import { coveredByUnion, evaluate, implies, intersects, meetsGrouped, type Constraint, type Pattern, type Term } from './sysmon-match.js';

export type SimResult = 'logged' | 'partial' | 'dropped';

export interface Simulation {
  result: SimResult;
  /** The config filters responsible, as "ProcessCreate include Image end with powershell.exe". */
  reasons: string[];
  /**
   * Exclusions that drop none of the rule's canonical events but would drop an event it matches when an
   * attacker's process, file or key matches them (an evasion gap, not a logging gap); capped, with a count.
   */
  evasion?: string[];
}

export type { Constraint, Pattern, Term } from './sysmon-match.js';
export { evaluate } from './sysmon-match.js';

const MAX_TERMS = 64;

/** The rule's positive match space as OR of terms (AND of constraints); undefined when it cannot be built. */
export function matchTerms(rule: SigmaRule): { terms: Term[]; notes: string[] } {
  const notes: string[] = [];
  const { selections } = typedDetection(rule);
  const sels = selections.map((s) => s.name);
  const branches = new Map<string, Term[]>();
  // Keyword lists and odd shapes match on no particular field: one unconstrained term.
  for (const s of selections)
    branches.set(
      s.name,
      s.branches.map((b) => b.map(toConstraint)),
    );
  const conds = rule.facts.conditions;
  if (!conds.length) return { terms: sels.flatMap((s) => branches.get(s) ?? []), notes: ['condition not parsed: every selection taken as matching'] };
  const terms: Term[] = [];
  for (const c of conds) {
    const ts = dnf(c, sels, branches);
    // The rule's own filters (`and not filter`) tell where its events are not: canonical events avoid them.
    const negs = negatives(c, sels, branches);
    if (negs.length) for (const t of ts) ruleFilters(t, negs);
    append(terms, ts);
  }
  if (terms.length > MAX_TERMS) {
    notes.push(`more than ${MAX_TERMS} condition terms: only the first ${MAX_TERMS} are simulated`);
    terms.length = MAX_TERMS;
  }
  return { terms, notes };
}

/** Sigma modifiers whose values cannot be compared with Sysmon's string conditions. */
const OPAQUE = new Set([
  're',
  'base64',
  'base64offset',
  'cidr',
  'gt',
  'gte',
  'lt',
  'lte',
  'fieldref',
  'exists',
  'expand',
  'utf16le',
  'utf16be',
  'wide',
  'utf16',
]);

function toConstraint(test: FieldTest): Constraint {
  const { field, mods: lower } = test;
  const values = test.values.map((v) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean),
  );
  const opaque = lower.some((m) => OPAQUE.has(m));
  const kind: Pattern['kind'] = opaque
    ? 'opaque'
    : lower.includes('contains')
      ? 'contains'
      : lower.includes('startswith')
        ? 'startswith'
        : lower.includes('endswith')
          ? 'endswith'
          : 'exact';
  let patterns = values.map((v) => wildcard(kind, v));
  if (lower.includes('windash')) {
    // windash: "-x" also matches "/x", "–x", "—x" and "―x".
    patterns = patterns.flatMap((p) =>
      p.value.startsWith('-') ? ['-', '/', '–', '—', '―'].map((d) => ({ ...p, value: d + p.value.slice(1), raw: d + p.raw.slice(1) })) : [p],
    );
  }
  if (lower.includes('cidr')) {
    // An IPv4 network on an octet boundary is a prefix: 10.0.0.0/8 → "10.", 192.168.0.0/16 → "192.168.".
    const prefixes = values.map(cidrPrefix);
    if (prefixes.every((p): p is string => p !== undefined)) {
      return {
        field,
        patterns: prefixes.map((p) => (p.endsWith('.') ? { kind: 'startswith' as const, value: p, raw: p } : { kind: 'exact' as const, value: p, raw: p })),
        all: false,
      };
    }
  }
  const undecidable = lower.filter((m) => OPAQUE.has(m));
  return undecidable.length ? { field, patterns, all: lower.includes('all'), opaque: undecidable } : { field, patterns, all: lower.includes('all') };
}

/** "10.0.0.0/8" → "10."; "1.2.3.4/32" → "1.2.3.4"; other masks and IPv6 → undefined (not decidable here). */
function cidrPrefix(net: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(net.trim());
  if (!m) return undefined;
  const bits = Number(m[5]);
  if (bits % 8 !== 0 || bits > 32) return undefined;
  const octets = m.slice(1, 1 + bits / 8);
  return bits === 32 ? octets.join('.') : bits === 0 ? '' : `${octets.join('.')}.`;
}

/** Sigma wildcards inside a plain value turn it into contains / startswith / endswith, or opaque. */
function wildcard(kind: Pattern['kind'], written: string): Pattern {
  const make = (k: Pattern['kind'], raw: string): Pattern => ({ kind: k, value: raw.toLowerCase(), raw });
  if (kind === 'opaque' || !/[*?]/.test(written.replace(/\\[*?]/g, ''))) return make(kind, written.replace(/\\([*?])/g, '$1'));
  const inner = written.replace(/^\*/, '').replace(/\*$/, '');
  if (/[*?]/.test(inner)) return make('opaque', written);
  const lead = written.startsWith('*');
  const trail = written.endsWith('*');
  if (kind === 'exact') return make(lead && trail ? 'contains' : lead ? 'endswith' : 'startswith', inner);
  return make(kind === 'contains' || (lead && trail) ? 'contains' : kind, inner);
}

function dnf(node: ConditionNode, sels: string[], branches: Map<string, Term[]>): Term[] {
  const cap = (ts: Term[]) => ts.slice(0, MAX_TERMS * 4);
  switch (node.type) {
    case 'ref':
      return branches.get(node.name) ?? [];
    case 'not':
      return [[]]; // a negated part restricts nothing we can use: taken as "may match"
    case 'of': {
      const names = expandPattern(node.pattern, sels);
      if (node.quantifier === 'one') return cap(names.flatMap((n) => branches.get(n) ?? []));
      return cap(names.reduce<Term[]>((acc, n) => cross(acc, branches.get(n) ?? []), [[]]));
    }
    case 'or':
      return cap(node.operands.flatMap((o) => dnf(o, sels, branches)));
    default:
      return cap(node.operands.reduce<Term[]>((acc, o) => cross(acc, dnf(o, sels, branches)), [[]]));
  }
}

/**
 * The conjunctions the rule's events never satisfy: the operands of `not` reached through `and` only, without a
 * nested `not` (`a or not b` and `not (a and not b)` say nothing certain about where the events are not).
 */
function negatives(node: ConditionNode, sels: string[], branches: Map<string, Term[]>): Term[] {
  if (node.type === 'and') return node.operands.flatMap((o) => negatives(o, sels, branches));
  if (node.type === 'not' && !hasNot(node.operand)) return dnf(node.operand, sels, branches);
  return [];
}

function hasNot(node: ConditionNode): boolean {
  return node.type === 'not' || ((node.type === 'and' || node.type === 'or') && node.operands.some(hasNot));
}

function cross(a: Term[], b: Term[]): Term[] {
  const out: Term[] = [];
  for (const x of a) for (const y of b) if (out.length < MAX_TERMS * 4) out.push([...x, ...y]);
  return out;
}

/** Filters of one event type, indexed by the fields they test (configs like SwiftOnSecurity's hold hundreds). */
interface IndexedRules {
  include: SysmonFilter[];
  exclude: SysmonFilter[];
  fieldsOf: Map<SysmonFilter, string[]>;
  /** Exclude filters by the (lower-case) field of their first condition. */
  excludeBy: Map<string, SysmonFilter[]>;
  /** Every field some filter tests. */
  fields: Set<string>;
  /** Exclude filters by each (lower-case) field they test. */
  excludeOn: Map<string, SysmonFilter[]>;
}

const indexed = new WeakMap<ElementRules, IndexedRules>();

function index(rules: ElementRules): IndexedRules {
  let ix = indexed.get(rules);
  if (!ix) {
    const fieldsOf = new Map<SysmonFilter, string[]>();
    for (const f of [...rules.include, ...rules.exclude]) fieldsOf.set(f, [...new Set(f.conditions.map((c) => c.field.toLowerCase()))]);
    const excludeBy = new Map<string, SysmonFilter[]>();
    for (const f of rules.exclude) {
      const k = fieldsOf.get(f)?.[0] ?? '';
      excludeBy.set(k, [...(excludeBy.get(k) ?? []), f]);
    }
    const fields = new Set([...fieldsOf.values()].flat());
    const excludeOn = new Map<string, SysmonFilter[]>();
    for (const f of rules.exclude) for (const k of fieldsOf.get(f) ?? []) excludeOn.set(k, [...(excludeOn.get(k) ?? []), f]);
    indexed.set(rules, (ix = { include: rules.include, exclude: rules.exclude, fieldsOf, excludeBy, fields, excludeOn }));
  }
  return ix;
}

const MAX_REASONS = 5;

/** Simulates one event type's filters against the rule's terms. */
export function simulate(terms: Term[], rules: ElementRules | undefined, eventLabel: string): Simulation {
  if (!rules || (!rules.include.length && !rules.exclude.length)) return { result: 'logged', reasons: [] };
  const ix = index(rules);
  const reasons = new Set<string>();
  const gaps: Gaps = { safe: [], lost: new Set() };
  const outcomes = terms.map((t) => {
    const o = termOutcome(t, ix, eventLabel, reasons, gaps);
    if (o !== 'logged') {
      // Say so when the rule's own values could not be compared: the answer is then a bound, not a finding.
      for (const k of t)
        if (k.opaque && ix.fields.has(k.field.toLowerCase()))
          reasons.add(`${eventLabel}: the rule's ${k.field}|${k.opaque.join('|')} cannot be compared with the config's conditions`);
    }
    return o;
  });
  const result: SimResult = outcomes.every((o) => o === 'logged') ? 'logged' : outcomes.every((o) => o === 'dropped') ? 'dropped' : 'partial';
  const sim: Simulation = { result, reasons: capped([...reasons], 'config filters') };
  // Only what the rule loses to an attacker's choice, not what the verdict already counts as lost.
  // An exclusion is a way around the rule when some term's events can meet it without it dropping any of them.
  // Named first: those keyed only on fields that term reads (the OneDrive Image exclusion for an Image rule), as
  // the attacker then only has to place the binary there; the others also need a renamed binary, a parent ….
  if (result !== 'dropped' && gaps.safe.length) {
    const direct: SysmonFilter[] = [];
    const other: SysmonFilter[] = [];
    for (const f of ix.exclude) {
      if (gaps.lost.has(f)) continue;
      const open = gaps.safe.filter((g) => !g.safe.has(f));
      if (!open.length) continue;
      // Whether it is keyed on the term's own fields only matters while fewer than MAX_REASONS are named.
      const keyed = direct.length < MAX_REASONS && open.some((g) => (ix.fieldsOf.get(f) ?? []).every((x) => g.tested.has(x)));
      (keyed ? direct : other).push(f);
    }
    // Described only as far as they are named: configs hold hundreds of exclusions.
    const named = [...direct, ...other];
    if (named.length)
      sim.evasion = [
        ...named.slice(0, MAX_REASONS).map((f) => describe(eventLabel, 'exclude', f)),
        ...(named.length > MAX_REASONS ? [`… and ${named.length - MAX_REASONS} more exclusions`] : []),
      ];
  }
  return sim;
}

/** Does the condition's outcome depend on how the value begins? (`image` with a bare name looks at the end only.) */
function startDependent(c: SysmonCondition): boolean {
  if (c.operator === 'image') return c.value.includes('\\');
  return ['is', 'is not', 'is any', 'begin with', 'not begin with', 'less than', 'more than'].includes(c.operator);
}

function capped(list: string[], what: string): string[] {
  if (list.length > MAX_REASONS) list.splice(MAX_REASONS, list.length - MAX_REASONS, `… and ${list.length - MAX_REASONS} more ${what}`);
  return list;
}

/**
 * Per term judged on canonical events, the exclusions that cannot meet its events at all or drop them (every
 * other exclusion is an evasion for it); lost: exclusions that drop some canonical event of some term.
 */
interface Gaps {
  safe: { safe: Set<SysmonFilter>; tested: Set<string> }[];
  lost: Set<SysmonFilter>;
}

function termOutcome(term: Term, ix: IndexedRules, label: string, reasons: Set<string>, gaps: Gaps): SimResult {
  const tested = new Set(term.map((k) => k.field.toLowerCase()));
  const onTested = (f: SysmonFilter) => (ix.fieldsOf.get(f) ?? []).every((x) => tested.has(x));
  const canon = canonicalEvents(term);
  let partial = false;
  // Exclusions the events cannot settle: on a field with undecidable values (|re …), or testing how a value
  // begins where the rule leaves the start open (`CommandLine begin with …` for `CommandLine|contains`).
  const symbolic = new Set([...canon.opaque].flatMap((f) => ix.excludeOn.get(f) ?? []));
  for (const field of canon.openLeft) {
    for (const f of ix.excludeOn.get(field) ?? []) if (f.conditions.some((c) => c.field.toLowerCase() === field && startDependent(c))) symbolic.add(f);
  }
  // Judged on the events the rule's own values describe: dropping one of them is a logging gap.
  const j = judgeExcludes(canon, ix.exclude, symbolic);
  for (const f of j.by) gaps.lost.add(f);
  if (j.dropped === 'all') {
    for (const f of j.by) reasons.add(describe(label, 'exclude', f));
    return 'dropped';
  }
  if (j.dropped === 'some') {
    for (const f of j.by) reasons.add(describe(label, 'exclude', f) + " (drops some events built from the rule's values)");
    if (j.bound) reasons.add(`${label}: too many combinations of the rule's values to tell whether the exclusions drop all of them`);
    partial = true;
  }
  const safe = new Set(j.by);
  if (symbolic.size) {
    // Compared symbolically, and only when they test nothing but fields the rule tests (their purpose is noise);
    // none of them is called an evasion.
    for (const f of symbolic) safe.add(f);
    const excludes = [...symbolic].filter(onTested);
    for (const f of excludes) {
      if (implies(term, f) === true) {
        reasons.add(describe(label, 'exclude', f));
        return 'dropped';
      }
    }
    for (const f of excludes) {
      if (intersects(term, f)) {
        reasons.add(describe(label, 'exclude', f) + ' (drops some matching events)');
        gaps.lost.add(f);
        partial = true;
      }
    }
  }
  // Every other exclusion that can meet an event the rule matches only does so by the attacker's choice. Only
  // exclusions on a field the term tests or filters can fail to meet it: the others are looked at once, at the end.
  const seen = new Set<SysmonFilter>();
  const byField = new Map<string, Constraint[]>();
  for (const k of term) byField.set(k.field.toLowerCase(), [...(byField.get(k.field.toLowerCase()) ?? []), k]);
  for (const field of new Set([...tested, ...avoidedFields(term)])) {
    for (const f of ix.excludeOn.get(field) ?? []) {
      if (safe.has(f) || seen.has(f)) continue;
      seen.add(f);
      if (!meetsGrouped(byField, f) || outsideRule(term, f)) safe.add(f);
    }
  }
  gaps.safe.push({ safe, tested });
  if (!ix.include.length) return partial ? 'partial' : 'logged';
  if (ix.include.some((f) => onTested(f) && implies(term, f) === true) || coveredByUnion(term, ix.include)) return partial ? 'partial' : 'logged';
  const open = ix.include.filter((f) => !onTested(f));
  if (open.length) {
    const fields = [...new Set(open.flatMap((f) => f.conditions.map((c) => c.field)).filter((x) => !tested.has(x.toLowerCase())))];
    reasons.add(
      `${label}: include filters on ${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ' …' : ''}, which the rule does not test, log only part of what it matches`,
    );
    return 'partial';
  }
  const some = ix.include.filter((f) => intersects(term, f));
  if (some.length) {
    for (const f of some.slice(0, 3)) reasons.add(describe(label, 'include', f) + ' (logs only part of what the rule matches)');
    return 'partial';
  }
  reasons.add(`${label}: no include filter matches what the rule looks for`);
  return 'dropped';
}

function describe(label: string, onmatch: string, f: SysmonFilter): string {
  const conds = f.conditions.map((c) => `${c.field} ${c.operator} ${c.value}`).join(' and ');
  return `${label} ${onmatch}${f.name ? ` [${f.name}]` : ''}: ${conds}`;
}

/**
 * Would Sysmon log this concrete event (field → value)? The reference semantics the symbolic simulation
 * approximates: exclude sets first, first matching set decides; no match keeps a single set's default and
 * drops the event when there are several sets; no set at all keeps the type's default.
 */
export function logsEvent(rules: ElementRules | undefined, loggedByDefault: boolean, event: Record<string, string>): boolean {
  if (!rules) return loggedByDefault;
  const value = (field: string) => {
    const key = Object.keys(event).find((k) => k.toLowerCase() === field.toLowerCase());
    return key === undefined ? undefined : (event[key] as string).toLowerCase();
  };
  const matches = (f: SysmonFilter) =>
    f.conditions.every((c) => {
      const v = value(c.field);
      return v !== undefined && evaluate(c, v);
    });
  if (rules.exclude.some(matches)) return false;
  if (rules.include.some(matches)) return true;
  const sets = rules.includeSets + rules.excludeSets;
  if (sets > 1) return false;
  return !rules.hasInclude; // a single exclude set logs what it does not match; a single include set drops it
}
