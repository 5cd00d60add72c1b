/**
 * Collector configurations → one ForwardedSet: WEF subscriptions (QueryList in the <Query> CDATA), plain
 * QueryList files (Event Viewer custom views), NXLog configurations (im_msvistalog inputs that reach an output
 * through a route), Winlogbeat's winlogbeat.event_logs, Azure Monitor Agent data collection rules (dcr.ts) and
 * Elastic Agent policies (elastic-agent.ts). Several configs together form the forwarded set.
 */
import { basename } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { lazy } from '../lazy.js';
import { ALL, ANY_CHANNEL, addForward, type ForwardedSet } from './forwarded.js';
import { droppedBy } from './beats-processors.js';
import { ChannelBatch, readWinlogEntry } from './winlog-streams.js';
import { readDcr } from './dcr.js';
import { readElasticAgent } from './elastic-agent.js';
import { LIMITS } from '../limits.js';
import { readQueryList } from './querylist.js';
import { readSplunkInputs } from './splunk-inputs.js';
import { kids, parseXml, text } from './xml.js';
import { append } from '../lines.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export type CollectorFormat = 'wef' | 'querylist' | 'nxlog' | 'winlogbeat' | 'splunk' | 'dcr' | 'elastic-agent';
export const COLLECTOR_FORMATS: CollectorFormat[] = ['wef', 'querylist', 'nxlog', 'winlogbeat', 'splunk', 'dcr', 'elastic-agent'];

export interface CollectorInput {
  path: string;
  format: CollectorFormat;
  notes: string[];
}

/** Guesses the format from the file name and its first element or keys. */
export function detectFormat(path: string, content: string): CollectorFormat | undefined {
  // Checked first: both are JSON or YAML, which the tests below would take for Winlogbeat.
  if (/"windowsEventLogs"|"dataCollectionRules"/i.test(content.slice(0, 1_000_000))) return 'dcr';
  if (/(^|[\s{,"])type"?\s*:\s*"?winlog\b/m.test(content) && /(^|[\s{,"])inputs"?\s*:/m.test(content)) return 'elastic-agent';
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
    case 'dcr':
      readDcr(content, source, into, input.notes, catalog.collectorFacts.dcrMaxExpressions);
      break;
    case 'elastic-agent':
      readElasticAgent(content, source, into, input.notes);
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
      const stages = v.split('=>').map((s) =>
        s
          .split(',')
          .map((x) => x.trim().toLowerCase())
          .filter(Boolean),
      );
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

export { parseEventIdList } from './winlog-streams.js';

function readWinlogbeat(content: string, source: string, into: ForwardedSet, notes: string[]): void {
  let doc: unknown;
  try {
    doc = yaml().parse(content, { maxAliasCount: 100, logLevel: 'error' });
  } catch (e) {
    throw new Error(`YAML error: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const root = (doc ?? {}) as Record<string, unknown>;
  const nested = root['winlogbeat'] as Record<string, unknown> | undefined;
  const logs = root['winlogbeat.event_logs'] ?? nested?.['event_logs'];
  if (!Array.isArray(logs)) throw new Error('no winlogbeat.event_logs list');
  // Top-level processors apply to every event the Beat publishes.
  const outer = { drop: droppedBy(root['processors'], `${source} processors`), reasons: [] };
  const batch = new ChannelBatch();
  logs
    .slice(0, LIMITS.collector.entries)
    .forEach((entry, i) => readWinlogEntry((entry ?? {}) as Record<string, unknown>, `${source} event_logs[${i}]`, into, batch, notes, outer));
  if (logs.length > LIMITS.collector.entries) notes.push(`${source}: only the first ${LIMITS.collector.entries} event_logs entries are read`);
  batch.flush(into);
}
