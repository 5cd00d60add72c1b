/**
 * Which catalog log sources a rule reads, for rules as they are written in the wild: taxonomy names, lists
 * and comma-separated names (alternatives), aliases (data/logsource-aliases.yaml), a category given as a
 * service or the reverse, a channel name given as a service — and, when the logsource does not settle it,
 * inference from the detection's Channel, Provider_Name and event IDs that name one channel. Every step that
 * is not the plain taxonomy is said in a note and in `inferredFrom`.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { LogSourceEntry } from '../catalog/types.js';
import type { SigmaRule } from '../rules/model.js';
import { append } from '../lines.js';

export interface Plan {
  entries: LogSourceEntry[];
  /** The names the entries came from, for the report: "windows/category/ps_module + windows/category/ps_script". */
  label: string;
  notes: string[];
  /** How the log source was found when not by its taxonomy name: "Provider_Name", "EventID", "alias bits" … */
  inferredFrom?: string;
}

export type PlanResult = Plan | { unknown: string; notes: string[] };

/** "windows/category/process_creation", "windows/service/security": the key reports use. */
export const entryKey = (e: LogSourceEntry) => (e.category ? `windows/category/${e.category}` : `windows/service/${e.service}`);

/** Entries for one name given in `field`, with how they were found (undefined: by its taxonomy name). */
function lookup(catalog: Catalog, field: 'category' | 'service', name: string, service?: string): { entries: LogSourceEntry[]; how?: string } {
  const direct = field === 'category' ? catalog.logsource('windows', name) : catalog.logsource('windows', undefined, name);
  if (direct) return { entries: [direct] };
  const alias = catalog.aliases.aliases.find((a) => a.field === field && a.name === name && (!a.withService || a.withService === service));
  if (alias) {
    const entries = alias.to.map((t) => catalog.logsource('windows', t.category, t.service)).filter((e): e is LogSourceEntry => e !== undefined);
    if (entries.length) return { entries, how: `alias ${field} ${name} → ${entries.map(entryKey).join(' or ')} (${alias.reason})` };
  }
  const other = field === 'category' ? catalog.logsource('windows', undefined, name) : catalog.logsource('windows', name);
  if (other) return { entries: [other], how: `${field} ${name} is the taxonomy's ${field === 'category' ? 'service' : 'category'} ${name}` };
  const byChannel = catalog.serviceForChannel(name);
  if (byChannel) return { entries: [byChannel], how: `${field} ${name} is the channel of service ${byChannel.service}` };
  return { entries: [] };
}

export function planEntries(rule: SigmaRule, catalog: Catalog): PlanResult {
  const ls = rule.logsource;
  const notes: string[] = [];
  const hows: string[] = [];
  const cats = ls.alternatives?.category ?? (ls.category ? [ls.category] : []);
  const svcs = ls.alternatives?.service ?? (ls.service ? [ls.service] : []);
  if ((ls.alternatives?.category?.length ?? 0) > 1 || (ls.alternatives?.service?.length ?? 0) > 1) {
    notes.push(`logsource lists several names (${[...cats, ...svcs].join(', ')}): each is an alternative`);
    hows.push('list of log sources');
  }
  const found: LogSourceEntry[] = [];
  const unknownNames: string[] = [];
  const take = (field: 'category' | 'service', name: string) => {
    const r = lookup(catalog, field, name, ls.service);
    if (r.how) {
      notes.push(`log source: ${r.how}`);
      hows.push(r.how.split(' (')[0] as string);
    }
    if (r.entries.length) append(found, r.entries);
    else unknownNames.push(`${field} "${name}"`);
  };
  for (const c of cats) take('category', c);
  // A service decides only where no category did (category antivirus + service windefend: the service).
  if (!found.length) for (const s of svcs) take('service', s);
  if (found.length) {
    if (unknownNames.length) notes.push(`${unknownNames.join(', ')} not in the catalog; the other names are used`);
    return done(found, notes, hows);
  }

  const inferred = infer(rule, catalog);
  if (inferred) {
    append(notes, inferred.notes);
    if (unknownNames.length) notes.push(`${unknownNames.join(', ')} not in the catalog: log source inferred from the detection`);
    return done(inferred.entries, notes, [...hows, inferred.from]);
  }
  if (unknownNames.length) return { unknown: `${unknownNames.join(' and ')} ${unknownNames.length > 1 ? 'are' : 'is'} not in the catalog`, notes };
  return { unknown: 'logsource names no category or service and the detection names no known Channel, provider or event ID', notes };
}

function done(entries: LogSourceEntry[], notes: string[], hows: string[]): Plan {
  const unique = [...new Set(entries)];
  return { entries: unique, label: unique.map(entryKey).join(' + '), notes, ...(hows.length ? { inferredFrom: [...new Set(hows)].join('; ') } : {}) };
}

/** The detection's Channel, Provider_Name or event IDs, in that order of certainty. */
export function infer(rule: SigmaRule, catalog: Catalog): { entries: LogSourceEntry[]; notes: string[]; from: string } | undefined {
  const f = rule.facts;
  const byChannel = f.channels.map((c) => ({ c, e: catalog.serviceForChannel(c) }));
  const known = byChannel.filter((x) => x.e);
  if (known.length) {
    const notes = [`log source taken from Channel in the detection: ${known.map((x) => x.c).join(', ')}`];
    for (const x of byChannel) if (!x.e) notes.push(`Channel "${x.c}" is not in the catalog`);
    return { entries: known.map((x) => x.e as LogSourceEntry), notes, from: 'Channel' };
  }
  const ids = f.eventIds;
  const fromProvider: LogSourceEntry[] = [];
  for (const p of f.providers) {
    const low = p.toLowerCase();
    const table = catalog.aliases.providers.find((x) => x.provider.toLowerCase() === low);
    const viaTable = table && catalog.serviceForChannel(table.channel);
    if (viaTable) {
      fromProvider.push(viaTable);
      continue;
    }
    // Origins that name the provider; a category (Sysmon) only when it produces one of the rule's event IDs.
    for (const e of catalog.logsources) {
      if (e.product !== 'windows') continue;
      const o = e.sources.find((s) => s.provider?.toLowerCase() === low && (e.service || (ids.length && s.events?.some((x) => ids.includes(x)))));
      if (o) fromProvider.push(e);
    }
  }
  if (fromProvider.length) {
    // A category matched by the rule's event IDs (Sysmon EID 6 → driver_load) says more than the provider's service.
    const cats = fromProvider.filter((e) => e.category);
    const pick = cats.length ? cats : fromProvider;
    return {
      entries: [...new Set(pick)],
      notes: [`log source inferred from Provider_Name ${f.providers.join(', ')}${ids.length ? ` and EventID ${ids.join(', ')}` : ''}`],
      from: 'Provider_Name',
    };
  }
  const byFields = catalog.aliases.fields.find(
    (t) => t.fields.some((x) => f.positiveFields.some((y) => y.toLowerCase() === x.toLowerCase())) && (!ids.length || ids.every((id) => t.events.includes(id))),
  );
  const fieldEntry = byFields && catalog.logsource('windows', undefined, byFields.service);
  if (fieldEntry && byFields)
    return {
      entries: [fieldEntry],
      notes: [
        `log source inferred from the fields it reads (${byFields.fields.filter((x) => f.positiveFields.some((y) => y.toLowerCase() === x.toLowerCase())).join(', ')}: ${byFields.reason})`,
      ],
      from: 'fields',
    };
  if (ids.length) {
    const channels = new Set<string>();
    for (const id of ids) {
      const t = catalog.aliases.eventIds.find((x) => x.ids.includes(id));
      if (t) t.channels.forEach((c) => channels.add(c));
      else if (catalog.auditProducers(id).length) channels.add('Security');
      else return undefined; // one ID of no known channel: the rule's source cannot be told
    }
    const found = [...channels].map((c) => catalog.serviceForChannel(c));
    // Two channels of one service (Windows PowerShell and PowerShell 7 Operational) are one entry.
    const entries = [...new Set(found.filter((e): e is LogSourceEntry => e !== undefined))];
    if (found.every((e) => e !== undefined))
      return { entries, notes: [`log source inferred from EventID ${ids.join(', ')} (${[...channels].join(', ')})`], from: 'EventID' };
  }
  return undefined;
}

/** A service rule without EventID: the events of its channel that the fields it reads belong to. */
export function eventsFromFields(rule: SigmaRule, catalog: Catalog, service: string | undefined): { ids: number[]; note: string } | undefined {
  if (!service) return undefined;
  const read = new Set(rule.facts.positiveFields.map((x) => x.toLowerCase()));
  const ids = new Set<number>();
  const used: string[] = [];
  for (const t of catalog.aliases.fields) {
    if (t.service !== service) continue;
    const hit = t.fields.filter((x) => read.has(x.toLowerCase()));
    if (!hit.length) continue;
    t.events.forEach((id) => ids.add(id));
    used.push(`${hit.join(', ')} → ${t.events.join(', ')}`);
  }
  return ids.size ? { ids: [...ids].sort((a, b) => a - b), note: `no EventID: the fields it reads name the events (${used.join('; ')})` } : undefined;
}

/** Sysmon event types whose fields hold every field the rule reads (common fields aside); at most 6. */
export function sysmonTypesFromFields(rule: SigmaRule, catalog: Catalog, common: Set<string>): number[] | undefined {
  const read = rule.facts.positiveFields.map((x) => x.toLowerCase()).filter((x) => !common.has(x));
  if (!read.length) return undefined;
  const types = catalog.sysmonEvents.filter((e) => e.filterable && read.every((x) => e.fields.some((y) => y.toLowerCase() === x))).map((e) => e.id);
  return types.length && types.length <= 6 ? types : undefined;
}
