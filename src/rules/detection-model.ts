/**
 * The detection block as a typed model, built once per rule and shared by every consumer (the detection facts,
 * the Sysmon simulation, SACL targets, object classes, product roles): selections, their OR-branches, and in
 * each branch the AND-ed field tests with the field, its modifiers and its values. Before this, each consumer
 * split `field|modifier` keys and skipped `condition`/`timeframe` its own way.
 *
 * Shapes follow the Sigma specification: a selection is a map (one branch of all its fields), a list of maps
 * (one branch per map), or a keyword list (one branch that names no field); `condition` and `timeframe` are not
 * selections. Anything else in a list is ignored, as a Sigma backend would refuse it.
 */
import { classifySelections } from './condition.js';
import type { SigmaRule } from './model.js';

/** One `field|modifier…: value(s)` entry of a branch. */
export interface FieldTest {
  /** The key as written ("CommandLine|contains|all"). */
  key: string;
  /** The field name, trimmed; "" when the key names none (`|re: …`). */
  field: string;
  /** The field name in lower case (Sigma field names are case-insensitive for most backends). */
  fieldLower: string;
  /** Modifiers, trimmed, as written; `mods` the same in lower case. */
  modifiers: string[];
  mods: string[];
  /** The values: a list value is its items, a scalar is one item (null stays null). */
  values: unknown[];
}

export interface Selection {
  name: string;
  /** OR of branches, each an AND of field tests; a keyword list or an empty map is one branch with no test. */
  branches: FieldTest[][];
  /** A keyword list: its values match anywhere in the event, on no particular field. */
  keywords: boolean;
}

export interface TypedDetection {
  selections: Selection[];
  /** The selections the condition uses positively (all of them when the condition could not be parsed). */
  positive: Selection[];
}

export const NOT_SELECTIONS: ReadonlySet<string> = new Set(['condition', 'timeframe']);

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldTest(key: string, value: unknown): FieldTest {
  const [rawField = '', ...rest] = key.split('|');
  const field = rawField.trim();
  const modifiers = rest.map((m) => m.trim());
  return {
    key,
    field,
    fieldLower: field.toLowerCase(),
    modifiers,
    mods: modifiers.map((m) => m.toLowerCase()),
    values: Array.isArray(value) ? value : [value],
  };
}

/** The selections of a detection block, in the order written. */
export function readSelections(detection: Record<string, unknown>): Selection[] {
  const out: Selection[] = [];
  for (const [name, sel] of Object.entries(detection)) {
    if (NOT_SELECTIONS.has(name)) continue;
    const maps = Array.isArray(sel) ? sel.filter(isMap) : isMap(sel) ? [sel] : [];
    const branches = maps.map((m) => Object.entries(m).map(([k, v]) => fieldTest(k, v)));
    out.push(maps.length ? { name, branches, keywords: false } : { name, branches: [[]], keywords: true });
  }
  return out;
}

const memo = new WeakMap<SigmaRule, TypedDetection>();

/** The rule's typed detection, built on first use and kept for the rule's lifetime. */
export function typedDetection(rule: SigmaRule): TypedDetection {
  let d = memo.get(rule);
  if (d) return d;
  const selections = readSelections(rule.detection);
  const names = selections.map((s) => s.name);
  let positive = selections;
  if (rule.facts.conditions.length) {
    const used = new Set<string>();
    for (const c of rule.facts.conditions) for (const s of classifySelections(c, names).positive) used.add(s);
    positive = selections.filter((s) => used.has(s.name));
  }
  memo.set(rule, (d = { selections, positive }));
  return d;
}

/** Every field test of the positively used selections' branches. */
export function* positiveTests(rule: SigmaRule): Generator<FieldTest> {
  for (const s of typedDetection(rule).positive) for (const b of s.branches) yield* b;
}

/** A value that matches an empty field: Windows writes "-" where it has no value, and null or "" match nothing there. */
const matchesEmpty = (v: unknown): boolean => v === null || v === '' || v === '-';

/**
 * The fields a rule needs filled: fields of its positive tests, minus those a positive test of the rule allows
 * to be empty (`WorkstationName: '-'`, `Field: null`, `Field|exists: false`). Field evidence that finds such a
 * field empty does not starve the rule: the rule looks for exactly that.
 */
export function fieldsNeedingContent(rule: SigmaRule): string[] {
  const need = new Set<string>();
  const emptyOk = new Set<string>();
  for (const t of positiveTests(rule)) {
    if (!t.field) continue;
    const exists = t.mods.includes('exists');
    if ((exists && t.values.some((v) => v === false || v === 'false')) || (!exists && t.values.some(matchesEmpty))) emptyOk.add(t.fieldLower);
    else need.add(t.field);
  }
  return [...need].filter((f) => !emptyOk.has(f.toLowerCase())).sort();
}
