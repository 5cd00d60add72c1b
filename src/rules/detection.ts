import { classifySelections, ConditionError, parseCondition, type ConditionNode } from './condition.js';
import { readSelections } from './detection-model.js';
import type { DetectionFacts } from './model.js';
import { append } from '../lines.js';

/** Field names whose values we collect, compared case-insensitively. */
const COLLECTED: Record<string, 'eventIds' | 'channels' | 'providers' | 'objectTypes'> = {
  eventid: 'eventIds',
  channel: 'channels',
  provider_name: 'providers',
  provider: 'providers',
  objecttype: 'objectTypes',
};

/** Modifiers after which a value is still compared for equality-ish, so EventID values stay meaningful. */
const EQUALITY_MODIFIERS = new Set(['', 'all', 'cased', 'exists']);

/** Analyses a rule's detection section: condition polarity, EventIDs, fields and notable values. */
export function analyseDetection(detection: Record<string, unknown>): DetectionFacts {
  const warnings: string[] = [];
  const typed = readSelections(detection);
  const selections = typed.map((s) => s.name);
  const rawCondition = detection['condition'];
  const conditions: string[] = Array.isArray(rawCondition) ? rawCondition.map((c) => String(c)) : typeof rawCondition === 'string' ? [rawCondition] : [];

  let positive = new Set<string>();
  const asts: ConditionNode[] = [];
  if (conditions.length === 0) {
    warnings.push('detection has no condition; every selection is treated as used');
    positive = new Set(selections);
  } else {
    // A list of conditions means any of them: polarity is the union over the list.
    for (const cond of conditions) {
      try {
        const { ast, warnings: w } = parseCondition(cond);
        asts.push(ast);
        append(warnings, w);
        const use = classifySelections(ast, selections);
        for (const name of use.positive) positive.add(name);
        if (use.undefinedRefs.length) warnings.push(`condition refers to undefined selection(s): ${use.undefinedRefs.join(', ')}`);
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        warnings.push(`${e.message}; every selection is treated as used`);
        positive = new Set(selections);
        asts.length = 0;
        break;
      }
    }
  }

  const all = new Set<string>();
  const pos = new Set<string>();
  const selectionFields: Record<string, string[][]> = {};
  const values = { eventIds: new Set<number>(), channels: new Set<string>(), providers: new Set<string>(), objectTypes: new Set<string>() };
  for (const sel of typed) {
    const isPositive = positive.has(sel.name);
    selectionFields[sel.name] = sel.branches.map((b) => b.map((t) => t.field).filter(Boolean));
    for (const test of sel.branches.flat()) {
      const { field, mods } = test;
      if (!field) continue;
      all.add(field);
      if (!isPositive) continue;
      pos.add(field);
      const bucket = COLLECTED[test.fieldLower];
      if (!bucket) continue;
      if (!mods.every((m) => EQUALITY_MODIFIERS.has(m))) {
        if (bucket === 'eventIds') warnings.push(`EventID with modifier "${test.modifiers.join('|')}" cannot be enumerated`);
        continue;
      }
      for (const v of test.values) {
        if (bucket === 'eventIds') {
          const n = toEventId(v);
          if (n === undefined) warnings.push(`EventID value ${JSON.stringify(v)} is not a number`);
          else values.eventIds.add(n);
        } else if (typeof v === 'string' || typeof v === 'number') {
          values[bucket].add(String(v));
        }
      }
    }
  }

  return {
    eventIds: [...values.eventIds].sort((a, b) => a - b),
    fields: [...all].sort(),
    positiveFields: [...pos].sort(),
    channels: [...values.channels],
    providers: [...values.providers],
    objectTypes: [...values.objectTypes],
    conditions: asts,
    selectionFields,
    warnings,
  };
}

/** Windows event IDs are 16-bit: anything else in an EventID field is not one. */
function toEventId(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,5}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}
