/**
 * The user's own log-source mappings, added to the catalog for one run:
 *  - `--mapping FILE`: entries in the catalog's own schema (`logsources:` as in data/logsources.yaml); an
 *    entry with the key of a catalog entry replaces it, others are added;
 *  - `--pipeline FILE`: a pySigma processing pipeline; its `add_condition` transformations whose rule
 *    conditions name a log source (`type: logsource`) map that log source to the Channel / Provider_Name /
 *    EventID they add. Other transformations are listed as notes: they change queries, not what is logged.
 * A file that cannot be used is one MappingError naming the file and the key.
 */
import { lazy } from '../lazy.js';
import { Catalog } from './catalog.js';
import { checkLogSources } from './load.js';
import type { LogSourceEntry, LogSourceOrigin } from './types.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export class MappingError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export interface MappingInput {
  path: string;
  text: string;
  kind: 'mapping' | 'pipeline';
}

/** A catalog with the mappings applied, and the notes they produced. */
export function withMappings(catalog: Catalog, inputs: MappingInput[]): { catalog: Catalog; notes: string[] } {
  if (!inputs.length) return { catalog, notes: [] };
  const byKey = new Map<string, LogSourceEntry>(catalog.logsources.map((e) => [keyOf(e), e]));
  const notes: string[] = [];
  for (const input of inputs) {
    let doc: unknown;
    try {
      doc = yaml().parse(input.text, { maxAliasCount: 100, logLevel: 'error' });
    } catch (e) {
      throw new MappingError(`${input.path}: YAML error: ${(e as Error).message.split('\n')[0]}`);
    }
    const entries = input.kind === 'mapping' ? mappingEntries(input.path, doc) : pipelineEntries(input.path, doc, catalog, notes);
    for (const e of entries) {
      if (byKey.has(keyOf(e))) notes.push(`${input.path}: ${keyOf(e)} replaces the catalog's entry`);
      byKey.set(keyOf(e), e);
    }
  }
  const next = new Catalog(catalog.auditCategories, catalog.subcategories, catalog.sysmonEvents, catalog.policies, [...byKey.values()], catalog.eventLogs, catalog.sysmonConditions, catalog.collectorFacts, catalog.aliases, catalog.saclScope);
  const problems = next.checkReferences();
  if (problems.length) throw new MappingError(`${inputs.map((i) => i.path).join(', ')}: ${problems[0]}`);
  return { catalog: next, notes };
}

function keyOf(e: LogSourceEntry): string {
  return e.category ? `${e.product}/category/${e.category}` : `${e.product}/service/${e.service}`;
}

function mappingEntries(path: string, doc: unknown): LogSourceEntry[] {
  if (!isObj(doc) || !Array.isArray(doc['logsources'])) throw new MappingError(`${path}: logsources: expected a list of log-source entries (the schema of data/logsources.yaml)`);
  const problems: string[] = [];
  const entries = checkLogSources(doc, problems, path);
  if (problems.length) throw new MappingError(problems[0] as string);
  return entries;
}

/** add_condition + logsource rule conditions → one entry per custom log source. */
function pipelineEntries(path: string, doc: unknown, catalog: Catalog, notes: string[]): LogSourceEntry[] {
  if (!isObj(doc) || !Array.isArray(doc['transformations'])) throw new MappingError(`${path}: transformations: expected the list of a pySigma processing pipeline`);
  const out: LogSourceEntry[] = [];
  doc['transformations'].forEach((t, i) => {
    const where = `${path}: transformations[${i}]${isObj(t) && typeof t['id'] === 'string' ? ` (${t['id']})` : ''}`;
    if (!isObj(t)) throw new MappingError(`${where}: not a mapping`);
    const type = t['type'];
    if (type !== 'add_condition') {
      notes.push(`${where}: type ${String(type)} changes queries, not what is logged; not used`);
      return;
    }
    const conds = t['conditions'];
    if (!isObj(conds)) throw new MappingError(`${where}: conditions: expected a mapping of field → value`);
    const sources = list(t['rule_conditions']).filter((c): c is Obj => isObj(c) && c['type'] === 'logsource');
    if (!sources.length) {
      notes.push(`${where}: add_condition without a logsource rule condition; not used`);
      return;
    }
    const origins = originsFor(conds, catalog, where);
    for (const rc of sources) {
      const product = typeof rc['product'] === 'string' ? rc['product'].toLowerCase() : 'windows';
      const category = typeof rc['category'] === 'string' ? rc['category'].toLowerCase() : undefined;
      const service = typeof rc['service'] === 'string' ? rc['service'].toLowerCase() : undefined;
      if (!category === !service) throw new MappingError(`${where}: rule_conditions: a logsource condition needs a category or a service`);
      out.push({ product, ...(category ? { category } : { service }), title: `${category ?? service} (pipeline ${path})`, sources: origins, source: path, note: `from pySigma pipeline ${path}` });
    }
  });
  return out;
}

/** The origins a set of added conditions names: channels from Channel, Provider_Name or EventID. */
function originsFor(conds: Obj, catalog: Catalog, where: string): LogSourceOrigin[] {
  const ids = list(conds['EventID'] ?? conds['EventId']).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 65536);
  let channels = list(conds['Channel']).filter((c): c is string => typeof c === 'string');
  if (!channels.length) {
    for (const p of list(conds['Provider_Name'] ?? conds['Provider']).filter((c): c is string => typeof c === 'string')) {
      const t = catalog.aliases.providers.find((x) => x.provider.toLowerCase() === p.toLowerCase());
      const origin = catalog.logsources.flatMap((e) => e.sources).find((s) => s.provider?.toLowerCase() === p.toLowerCase() && s.channel);
      const ch = t?.channel ?? origin?.channel;
      if (ch) channels.push(ch);
    }
  }
  if (!channels.length && ids.length) channels = [...new Set(ids.map((id) => catalog.aliases.eventIds.find((x) => x.ids.includes(id))?.channel ?? (catalog.auditProducers(id).length ? 'Security' : '')).filter(Boolean))];
  if (!channels.length) throw new MappingError(`${where}: conditions: no Channel, Provider_Name or known EventID tells where the events are logged`);
  return channels.flatMap((ch): LogSourceOrigin[] => {
    const known = catalog.serviceForChannel(ch);
    // A channel the catalog knows keeps its producers (audit subcategories, Sysmon, policies), narrowed to the IDs.
    if (known) return known.sources.filter((s) => s.channel?.toLowerCase() === ch.toLowerCase()).map((s) => {
      const { events: _all, ...rest } = s;
      return ids.length ? { ...rest, events: ids } : rest;
    });
    return [{ name: `${ch} (pipeline)`, producer: 'channel' as const, channel: ch, ...(ids.length ? { events: ids } : {}), note: 'a channel the catalog does not know: its state comes from wevtutil gl in a host snapshot' }];
  });
}
