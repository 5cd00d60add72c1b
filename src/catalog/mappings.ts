/**
 * The user's own log-source mappings, added to the catalog for one run:
 *  - `--mapping FILE`: entries in the catalog's own schema (`logsources:` as in data/logsources.yaml); an
 *    entry with the key of a catalog entry replaces it, others are added;
 *  - `--pipeline FILE`: a pySigma processing pipeline; its `add_condition` transformations whose rule
 *    conditions name a log source (`type: logsource`) map that log source to the Channel / Provider_Name /
 *    EventID they add. Other transformations are listed as notes: they change queries, not what is logged.
 * A file that cannot be used is one MappingError naming the file and the key (or the limit, LIMITS.mapping).
 */
import { LIMITS } from '../limits.js';
import { Catalog } from './catalog.js';
import { checkLogSources } from './load.js';
import { clip, MappingError, readMappingYaml } from './mapping-read.js';
import type { LogSourceEntry, LogSourceOrigin } from './types.js';

export { MappingError };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export interface MappingInput {
  path: string;
  text: string;
  kind: 'mapping' | 'pipeline';
}

/** Notes of one kind listed per file (unused transformations, replaced entries) before one line counts the rest. */
const LISTED_UNUSED = 20;

/** A catalog with the mappings applied, and the notes they produced. */
export function withMappings(catalog: Catalog, inputs: MappingInput[]): { catalog: Catalog; notes: string[] } {
  if (!inputs.length) return { catalog, notes: [] };
  const byKey = new Map<string, LogSourceEntry>(catalog.logsources.map((e) => [keyOf(e), e]));
  const notes: string[] = [];
  for (const input of inputs) {
    const read = readMappingYaml(input.path, input.text);
    notes.push(...read.notes);
    const doc = read.doc;
    const entries = input.kind === 'mapping' ? mappingEntries(input.path, doc) : pipelineEntries(input.path, doc, catalog, notes);
    let replaced = 0;
    for (const e of entries) {
      const events = e.sources.reduce((n, o) => n + (o.events?.length ?? 0), 0);
      const max = LIMITS.mapping.eventIdsPerLogSource;
      if (events > max)
        throw new MappingError(
          `${input.path}: ${keyOf(e)}: ${events} event IDs, more than ${max} per log source (limit: each rule of it is resolved per event); not used`,
        );
      if (byKey.has(keyOf(e)) && ++replaced <= LISTED_UNUSED) notes.push(`${input.path}: ${keyOf(e)} replaces the catalog's entry`);
      byKey.set(keyOf(e), e);
    }
    if (replaced > LISTED_UNUSED) notes.push(`${input.path}: … and ${replaced - LISTED_UNUSED} more entries replace earlier ones`);
  }
  const next = new Catalog(
    catalog.auditCategories,
    catalog.subcategories,
    catalog.sysmonEvents,
    catalog.policies,
    [...byKey.values()],
    catalog.eventLogs,
    catalog.sysmonConditions,
    catalog.collectorFacts,
    catalog.aliases,
    catalog.saclScope,
    catalog.channelFacts,
  );
  const problems = next.checkReferences();
  if (problems.length) throw new MappingError(`${inputs.map((i) => i.path).join(', ')}: ${clip(problems[0] as string, 500)}`);
  return { catalog: next, notes };
}

function keyOf(e: LogSourceEntry): string {
  return e.category ? `${e.product}/category/${e.category}` : `${e.product}/service/${e.service}`;
}

function mappingEntries(path: string, doc: unknown): LogSourceEntry[] {
  if (!isObj(doc) || !Array.isArray(doc['logsources']))
    throw new MappingError(`${path}: logsources: expected a list of log-source entries (the schema of data/logsources.yaml)`);
  if (doc['logsources'].length > LIMITS.mapping.entries)
    throw new MappingError(`${path}: logsources: more than ${LIMITS.mapping.entries} entries (limit); not used`);
  const problems: string[] = [];
  const entries = checkLogSources(doc, problems, path);
  if (problems.length) throw new MappingError(clip(problems[0] as string, 500));
  return entries;
}

/** add_condition + logsource rule conditions → one entry per custom log source. */
function pipelineEntries(path: string, doc: unknown, catalog: Catalog, notes: string[]): LogSourceEntry[] {
  if (!isObj(doc) || !Array.isArray(doc['transformations']))
    throw new MappingError(`${path}: transformations: expected the list of a pySigma processing pipeline`);
  const { transformations, entries } = LIMITS.mapping;
  if (doc['transformations'].length > transformations) throw new MappingError(`${path}: transformations: more than ${transformations} (limit); not used`);
  const out: LogSourceEntry[] = [];
  let unused = 0;
  const skip = (message: string) => {
    if (++unused <= LISTED_UNUSED) notes.push(message);
  };
  doc['transformations'].forEach((t, i) => {
    const where = `${path}: transformations[${i}]${isObj(t) && typeof t['id'] === 'string' ? ` (${clip(t['id'])})` : ''}`;
    if (!isObj(t)) throw new MappingError(`${where}: not a mapping`);
    const type = t['type'];
    if (type !== 'add_condition') {
      skip(`${where}: type ${clip(String(type))} changes queries, not what is logged; not used`);
      return;
    }
    const conds = t['conditions'];
    if (!isObj(conds)) throw new MappingError(`${where}: conditions: expected a mapping of field → value`);
    const sources = list(t['rule_conditions']).filter((c): c is Obj => isObj(c) && c['type'] === 'logsource');
    if (!sources.length) {
      skip(`${where}: add_condition without a logsource rule condition; not used`);
      return;
    }
    if (out.length + sources.length > entries) throw new MappingError(`${where}: more than ${entries} log sources in one file (limit); not used`);
    const origins = originsFor(conds, catalog, where, notes);
    for (const rc of sources) {
      const product = typeof rc['product'] === 'string' ? rc['product'].toLowerCase() : 'windows';
      const category = typeof rc['category'] === 'string' ? rc['category'].toLowerCase() : undefined;
      const service = typeof rc['service'] === 'string' ? rc['service'].toLowerCase() : undefined;
      if (!category === !service) throw new MappingError(`${where}: rule_conditions: a logsource condition needs a category or a service`);
      out.push({
        product,
        ...(category ? { category } : { service }),
        title: `${category ?? service} (pipeline ${path})`,
        sources: origins,
        source: path,
        note: `from pySigma pipeline ${path}`,
      });
    }
  });
  if (unused > LISTED_UNUSED) notes.push(`${path}: … and ${unused - LISTED_UNUSED} more transformations not used`);
  return out;
}

/** Where a provider's or an event ID's events are logged, by the catalog (built once per catalog). */
interface Lookups {
  providerChannel: Map<string, string>;
  idChannel: Map<number, string[]>;
}
const lookups = new WeakMap<Catalog, Lookups>();
function lookupsOf(catalog: Catalog): Lookups {
  let l = lookups.get(catalog);
  if (l) return l;
  const providerChannel = new Map<string, string>();
  // The alias table first, then the first catalog origin of the provider that names a channel.
  for (const t of catalog.aliases.providers) if (!providerChannel.has(t.provider.toLowerCase())) providerChannel.set(t.provider.toLowerCase(), t.channel);
  for (const e of catalog.logsources)
    for (const s of e.sources) {
      const p = s.provider?.toLowerCase();
      if (p && s.channel && !providerChannel.has(p)) providerChannel.set(p, s.channel);
    }
  const idChannel = new Map<number, string[]>();
  for (const x of catalog.aliases.eventIds) for (const id of x.ids) if (!idChannel.has(id)) idChannel.set(id, x.channels);
  l = { providerChannel, idChannel };
  lookups.set(catalog, l);
  return l;
}

/** The origins a set of added conditions names: channels from Channel, Provider_Name or EventID. */
function originsFor(conds: Obj, catalog: Catalog, where: string, notes: string[]): LogSourceOrigin[] {
  const { providerChannel, idChannel } = lookupsOf(catalog);
  const ids = [
    ...new Set(
      list(conds['EventID'] ?? conds['EventId'])
        .map(Number)
        .filter((n) => Number.isInteger(n) && n >= 0 && n < 65536),
    ),
  ];
  const channels = new Map<string, string>(); // lower-cased → as written (first)
  const add = (ch: string) => {
    if (!channels.has(ch.toLowerCase())) channels.set(ch.toLowerCase(), ch);
  };
  for (const c of list(conds['Channel'])) if (typeof c === 'string') add(c);
  if (!channels.size) {
    for (const p of list(conds['Provider_Name'] ?? conds['Provider'])) {
      const ch = typeof p === 'string' ? providerChannel.get(p.toLowerCase()) : undefined;
      if (ch) add(ch);
    }
  }
  if (!channels.size)
    for (const id of ids) {
      for (const ch of idChannel.get(id) ?? (catalog.auditProducers(id).length ? ['Security'] : [])) add(ch);
    }
  if (!channels.size) throw new MappingError(`${where}: conditions: no Channel, Provider_Name or known EventID tells where the events are logged`);
  const pairs = channels.size * Math.max(1, ids.length);
  if (pairs > LIMITS.mapping.channelEvents)
    throw new MappingError(
      `${where}: conditions: ${channels.size} channels × ${ids.length} event IDs, more than ${LIMITS.mapping.channelEvents} pairs (limit); not used`,
    );
  const unknownIds = new Set<number>();
  const origins = [...channels.values()].flatMap((ch): LogSourceOrigin[] => {
    const known = catalog.serviceForChannel(ch);
    // A channel the catalog knows keeps its producers (audit subcategories, Sysmon, policies), narrowed to the IDs.
    if (known)
      return known.sources
        .filter((s) => s.channel?.toLowerCase() === ch.toLowerCase())
        .flatMap((s) => {
          const { events: all, ...rest } = s;
          if (!ids.length) return [rest];
          const events = producedIds(s, all, ids, catalog, unknownIds);
          return events.length ? [{ ...rest, events }] : [];
        });
    return [
      {
        name: `${ch} (pipeline)`,
        producer: 'channel' as const,
        channel: ch,
        ...(ids.length ? { events: ids } : {}),
        note: 'a channel the catalog does not know: its state comes from wevtutil gl in a host snapshot',
      },
    ];
  });
  if (unknownIds.size) {
    const list = [...unknownIds].sort((a, b) => a - b);
    const shown = list.slice(0, 10).join(', ') + (list.length > 10 ? `, … (${list.length})` : '');
    notes.push(
      `${where}: EventID ${shown}: no producer the catalog knows writes them to that channel; rules of this log source are judged without them (unknown when none is left)`,
    );
  }
  return origins;
}

/**
 * The pipeline's IDs a catalog origin produces. An audit origin's own `events` are the events the Security log
 * writes without any audit setting: an ID no subcategory logs must not be read as one of those (a false
 * "ready, logged by default"), so it is left out, as a rule's unknown Security IDs are.
 */
function producedIds(origin: LogSourceOrigin, own: number[] | undefined, ids: number[], catalog: Catalog, unknown: Set<number>): number[] {
  const regardless = new Set(own ?? []);
  const produced = (id: number): boolean => {
    if (origin.producer === 'audit') return catalog.auditProducers(id).length > 0 || regardless.has(id);
    if (origin.producer === 'sysmon') return catalog.sysmonEvent(id) !== undefined;
    return true;
  };
  return ids.filter((id) => {
    if (produced(id)) return true;
    unknown.add(id);
    return false;
  });
}
