/**
 * Collector configurations → one ForwardedSet: WEF subscriptions (QueryList in the <Query> CDATA), plain
 * QueryList files (Event Viewer custom views), NXLog configurations (im_msvistalog inputs that reach an output
 * through a route) and Winlogbeat's winlogbeat.event_logs. Several configs together form the forwarded set.
 */
import { basename } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { lazy } from '../lazy.js';
import { ALL, ANY_CHANNEL, NONE, addForward, minus, normalize, type ForwardedSet, type Ranges } from './forwarded.js';
import { readQueryList } from './querylist.js';
import { readSplunkInputs } from './splunk-inputs.js';
import { kids, parseXml, text } from './xml.js';
import { append } from '../lines.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export type CollectorFormat = 'wef' | 'querylist' | 'nxlog' | 'winlogbeat' | 'splunk';
export const COLLECTOR_FORMATS: CollectorFormat[] = ['wef', 'querylist', 'nxlog', 'winlogbeat', 'splunk'];

export interface CollectorInput {
  path: string;
  format: CollectorFormat;
  notes: string[];
}

/** Guesses the format from the file name and its first element or keys. */
export function detectFormat(path: string, content: string): CollectorFormat | undefined {
  if (/^(?:.*\.conf\s+)?\[(?:Xml)?WinEventLog(?::\/\/[^\]\r\n]*)?\]\s*$/im.test(content)) return 'splunk';
  if (/\.(ya?ml)$/i.test(path) || /^\s*winlogbeat\./m.test(content)) return 'winlogbeat';
  if (/\.conf$/i.test(path) || (/^\s*<Input\s/m.test(content) && /^\s*Module\s+im_/im.test(content))) return 'nxlog';
  if (/<Subscription\b/.test(content)) return 'wef';
  if (/<QueryList\b/.test(content)) return 'querylist';
  return undefined;
}

export function readCollector(path: string, content: string, format: CollectorFormat, into: ForwardedSet, catalog: Catalog): CollectorInput {
  const source = `${format} ${basename(path)}`;
  const input: CollectorInput = { path, format, notes: [] };
  switch (format) {
    case 'querylist':
      append(input.notes, readQueryList(content, source, into));
      break;
    case 'wef': {
      const doc = parseXml(content);
      const sub = kids(doc, 'Subscription')[0];
      if (!sub) throw new Error('not a WEF subscription (no <Subscription> root)');
      if ((text(sub, 'Enabled') ?? 'true').toLowerCase() === 'false') {
        input.notes.push(`${source}: subscription ${text(sub, 'SubscriptionId') ?? ''} is disabled; it forwards nothing`);
        break;
      }
      const query = text(sub, 'Query');
      if (!query) throw new Error('the subscription has no <Query>');
      append(input.notes, readQueryList(query, `${source} (${text(sub, 'SubscriptionId') ?? 'subscription'})`, into));
      break;
    }
    case 'nxlog':
      readNxlog(content, source, into, catalog, input.notes);
      break;
    case 'winlogbeat':
      readWinlogbeat(content, source, into, input.notes);
      break;
    case 'splunk':
      readSplunkInputs([{ path, content }], into, input.notes);
      break;
  }
  return input;
}

// ---- NXLog ----

interface NxBlock {
  kind: string;
  name: string;
  directives: [string, string][];
  queryXml?: string;
}

/**
 * nxlog.conf: Apache-style blocks. Only im_msvistalog inputs that a <Route> connects to an output count.
 * An input with neither Channel nor Query collects the channels NXLog documents as its default.
 */
function readNxlog(conf: string, source: string, into: ForwardedSet, catalog: Catalog, notes: string[]): void {
  const defines = new Map<string, string>();
  const blocks: NxBlock[] = [];
  let cur: NxBlock | undefined;
  let xml: string[] | undefined;
  conf.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (xml) {
      if (/^<\/QueryXML>/i.test(line)) {
        if (cur) cur.queryXml = xml.join('\n');
        xml = undefined;
      } else xml.push(raw);
      return;
    }
    if (!line || line.startsWith('#')) return;
    const open = /^<(\w+)\s+([^>]+)>$/.exec(line);
    if (open && !cur) {
      cur = { kind: (open[1] as string).toLowerCase(), name: (open[2] as string).trim(), directives: [] };
      return;
    }
    if (/^<\/\w+>$/.test(line)) {
      if (cur) blocks.push(cur);
      cur = undefined;
      return;
    }
    if (/^<QueryXML>$/i.test(line)) {
      xml = [];
      return;
    }
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) {
      notes.push(`${source} line ${n + 1}: not understood: ${line}`);
      return;
    }
    const [, key, value = ''] = m as unknown as [string, string, string];
    if (!cur) {
      if (key.toLowerCase() === 'define') {
        const d = /^(\w+)\s+(.*)$/.exec(value);
        if (d) defines.set((d[1] as string).toUpperCase(), (d[2] as string).trim());
      } else if (key.toLowerCase() === 'include') notes.push(`${source}: "include ${value}" is not followed; inputs defined there are not seen`);
      return;
    }
    cur.directives.push([key.toLowerCase(), value.replace(/%(\w+)%/g, (all, k: string) => defines.get(k.toUpperCase()) ?? all).trim()]);
  });

  const outputs = new Set(blocks.filter((b) => b.kind === 'output').map((b) => b.name.toLowerCase()));
  const routed = new Set<string>();
  for (const r of blocks.filter((b) => b.kind === 'route')) {
    for (const [k, v] of r.directives) {
      if (k !== 'path') continue;
      const stages = v.split('=>').map((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));
      const ins = stages[0] ?? [];
      const reachesOutput = stages.slice(1).some((st) => st.some((x) => outputs.has(x)));
      if (reachesOutput) for (const i of ins) routed.add(i);
    }
  }
  const defaults = catalog.collectorFacts.nxlogDefault;
  for (const b of blocks.filter((x) => x.kind === 'input')) {
    const get = (k: string) => b.directives.find(([d]) => d === k)?.[1];
    if (!/^im_msvistalog$/i.test(get('module') ?? '')) continue;
    const label = `${source} input ${b.name}`;
    if (!routed.has(b.name.toLowerCase())) {
      notes.push(`${label} is not routed to any output: it forwards nothing`);
      continue;
    }
    const query = b.queryXml ?? get('query');
    const channel = get('channel');
    if (query) append(notes, readQueryList(query, label, into));
    else if (channel) addForward(into, channel, ALL, ALL, [], label);
    else if (defaults === 'all-channels') {
      addForward(into, ANY_CHANNEL, ALL, ALL, [], `${label} (every enabled Admin and Operational channel)`);
      notes.push(`${label} names no Channel or Query: NXLog then reads every enabled Admin and Operational channel`);
    } else if (defaults.length) {
      for (const c of defaults) addForward(into, c, ALL, ALL, [], `${label} (default channels)`);
      notes.push(`${label} names no Channel or Query: NXLog's default channels (${defaults.join(', ')}) are taken`);
    } else notes.push(`${label} names no Channel or Query and its default channels are not in the catalog`);
  }
}

// ---- Winlogbeat ----

/** "4624, 4700-4800, -4735" → included minus excluded; empty → all. */
export function parseEventIdList(spec: string): { include: Ranges; exclude: Ranges } {
  const include: Ranges = [];
  const exclude: Ranges = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const neg = part.startsWith('-');
    const body = neg ? part.slice(1).trim() : part;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(body);
    if (!m) throw new Error(`event_id "${part}" is neither an ID, a range nor an exclusion`);
    const r: [number, number] = [Number(m[1]), Number(m[2] ?? m[1])];
    (neg ? exclude : include).push(r);
  }
  return { include: include.length ? normalize(include) : ALL, exclude: normalize(exclude) };
}

function readWinlogbeat(content: string, source: string, into: ForwardedSet, notes: string[]): void {
  let doc: unknown;
  try {
    doc = yaml().parse(content, { maxAliasCount: 100, logLevel: 'error' });
  } catch (e) {
    throw new Error(`YAML error: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const root = (doc ?? {}) as Record<string, unknown>;
  const nested = root['winlogbeat'] as Record<string, unknown> | undefined;
  const logs = (root['winlogbeat.event_logs'] ?? nested?.['event_logs']);
  if (!Array.isArray(logs)) throw new Error('no winlogbeat.event_logs list');
  // Entries are gathered per channel and merged once: adding 40,000 entries of one channel one by one
  // re-normalised a growing range list each time (quadratic).
  const batch = new Map<string, { name: string; sure: Ranges; possible: Ranges; reasons: Set<string>; labels: string[] }>();
  const add = (name: string, sure: Ranges, possible: Ranges, reasons: string[], label: string) => {
    const b = batch.get(name.toLowerCase()) ?? { name, sure: [], possible: [], reasons: new Set<string>(), labels: [] };
    append(b.sure, sure);
    append(b.possible, possible);
    reasons.forEach((r) => b.reasons.add(r));
    if (b.labels.length < 20) b.labels.push(label);
    batch.set(name.toLowerCase(), b);
  };
  logs.forEach((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const label = `${source} event_logs[${i}]`;
    if (typeof e['xml_query'] === 'string') {
      append(notes, readQueryList(e['xml_query'], label, into));
      return;
    }
    const name = typeof e['name'] === 'string' ? e['name'] : undefined;
    if (!name) {
      notes.push(`${label} has no name; ignored`);
      return;
    }
    if (/[\\/].*\.evtx$/i.test(name) || /^[a-z]:\\/i.test(name)) {
      notes.push(`${label} reads the file ${name}, not a live channel`);
      return;
    }
    const ids = e['event_id'] === undefined ? { include: ALL, exclude: NONE } : parseEventIdList(scalarText(e['event_id']));
    const reasons: string[] = [];
    if (e['provider'] !== undefined) reasons.push('provider filter');
    if (e['level'] !== undefined) reasons.push('level filter');
    if (e['ignore_older'] !== undefined) notes.push(`${label}: ignore_older ${scalarText(e['ignore_older'])} skips older events at start-up`);
    const passed = minus(ids.include, ids.exclude);
    if (reasons.length) add(name, NONE, passed, reasons, label);
    else add(name, passed, passed, [], label);
  });
  for (const b of batch.values()) addForward(into, b.name, normalize(b.sure), normalize(b.possible), [...b.reasons], b.labels.join(', ') + (b.labels.length >= 20 ? ', …' : ''));
}

/** A YAML scalar as text; a map or list (not what the setting takes) as its JSON, so a note shows what was written. */
function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v) ?? '';
}
