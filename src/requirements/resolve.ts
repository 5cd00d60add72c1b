import type { Catalog } from '../catalog/catalog.js';
import type { LogSourceEntry, LogSourceOrigin } from '../catalog/types.js';
import { canMatch } from '../rules/condition.js';
import { enrichersFor, eventOptions, roleOptions } from './producers.js';
import { entryKey, eventsFromFields, infer, planEntries, sysmonTypesFromFields, type PlanResult } from './normalise.js';
import { eventsRead } from './reads.js';
import { productRoles } from './products.js';
import { providersByEvent } from './objects.js';
import type { CorrelationRule, LoadedRule, SigmaRule } from '../rules/model.js';
import { minimizeAlternatives, product, single, withAll, type Alternative, type Combo, MAX_ALTERNATIVES } from './sets.js';
import { append } from '../lines.js';

export interface Resolution {
  status: 'resolved' | 'unknown';
  /** "windows/category/process_creation", "windows/service/security", or what the rule says for others. */
  logsource: string;
  /** OR of AND sets. `[[]]` (one empty set) means nothing has to be turned on. */
  alternatives: Alternative[];
  /** Event ids the requirements were computed for. */
  eventIds: number[];
  unknownReason?: string;
  notes: string[];
  /** How the log source was found when the logsource block did not name it in taxonomy terms. */
  inferredFrom?: string;
  /**
   * Per EventID, the providers the rule pairs it with: worked out here (and cached with the resolution) so a
   * run with a warm cache never parses a detection for it.
   */
  eventProviders?: Record<string, string[]>;
}

/** Fields every Windows event has; they never decide between sources. */
const COMMON_FIELDS = new Set(['eventid', 'channel', 'provider_name', 'computer', 'security_userid', 'keywords', 'level']);

export function resolveRule(rule: SigmaRule, catalog: Catalog): Resolution {
  const ls = rule.logsource;
  const notes: string[] = [];
  let label = logsourceLabel(rule);
  const unknown = (reason: string): Resolution => ({
    status: 'unknown',
    logsource: label,
    alternatives: [],
    eventIds: rule.facts.eventIds,
    unknownReason: reason,
    notes,
  });

  const windowsProduct = ls.product === 'windows' || (ls.alternatives?.product ?? []).includes('windows');
  // No product: Windows only when the detection itself names a Windows channel, provider or event ID.
  const byDetection = windowsProduct || ls.product !== undefined ? undefined : infer(rule, catalog);
  if (!windowsProduct && !byDetection) {
    if (ls.product) return unknown(`not a Windows rule (product: ${ls.product})`);
    const what = ls.category ? `category: ${ls.category}` : ls.service ? `service: ${ls.service}` : 'no category or service';
    return unknown(`not a Windows rule (no product; ${what})`);
  }
  const plan = byDetection ? planFromInference(byDetection) : planEntries(rule, catalog);
  append(notes, plan.notes);
  if ('unknown' in plan) return unknown(plan.unknown);
  let entries = plan.entries;
  label = plan.label;
  let inferredFrom = plan.inferredFrom;

  const alternatives: Alternative[] = [];
  const rejected: string[] = [];
  const eventIds = new Set<number>();
  let byFields = false;
  // Events of a product's providers (SQL Server, ScreenConnect …) exist only on hosts that run the product.
  const products = productRoles(rule, catalog);
  const collect = (list: LogSourceEntry[]) => {
    for (const entry of list) {
      const isCategory = entry.category !== undefined;
      const known = knownFields(entry);
      let ids = rule.facts.eventIds;
      if (list.length > 1 && !isCategory && ids.length) {
        // Several services (a list, or Channel values): each reads only the rule's events that belong to it.
        const security = entry.sources.some((s) => s.channel === 'Security');
        ids = ids.filter((id) => catalog.auditProducers(id).length > 0 === security);
        if (!ids.length) continue;
      }
      if (!ids.length && !isCategory) {
        const f = eventsFromFields(rule, catalog, entry.service);
        if (f) {
          ids = f.ids;
          notes.push(f.note);
          byFields = true;
        }
      }
      for (const origin of entry.sources) {
        const res = resolveOrigin(rule, origin, isCategory, known, catalog, ids);
        if ('rejected' in res) {
          rejected.push(`${origin.name}: ${res.rejected}`);
          continue;
        }
        append(notes, res.notes);
        if (res.eventsFromFields) byFields = true;
        res.events.forEach((e) => eventIds.add(e));
        let roles: string[] = [...(entry.roles ?? []), ...(origin.roles ?? [])];
        if (!roles.length && products.length && origin.producer !== 'sysmon' && origin.producer !== 'audit') {
          roles = products;
          notes.push(`its events come only from ${products.join(' / ')} (the providers it reads): ready only on hosts that run it`);
        }
        const lacks = res.lacks?.length ? { lacks: res.lacks } : {};
        for (const c of roleOptions(res.sets, roles)) {
          const alt: Alternative = { origin: origin.name, requires: c.requires, branches: c.branches, events: c.events, ...lacks };
          alternatives.push(origin.supplementary ? { ...alt, supplementary: true } : alt);
        }
        for (const c of roleOptions(res.partial, roles))
          alternatives.push({ origin: origin.name, requires: c.requires, branches: c.branches, events: c.events, supplementary: true, ...lacks });
      }
    }
  };
  collect(entries);
  if (!alternatives.length && rule.facts.eventIds.length && rejected.length && rejected.every((r) => /is not one of its events/.test(r))) {
    // A category with an event ID of another source (network_connection + 5156): read the source that writes it.
    const inferred = infer(rule, catalog);
    if (inferred && inferred.entries.some((e) => !entries.includes(e))) {
      notes.push(`${label} does not produce EventID ${rule.facts.eventIds.join(', ')}: ${inferred.notes.join('; ')}`);
      entries = inferred.entries;
      label = inferred.entries.map(entryKey).join(' + ');
      inferredFrom = [inferredFrom, inferred.from].filter(Boolean).join('; ');
      rejected.length = 0;
      collect(entries);
    }
  }
  if (!alternatives.length) {
    return { ...unknown(rejected.join('; ') || 'no source in the catalog produces this log source'), eventIds: rule.facts.eventIds };
  }
  if (rejected.length)
    append(
      notes,
      rejected.map((r) => `not an option: ${r}`),
    );
  const eventProviders = providersByEvent(rule);
  return {
    status: 'resolved',
    logsource: label,
    alternatives: minimizeAlternatives(alternatives),
    eventIds: [...eventIds].sort((a, b) => a - b),
    notes: [...new Set(notes)],
    ...(inferredFrom || byFields ? { inferredFrom: [inferredFrom, byFields ? 'fields → EventID' : ''].filter(Boolean).join('; ') } : {}),
    ...(eventProviders ? { eventProviders } : {}),
  };
}

/** A rule without product whose detection names a Windows channel, provider or event ID. */
function planFromInference(inferred: NonNullable<ReturnType<typeof infer>>): PlanResult {
  const label = inferred.entries.map(entryKey).join(' + ');
  return { entries: inferred.entries, label, notes: [...inferred.notes, 'no product: a Windows rule by its detection'], inferredFrom: inferred.from };
}

interface OriginResult {
  /** The events were told by the fields the rule reads (it has no EventID). */
  eventsFromFields?: boolean;
  sets: Combo[];
  /** Ways that cover only part of what the rule matches (Removable Storage for file paths): partial at best. */
  partial: Combo[];
  events: number[];
  notes: string[];
  /** Fields the rule reads that this origin lacks (it still matches through other selections). */
  lacks?: string[];
}

function resolveOrigin(
  rule: SigmaRule,
  origin: LogSourceOrigin,
  isCategory: boolean,
  known: Set<string>,
  catalog: Catalog,
  ruleIds: number[],
): OriginResult | { rejected: string } {
  if (origin.producer === 'etw') {
    return { rejected: `ETW provider ${origin.provider ?? ''} has no event-log channel; it needs an ETW consumer`.replace('  ', ' ') };
  }
  const notes: string[] = [];
  let lacks: string[] | undefined;

  if (origin.fields) {
    const verdict = fieldCoverage(rule, origin.fields, known);
    if (!verdict.usable) return { rejected: `does not provide field(s) ${verdict.lacking.join(', ')}` };
    if (verdict.lacking.length) {
      notes.push(`with ${origin.name} the rule's branches on ${verdict.lacking.join(', ')} cannot match`);
      lacks = verdict.lacking;
    }
  }

  // Which events of this origin the rule can match.
  let events = eventsRead(origin, isCategory, ruleIds);
  let sysmonByFields = false;
  if (isCategory && origin.events?.length && !events.length) {
    return { rejected: `the rule's EventID ${ruleIds.join(', ')} is not one of its events (${origin.events.join(', ')})` };
  }

  if (!events.length && origin.producer === 'sysmon') {
    // service: sysmon without EventID: the fields it reads tell the event types, or nothing can be said.
    const types = sysmonTypesFromFields(rule, catalog, COMMON_FIELDS);
    if (!types) return { rejected: 'no EventID and no field that only some Sysmon event types have: which types it needs cannot be told' };
    events = types;
    sysmonByFields = true;
    notes.push(`no EventID: Sysmon event type(s) ${types.join(', ')} are the ones with every field it reads`);
  }
  if (!events.length && origin.producer === 'audit') {
    return { rejected: 'no EventID: the rule matches any Security event, so which audit subcategory it needs cannot be told' };
  }
  const perEvent: Combo[][] = [];
  // Per event, its supplementary options when it has any (else its full ones): the partial-coverage ways.
  const perEventPartial: Combo[][] = [];
  let anyPartial = false;
  const base = origin.requires ?? [];
  // Each branch records its event (channel and ID) so that observed counts can prove it.
  const channel = origin.channel ?? '';
  if (!events.length) {
    // Channel-level: the rule matches any event of the channel.
    const anyEvent = { channel, eventIds: [] };
    perEvent.push([
      single(
        origin.producer === 'channel' && origin.channel
          ? [`channel:${origin.channel}`, ...enrichersFor(rule, origin, undefined, notes)]
          : enrichersFor(rule, origin, undefined, notes),
        anyEvent,
      ),
    ]);
    perEventPartial.push(perEvent[0] as Combo[]);
  }
  for (const id of events) {
    const extra = [...(origin.eventRequires?.[String(id)] ?? []), ...enrichersFor(rule, origin, id, notes)];
    const opts = eventOptions(rule, origin, id, catalog, notes);
    if (!opts) continue;
    const event = { channel, eventIds: [id] };
    const full = opts.filter((o) => !o.partial).map((o) => single([...o.requires, ...extra], event));
    const part = opts.filter((o) => o.partial).map((o) => single([...o.requires, ...extra], event));
    if (part.length) anyPartial = true;
    if (full.length) perEvent.push(full);
    perEventPartial.push(part.length ? part : full);
    if (!full.length) perEvent.push([]); // only partial ways: no full alternative for this rule
  }
  if (!perEventPartial.length) return { rejected: `none of EventID ${events.join(', ')} is known to be produced by it` };

  const { sets, truncated } = product(perEvent);
  if (truncated) notes.push(`more than ${MAX_ALTERNATIVES} ways to produce the rule's events; only the first ${MAX_ALTERNATIVES} are listed`);
  const partial = anyPartial ? product(perEventPartial).sets.map((c) => withAll(c, base)) : [];
  return {
    sets: sets.map((c) => withAll(c, base)),
    partial,
    events,
    notes,
    ...(sysmonByFields ? { eventsFromFields: true } : {}),
    ...(lacks ? { lacks } : {}),
  };
}

/**
 * Can the rule still match with only this origin's fields? Fields no origin of the log source lists are not
 * held against any of them (they may be typos or generic fields).
 */
function fieldCoverage(rule: SigmaRule, fields: string[], known: Set<string>): { usable: boolean; lacking: string[] } {
  const own = lowerSet(fields);
  const has = (f: string) => {
    const low = f.toLowerCase();
    return COMMON_FIELDS.has(low) || !known.has(low) || own.has(low);
  };
  const lacking = rule.facts.positiveFields.filter((f) => !has(f));
  if (!lacking.length) return { usable: true, lacking };
  const { conditions, selectionFields } = rule.facts;
  const names = Object.keys(selectionFields);
  const matchable = (name: string) => (selectionFields[name] ?? [[]]).some((branch) => branch.every(has));
  // Without a parsed condition, every positive field is taken as needed.
  const usable = conditions.length > 0 && conditions.some((c) => canMatch(c, names, matchable));
  return { usable, lacking };
}

/** Lower-cased field sets, built once per catalog list rather than once per rule. */
const lowered = new WeakMap<readonly string[], Set<string>>();
function lowerSet(fields: readonly string[]): Set<string> {
  let s = lowered.get(fields);
  if (!s) lowered.set(fields, (s = new Set(fields.map((f) => f.toLowerCase()))));
  return s;
}

const knownByEntry = new WeakMap<LogSourceEntry, Set<string>>();
function knownFields(entry: LogSourceEntry): Set<string> {
  let s = knownByEntry.get(entry);
  if (!s) {
    s = new Set<string>();
    for (const o of entry.sources) for (const f of o.fields ?? []) s.add(f.toLowerCase());
    knownByEntry.set(entry, s);
  }
  return s;
}

export function logsourceLabel(rule: SigmaRule): string {
  const ls = rule.logsource;
  const parts = [ls.product ?? '(no product)'];
  if (ls.category) parts.push(`category/${ls.category}`);
  if (ls.service) parts.push(`service/${ls.service}`);
  return parts.join('/');
}

/**
 * A correlation rule needs what its referenced rules need, all of them together.
 * `byRef` maps rule ids and names to their resolutions.
 */
export function resolveCorrelation(rule: CorrelationRule, byRef: Map<string, Resolution>): Resolution {
  const notes: string[] = [];
  const perRef: Combo[][] = [];
  const eventIds = new Set<number>();
  for (const ref of rule.references) {
    const r = byRef.get(ref);
    if (!r) {
      return {
        status: 'unknown',
        logsource: 'correlation',
        alternatives: [],
        eventIds: [],
        unknownReason: `referenced rule "${ref}" is not in the rule set`,
        notes,
      };
    }
    if (r.status === 'unknown') {
      return {
        status: 'unknown',
        logsource: 'correlation',
        alternatives: [],
        eventIds: [],
        unknownReason: `referenced rule "${ref}" is unknown: ${r.unknownReason}`,
        notes,
      };
    }
    r.eventIds.forEach((e) => eventIds.add(e));
    perRef.push(r.alternatives.filter((a) => !a.supplementary).map((a) => ({ requires: a.requires, branches: a.branches, events: a.events })));
  }
  if (!perRef.length) {
    return { status: 'unknown', logsource: 'correlation', alternatives: [], eventIds: [], unknownReason: 'correlation references no rules', notes };
  }
  const { sets, truncated } = product(perRef);
  if (truncated) notes.push(`more than ${MAX_ALTERNATIVES} combinations; only the first ${MAX_ALTERNATIVES} are listed`);
  return {
    status: 'resolved',
    logsource: 'correlation',
    alternatives: sets.map((c) => ({ origin: 'referenced rules', requires: c.requires, branches: c.branches, events: c.events })),
    eventIds: [...eventIds].sort((a, b) => a - b),
    notes,
  };
}

/** Resolves a whole rule set, correlations after the rules they reference. */
export function resolveAll(rules: LoadedRule[], catalog: Catalog): Map<LoadedRule, Resolution> {
  const out = new Map<LoadedRule, Resolution>();
  const byRef = new Map<string, Resolution>();
  for (const r of rules) {
    if (r.kind !== 'rule') continue;
    const res = resolveRule(r, catalog);
    out.set(r, res);
    if (r.id) byRef.set(r.id, res);
    if (r.name) byRef.set(r.name, res);
  }
  for (const r of rules) if (r.kind === 'correlation') out.set(r, resolveCorrelation(r, byRef));
  return out;
}
