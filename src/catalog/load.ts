import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lazy.js';
import { codeFile, PACKAGE_DIR } from '../paths.js';
import { Catalog, ROLES, SACL_KINDS } from './catalog.js';
import type {
  AuditCategory,
  AuditSubcategory,
  CollectorFacts,
  EventLogThreshold,
  LogSourceEntry,
  Policy,
  Producer,
  SysmonConditionInfo,
  SysmonEvent,
} from './types.js';
import { CatalogError, Checker, GUID_RE, REQUIREMENT_RE } from './validate.js';
import { checkAliases, type AliasData } from './aliases.js';
import { checkSaclScope, type SaclScope } from './sacl-scope.js';
import { checkChannelFacts, type ChannelFacts } from './channel-facts.js';
import { checkObjectFacts, objectFactsFromJson, type ObjectFactsJson } from './audit-objects.js';
import { checkHazards } from './hazards.js';
import { checkSubcategoryVolume, checkVolumeFields, VOLUME_FIELD_KEYS } from './volume.js';
import { append } from '../lines.js';

/** `data/` of the installed package. */
export const DEFAULT_DATA_DIR = join(PACKAGE_DIR, 'data');

const PRODUCERS: readonly Producer[] = ['sysmon', 'audit', 'default', 'channel', 'etw'];

const yaml = lazy<typeof import('yaml')>('yaml');

const FILES = [
  'audit.yaml',
  'sysmon.yaml',
  'policies.yaml',
  'logsources.yaml',
  'eventlog.yaml',
  'sysmon-filtering.yaml',
  'collectors.yaml',
  'logsource-aliases.yaml',
  'sacl-scope.yaml',
  'channels.yaml',
  'sysmon-install.yaml',
  'audit-objects.yaml',
] as const;
/** Written by `npm run build`: the validated catalog as JSON, with a hash of the YAML it came from. */
const SNAPSHOT = codeFile('catalog-snapshot.json');

interface CatalogParts {
  categories: AuditCategory[];
  subcategories: AuditSubcategory[];
  sysmon: SysmonEvent[];
  policies: Policy[];
  logsources: LogSourceEntry[];
  eventLogs: EventLogThreshold[];
  sysmonConditions: SysmonConditionInfo[];
  collectorFacts: CollectorFacts;
  aliases: AliasData;
  saclScope: SaclScope;
  channelFacts: ChannelFacts;
  objectFacts: ObjectFactsJson;
}

let cached: Catalog | undefined;

/**
 * Loads and validates the catalog; throws CatalogError listing every problem. Parsing the YAML costs a
 * quarter of a second, so the default catalog is read from the build's snapshot while its hash matches.
 */
export function loadCatalog(dataDir = DEFAULT_DATA_DIR): Catalog {
  if (dataDir === DEFAULT_DATA_DIR && cached) return cached;
  const { parts, hash } = readSources(dataDir);
  let data: CatalogParts | undefined;
  if (dataDir === DEFAULT_DATA_DIR) data = readSnapshot(hash);
  const catalog = data ? fromParts(data) : fromParts(validate(parts));
  catalog.version = hash.slice(0, 12);
  if (dataDir === DEFAULT_DATA_DIR) cached = catalog;
  return catalog;
}

/** Validates data/ and writes the snapshot next to the compiled code (the build runs this). */
export function writeCatalogSnapshot(dataDir = DEFAULT_DATA_DIR): string {
  const { parts, hash } = readSources(dataDir);
  const data = validate(parts);
  fromParts(data); // cross-references
  writeFileSync(SNAPSHOT, JSON.stringify({ hash, data }));
  return SNAPSHOT;
}

function readSources(dataDir: string): { parts: Record<string, string | Error>; hash: string } {
  const h = createHash('sha1');
  const parts: Record<string, string | Error> = {};
  for (const name of FILES) {
    try {
      const text = readFileSync(join(dataDir, name), 'utf8');
      parts[name] = text;
      h.update(name).update('\0').update(text);
    } catch (e) {
      parts[name] = e as Error;
    }
  }
  return { parts, hash: h.digest('hex') };
}

function readSnapshot(hash: string): CatalogParts | undefined {
  try {
    const snap = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { hash: string; data: CatalogParts };
    return snap.hash === hash ? snap.data : undefined;
  } catch {
    return undefined; // no build snapshot (running from src/) or a stale one: read the YAML
  }
}

function validate(texts: Record<string, string | Error>): CatalogParts {
  const problems: string[] = [];
  const read = (name: string): Record<string, unknown> => {
    try {
      const text = texts[name];
      if (text instanceof Error || text === undefined) throw text ?? new Error('missing');
      const doc: unknown = yaml().parse(text);
      if (typeof doc !== 'object' || doc === null) throw new Error('not a mapping');
      return doc as Record<string, unknown>;
    } catch (e) {
      problems.push(`${name}: cannot load: ${(e as Error).message.split('\n')[0]}`);
      return {};
    }
  };
  const audit = checkAudit(read('audit.yaml'), problems);
  const sysmon = checkSysmon(read('sysmon.yaml'), problems);
  const policies = checkPolicies(read('policies.yaml'), problems);
  const logsources = checkLogSources(read('logsources.yaml'), problems);
  const eventLogs = checkEventLogs(read('eventlog.yaml'), problems);
  const filtering = read('sysmon-filtering.yaml');
  const sysmonConditions = checkSysmonConditions(filtering, problems);
  checkRequiredOptions(sysmon, filtering, problems);
  const collectorFacts = checkCollectors(read('collectors.yaml'), problems);
  const aliases = checkAliases(read('logsource-aliases.yaml'), problems);
  const saclScope = checkSaclScope(read('sacl-scope.yaml'), problems);
  const channelFacts = checkChannelFacts(read('channels.yaml'), read('sysmon-install.yaml'), ROLES, problems);
  const objectFacts = checkObjectFacts(read('audit-objects.yaml'), problems);
  if (problems.length) throw new CatalogError(problems);
  return { ...audit, sysmon, policies, logsources, eventLogs, sysmonConditions, collectorFacts, aliases, saclScope, channelFacts, objectFacts };
}

function fromParts(d: CatalogParts): Catalog {
  const catalog = new Catalog(
    d.categories,
    d.subcategories,
    d.sysmon,
    d.policies,
    d.logsources,
    d.eventLogs,
    d.sysmonConditions,
    d.collectorFacts,
    d.aliases,
    d.saclScope,
    d.channelFacts,
    objectFactsFromJson(d.objectFacts),
  );
  const refProblems = catalog.checkReferences();
  if (refProblems.length) throw new CatalogError(refProblems);
  return catalog;
}

function list(c: Checker, doc: unknown, key: string): unknown[] {
  return c.field<unknown[]>(doc, 'top level', key, 'array') ?? [];
}

function checkAudit(doc: unknown, problems: string[]) {
  const c = new Checker('audit.yaml');
  const categories = list(c, doc, 'categories') as AuditCategory[];
  const subcategories = list(c, doc, 'subcategories') as AuditSubcategory[];
  categories.forEach((cat, i) => {
    const w = `categories[${i}]`;
    c.onlyKeys(cat, w, ['name', 'guid', 'legacySetting', 'legacyName', 'source', 'note']);
    for (const k of ['name', 'guid', 'legacySetting', 'legacyName', 'source']) c.field(cat, w, k, 'string');
    if (cat.guid && !GUID_RE.test(cat.guid)) c.fail(w, `guid ${cat.guid} is not an upper-case {GUID}`);
  });
  const names = new Set(categories.map((x) => x.name));
  const guids = new Set<string>();
  subcategories.forEach((sub, i) => {
    const w = `subcategories[${i}] (${sub?.name})`;
    c.onlyKeys(sub, w, [
      'guid',
      'name',
      'auditpolName',
      'csp',
      'category',
      'events',
      'objectTypes',
      'sacl',
      'roles',
      'supplementary',
      'volume',
      'source',
      'note',
    ]);
    checkSubcategoryVolume(c, sub, w);
    c.field(sub, w, 'supplementary', 'boolean', true);
    const sacl = c.field<string>(sub, w, 'sacl', 'string', true);
    if (sacl && !SACL_KINDS.includes(sacl)) c.fail(w, `sacl "${sacl}" is not one of ${SACL_KINDS.join(', ')}`);
    checkRoles(c, sub, w);
    for (const k of ['guid', 'name', 'auditpolName', 'category', 'source']) c.field(sub, w, k, 'string');
    c.field(sub, w, 'note', 'string', true);
    // Audit Policy CSP node name (<Area>_Audit<Name>): written into Intune OMA-URIs, so only that shape is accepted.
    const csp = c.field<string>(sub, w, 'csp', 'string', true);
    if (csp !== undefined && !/^[A-Za-z]+_Audit[A-Za-z]+$/.test(csp)) c.fail(w, `csp "${csp}" is not an Audit Policy CSP node name`);
    c.field(sub, w, 'objectTypes', 'array', true);
    if (sub.guid && !GUID_RE.test(sub.guid)) c.fail(w, `guid ${sub.guid} is not an upper-case {GUID}`);
    if (guids.has(sub.guid)) c.fail(w, `duplicate guid ${sub.guid}`);
    guids.add(sub.guid);
    if (sub.category && !names.has(sub.category)) c.fail(w, `unknown category "${sub.category}"`);
    (c.field<unknown[]>(sub, w, 'events', 'array') ?? []).forEach((ev, j) => {
      const we = `${w}.events[${j}]`;
      c.onlyKeys(ev, we, ['id', 'outcome', 'requires', 'regardless', 'sacl', 'objectTypes', 'roles', 'source', 'note']);
      c.field(ev, we, 'id', 'number');
      c.field(ev, we, 'regardless', 'boolean', true);
      c.field(ev, we, 'objectTypes', 'array', true);
      // sacl: false (needs none although the subcategory's events do) or the kind of SACL this event needs.
      const evSacl = (ev as { sacl?: unknown }).sacl;
      if (evSacl !== undefined && evSacl !== false && !(typeof evSacl === 'string' && SACL_KINDS.includes(evSacl)))
        c.fail(we, `sacl must be false or one of ${SACL_KINDS.join(', ')}`);
      c.field(ev, we, 'source', 'string', true);
      checkRoles(c, ev, we);
      for (const r of c.field<string[]>(ev, we, 'requires', 'array', true) ?? []) {
        if (!REQUIREMENT_RE.test(r)) c.fail(we, `requirement id "${r}" is malformed`);
      }
      const o = c.field<string>(ev, we, 'outcome', 'string');
      if (o && !['success', 'failure', 'both', 'unspecified'].includes(o)) c.fail(we, `outcome "${o}" is not success, failure, both or unspecified`);
    });
  });
  append(problems, c.problems);
  return { categories, subcategories };
}

/** Host roles the catalog may restrict events to (data/README.md, "Roles"). */

function checkRoles(c: Checker, obj: unknown, w: string): void {
  for (const r of c.field<string[]>(obj, w, 'roles', 'array', true) ?? []) {
    if (!(ROLES as readonly string[]).includes(r)) c.fail(w, `role "${r}" is not one of ${ROLES.join(', ')}`);
  }
}

function checkSysmon(doc: unknown, problems: string[]): SysmonEvent[] {
  const c = new Checker('sysmon.yaml');
  const events = list(c, doc, 'events') as SysmonEvent[];
  const ids = new Set<number>();
  events.forEach((ev, i) => {
    const w = `events[${i}] (${ev?.id})`;
    c.onlyKeys(ev, w, [
      'id',
      'name',
      'element',
      'filterable',
      'loggedByDefault',
      'minSchema',
      'fields',
      'source',
      'hazards',
      'requiresOption',
      'note',
      ...VOLUME_FIELD_KEYS,
    ]);
    checkVolumeFields(c, ev, w);
    checkHazards(c, ev, w, true);
    c.field(ev, w, 'id', 'number');
    c.field(ev, w, 'name', 'string');
    c.field(ev, w, 'element', 'string|null');
    c.field(ev, w, 'filterable', 'boolean');
    c.field(ev, w, 'loggedByDefault', 'boolean');
    c.field(ev, w, 'minSchema', 'string|null');
    c.field(ev, w, 'fields', 'array');
    c.field(ev, w, 'source', 'string');
    const req = c.field<Record<string, unknown>>(ev, w, 'requiresOption', 'object', true);
    if (req !== undefined) {
      c.onlyKeys(req, `${w}.requiresOption`, ['name', 'source', 'note']);
      for (const k of ['name', 'source', 'note']) c.field(req, `${w}.requiresOption`, k, 'string');
      if (typeof req.source === 'string' && !/^https:\/\//.test(req.source)) c.fail(`${w}.requiresOption`, 'source must be an https URL');
      if (!ev.element) c.fail(`${w}.requiresOption`, 'only an event with a rule element can need a configuration entry');
    }
    if (ids.has(ev.id)) c.fail(w, 'duplicate id');
    ids.add(ev.id);
  });
  append(problems, c.problems);
  return events;
}

/** A requiresOption names an entry Sysmon knows: one of sysmon-filtering.yaml's configOptions. */
function checkRequiredOptions(events: SysmonEvent[], filtering: Record<string, unknown>, problems: string[]): void {
  const options = Array.isArray(filtering.configOptions) ? filtering.configOptions.map((o) => (o as { name?: unknown })?.name) : [];
  for (const ev of events) {
    const name = ev?.requiresOption?.name;
    if (typeof name === 'string' && !options.includes(name))
      problems.push(`sysmon.yaml: event ${ev.id} requiresOption "${name}" is not a configOptions entry of sysmon-filtering.yaml`);
  }
}

function checkPolicies(doc: unknown, problems: string[]): Policy[] {
  const c = new Checker('policies.yaml');
  const policies = list(c, doc, 'policies') as Policy[];
  const ids = new Set<string>();
  policies.forEach((p, i) => {
    const w = `policies[${i}] (${p?.id})`;
    c.onlyKeys(p, w, [
      'id',
      'name',
      'gpoPath',
      'admxCategory',
      'admxFile',
      'registry',
      'produces',
      'source',
      'hazards',
      'outsideGroupPolicy',
      'note',
      ...VOLUME_FIELD_KEYS,
    ]);
    const outside = c.field<Record<string, unknown>>(p, w, 'outsideGroupPolicy', 'object', true);
    if (outside) for (const k of ['check', 'set']) c.field(outside, `${w}.outsideGroupPolicy`, k, 'string');
    checkVolumeFields(c, p, w);
    checkHazards(c, p, w, false);
    for (const k of ['id', 'name', 'gpoPath', 'source']) c.field(p, w, k, 'string');
    c.field(p, w, 'admxCategory', 'string', true);
    if (p.id && !/^[a-z0-9-]+$/.test(p.id)) c.fail(w, 'id must be a lower-case slug');
    if (ids.has(p.id)) c.fail(w, 'duplicate id');
    ids.add(p.id);
    (c.field<unknown[]>(p, w, 'registry', 'array') ?? []).forEach((r, j) => {
      const wr = `${w}.registry[${j}]`;
      for (const k of ['key', 'value', 'type']) c.field(r, wr, k, 'string');
      c.field(r, wr, 'data', 'string|number');
    });
    (c.field<unknown[]>(p, w, 'produces', 'array') ?? []).forEach((r, j) => {
      c.field(r, `${w}.produces[${j}]`, 'channel', 'string');
      c.field(r, `${w}.produces[${j}]`, 'events', 'array');
    });
  });
  append(problems, c.problems);
  return policies;
}

function checkCollectors(doc: unknown, problems: string[]): CollectorFacts {
  const c = new Checker('collectors.yaml');
  const xpath = c.field<Record<string, unknown>>(doc, 'top level', 'xpath', 'object', true) ?? {};
  const nxlog = c.field<Record<string, unknown>>(doc, 'top level', 'nxlog', 'object') ?? {};
  const wlb = c.field<Record<string, unknown>>(doc, 'top level', 'winlogbeat', 'object', true) ?? {};
  const channels = c.field<string[]>(nxlog, 'nxlog', 'imMsvistalogDefaultChannels', 'array') ?? [];
  const all = c.field<string>(nxlog, 'nxlog', 'imMsvistalogDefault', 'string', true) === 'all-channels';
  const max = c.field<number>(xpath, 'xpath', 'maxExpressionsPerSelect', 'number', true);
  const ids = c.field<number>(wlb, 'winlogbeat', 'maxEventIds', 'number', true);
  const ama = c.field<Record<string, unknown>>(doc, 'top level', 'ama', 'object', true) ?? {};
  const dcrMax = c.field<number>(ama, 'ama', 'maxExpressionsPerXPath', 'number', true);
  append(problems, c.problems);
  return { xpathMaxExpressions: max, nxlogDefault: all ? 'all-channels' : channels, winlogbeatMaxEventIds: ids, dcrMaxExpressions: dcrMax };
}

function checkSysmonConditions(doc: unknown, problems: string[]): SysmonConditionInfo[] {
  const c = new Checker('sysmon-filtering.yaml');
  const conds = list(c, doc, 'conditions') as SysmonConditionInfo[];
  conds.forEach((x, i) => {
    const w = `conditions[${i}] (${x?.name})`;
    c.field(x, w, 'name', 'string');
    c.field(x, w, 'minSchema', 'string', true);
    c.field(x, w, 'multi', 'boolean');
    c.field(x, w, 'negated', 'boolean');
    c.field(x, w, 'source', 'string');
  });
  append(problems, c.problems);
  return conds.map((x) => ({ name: x.name, minSchema: x.minSchema, multi: x.multi, negated: x.negated, source: x.source }));
}

function checkEventLogs(doc: unknown, problems: string[]): EventLogThreshold[] {
  const c = new Checker('eventlog.yaml');
  const logs = list(c, doc, 'logs') as EventLogThreshold[];
  logs.forEach((l, i) => {
    const w = `logs[${i}] (${l?.log})`;
    c.onlyKeys(l, w, ['log', 'recommendedMinKB', 'defaultKB', 'source', 'note']);
    c.field(l, w, 'log', 'string');
    c.field(l, w, 'recommendedMinKB', 'number');
    c.field(l, w, 'defaultKB', 'number', true);
    c.field(l, w, 'source', 'string');
  });
  append(problems, c.problems);
  return logs;
}

export function checkLogSources(doc: unknown, problems: string[], file = 'logsources.yaml'): LogSourceEntry[] {
  const c = new Checker(file);
  const entries = list(c, doc, 'logsources') as LogSourceEntry[];
  const keys = new Set<string>();
  entries.forEach((e, i) => {
    const w = `logsources[${i}] (${e?.category ?? e?.service})`;
    c.onlyKeys(e, w, ['product', 'category', 'service', 'title', 'sources', 'roles', 'source', 'note']);
    checkRoles(c, e, w);
    c.field(e, w, 'product', 'string');
    c.field(e, w, 'title', 'string');
    c.field(e, w, 'source', 'string|array');
    const cat = c.field<string>(e, w, 'category', 'string', true);
    const svc = c.field<string>(e, w, 'service', 'string', true);
    if ((cat === undefined) === (svc === undefined)) c.fail(w, 'needs exactly one of category and service');
    const key = `${e.product}/${cat ? 'category' : 'service'}/${cat ?? svc}`;
    if (keys.has(key)) c.fail(w, `duplicate entry ${key}`);
    keys.add(key);
    (c.field<unknown[]>(e, w, 'sources', 'array') ?? []).forEach((s, j) => {
      const ws = `${w}.sources[${j}]`;
      c.onlyKeys(s, ws, [
        'name',
        'producer',
        'channel',
        'provider',
        'providerGuid',
        'events',
        'requires',
        'eventRequires',
        'enrichers',
        'fields',
        'supplementary',
        'roles',
        'note',
      ]);
      checkRoles(c, s, ws);
      (c.field<unknown[]>(s, ws, 'enrichers', 'array', true) ?? []).forEach((en, k) => {
        const wn = `${ws}.enrichers[${k}]`;
        c.onlyKeys(en, wn, ['requires', 'fields', 'events', 'note']);
        const r = c.field<string>(en, wn, 'requires', 'string');
        if (r && !REQUIREMENT_RE.test(r)) c.fail(wn, `requirement id "${r}" is malformed`);
        c.field(en, wn, 'fields', 'array');
        c.field(en, wn, 'events', 'array', true);
      });
      c.field(s, ws, 'supplementary', 'boolean', true);
      c.field(s, ws, 'name', 'string');
      const producer = c.field<string>(s, ws, 'producer', 'string');
      if (producer && !PRODUCERS.includes(producer as Producer)) c.fail(ws, `producer "${producer}" is not one of ${PRODUCERS.join(', ')}`);
      const channel = c.field<string>(s, ws, 'channel', 'string', true);
      if (producer && producer !== 'etw' && !channel) c.fail(ws, `producer ${producer} needs a channel`);
      c.field(s, ws, 'provider', 'string', true);
      c.field(s, ws, 'events', 'array', true);
      c.field(s, ws, 'fields', 'array', true);
      for (const r of c.field<string[]>(s, ws, 'requires', 'array', true) ?? []) {
        if (!REQUIREMENT_RE.test(r)) c.fail(ws, `requirement id "${r}" is malformed`);
      }
      const er = c.field<Record<string, string[]>>(s, ws, 'eventRequires', 'object', true) ?? {};
      for (const [ev, reqs] of Object.entries(er)) {
        if (!/^\d+$/.test(ev)) c.fail(ws, `eventRequires key "${ev}" is not an event id`);
        for (const r of Array.isArray(reqs) ? reqs : []) if (!REQUIREMENT_RE.test(r)) c.fail(ws, `requirement id "${r}" is malformed`);
      }
    });
  });
  append(problems, c.problems);
  return entries;
}
