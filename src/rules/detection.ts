import { classifySelections, ConditionError, parseCondition, type ConditionNode } from './condition.js';
import type { DetectionFacts } from './model.js';
import { append } from '../lines.js';

const RESERVED = new Set(['condition', 'timeframe']);

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
  const selections = Object.keys(detection).filter((k) => !RESERVED.has(k));
  const rawCondition = detection['condition'];
  const conditions: string[] = Array.isArray(rawCondition)
    ? rawCondition.map((c) => String(c))
    : typeof rawCondition === 'string'
      ? [rawCondition]
      : [];

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
  for (const name of selections) {
    const isPositive = positive.has(name);
    selectionFields[name] = branchesOf(detection[name]);
    visitSelection(detection[name], (key, value) => {
      const [rawField = '', ...mods] = key.split('|');
      const field = rawField.trim();
      if (!field) return;
      all.add(field);
      if (!isPositive) return;
      pos.add(field);
      const bucket = COLLECTED[field.toLowerCase()];
      if (!bucket) return;
      if (!mods.every((m) => EQUALITY_MODIFIERS.has(m.toLowerCase()))) {
        if (bucket === 'eventIds') warnings.push(`EventID with modifier "${mods.join('|')}" cannot be enumerated`);
        return;
      }
      for (const v of Array.isArray(value) ? value : [value]) {
        if (bucket === 'eventIds') {
          const n = toEventId(v);
          if (n === undefined) warnings.push(`EventID value ${JSON.stringify(v)} is not a number`);
          else values.eventIds.add(n);
        } else if (typeof v === 'string' || typeof v === 'number') {
          values[bucket].add(String(v));
        }
      }
    });
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

/** A selection's OR-branches: a map is one branch of all its fields, a list of maps one branch per map. */
function branchesOf(sel: unknown): string[][] {
  const fieldsOf = (m: Record<string, unknown>) => Object.keys(m).map((k) => (k.split('|')[0] ?? '').trim()).filter(Boolean);
  if (Array.isArray(sel)) {
    const maps = sel.filter(isMap);
    // A list of plain values is a keyword search: it needs no particular field.
    return maps.length ? maps.map(fieldsOf) : [[]];
  }
  return isMap(sel) ? [fieldsOf(sel)] : [[]];
}

/** Calls back for every field condition in a selection: a map, or a list of maps (keyword lists have none). */
function visitSelection(sel: unknown, onField: (key: string, value: unknown) => void): void {
  if (Array.isArray(sel)) {
    for (const item of sel) if (isMap(item)) visitSelection(item, onField);
    return;
  }
  if (!isMap(sel)) return;
  for (const [key, value] of Object.entries(sel)) onField(key, value);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Windows event IDs are 16-bit: anything else in an EventID field is not one. */
function toEventId(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,5}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}
