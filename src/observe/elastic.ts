/**
 * Event counts from an Elasticsearch or OpenSearch search response (`_search` with `size: 0`), as Winlogbeat
 * and the Elastic Agent index Windows events: `winlog.channel`, `winlog.event_id` (or ECS `event.code`),
 * `winlog.computer_name` / `host.name`, `winlog.provider_name`, `@timestamp` (Winlogbeat exported fields).
 *
 * The response does not repeat which field an aggregation is over, only the name the request gave it, so
 * aggregations (and composite sources) are recognised by name: "winlog.channel", "channel", "event_id",
 * "event.code", "host.name", "computer", "provider"; `min` / `max` metric aggregations named after first/min
 * and last/max give the time range. Both shapes are read:
 *
 * - nested `terms` aggregations (channel → event ID → …): each innermost bucket is one count (`doc_count`);
 * - a `composite` aggregation: each bucket's `key` object holds every dimension.
 *
 * Also accepted: several pages in a JSON array (composite paging), Kibana's Inspect → Response
 * (`rawResponse`), `_msearch` (`responses`), and plain hits (each document counted once: a sample).
 */
import { LIMITS } from '../limits.js';
import { normaliseChannel } from './channels.js';
import { parseTime } from './counts-csv.js';
import { addObserved } from './merge.js';
import type { ObservedCount } from './model.js';

export interface SearchCounts {
  format: string;
  counts: ObservedCount[];
  notes: string[];
}

export type Dim = 'channel' | 'eventId' | 'computer' | 'provider';
export type Ctx = { channel?: string; eventId?: number; computer?: string; provider?: string; first?: string; last?: string };
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which dimension an aggregation or composite source name stands for. */
export function dimension(name: string): Dim | undefined {
  const n = name.toLowerCase();
  if (/channel|log_?name/.test(n)) return 'channel';
  if (/event_?id|eventcode|event[._]code|^code$|^id$/.test(n)) return 'eventId';
  if (/host|computer/.test(n)) return 'computer';
  if (/provider/.test(n)) return 'provider';
  return undefined;
}

function timeBound(name: string): 'first' | 'last' | undefined {
  const n = name.toLowerCase();
  if (/min|first|earliest|start/.test(n)) return 'first';
  if (/max|last|latest|end/.test(n)) return 'last';
  return undefined;
}

export function parseSearchResponse(text: string): SearchCounts {
  return searchCountsOf(parseJson(text));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The responses in a document: one, several pages in an array, `_msearch` responses, Kibana's rawResponse. */
export function pagesOf(doc: unknown): unknown[] {
  return (Array.isArray(doc) ? (doc as unknown[]) : [doc])
    .flatMap((d): unknown[] => (isObj(d) && Array.isArray(d['responses']) ? (d['responses'] as unknown[]) : [d]))
    .map((d): unknown => (isObj(d) && isObj(d['rawResponse']) ? d['rawResponse'] : d));
}

/** Event counts of a parsed search response (see parseSearchResponse). */
export function searchCountsOf(doc: unknown): SearchCounts {
  const pages = pagesOf(doc);
  const w = new Walker();
  let shape = '';
  for (const page of pages) {
    if (!isObj(page)) continue;
    if (isObj(page['error']))
      throw new Error(`the response is an error: ${scalarString(page['error']['reason'] ?? page['error']['type'] ?? 'unknown')}`.slice(0, 300));
    if (isObj(page['aggregations'])) {
      // Pages of a composite aggregation come in order: only the last one tells whether more follow.
      w.morePages = undefined;
      w.aggs(page['aggregations'], {}, 0);
      shape ||= w.composite ? 'composite aggregation' : 'terms aggregations';
    } else if (isObj(page['hits']) && Array.isArray(page['hits']['hits'])) {
      w.hits(page['hits']['hits'] as unknown[]);
      shape ||= 'documents (hits)';
    }
  }
  if (!shape) throw new Error('not an Elasticsearch/OpenSearch search response: no "aggregations" and no "hits"');
  const notes = [...w.notes];
  if (w.morePages)
    notes.push(
      `composite aggregation "${w.morePages}" may have more pages (its last page has an after_key): run it again with "after" until no buckets come back, and give every page (a JSON array of the responses)`,
    );
  if (!w.counts.size && !w.skippedNoChannel && !w.unknownNames.size) notes.push(`no buckets in the ${shape}: the query matched no Windows events`);
  if (w.unknownNames.size)
    notes.push(
      `aggregation(s) ${[...w.unknownNames]
        .slice(0, 5)
        .map((n) => `"${n}"`)
        .join(', ')} not recognised by name: name them after their field (winlog.channel, winlog.event_id, host.name)`,
    );
  if (w.skippedNoChannel) notes.push(`${w.skippedNoChannel} bucket(s) without a channel or event ID skipped: aggregate by winlog.channel and winlog.event_id`);
  if (w.truncated) notes.push(`more than ${LIMITS.observedRows.toLocaleString('en-US')} buckets (limit); the rest is not read`);
  if (shape === 'documents (hits)') notes.push(`${w.documents} document(s) counted one by one: a sample of the index, not its totals (aggregate for totals)`);
  return { format: `Elasticsearch/OpenSearch ${shape}`, counts: [...w.counts.values()], notes };
}

class Walker {
  counts = new Map<string, ObservedCount>();
  notes = new Set<string>();
  unknownNames = new Set<string>();
  composite = false;
  /** The composite aggregation of the page read last returned buckets and an after_key: more may follow. */
  morePages: string | undefined;
  skippedNoChannel = 0;
  truncated = false;
  documents = 0;
  private visited = 0;

  /** One level of aggregation results: metric sub-aggregations set the time, bucket aggregations recurse. */
  aggs(aggs: Obj, ctx: Ctx, depth: number): boolean {
    if (depth > 16) return false;
    // min/max sub-aggregations beside bucket aggregations give the time range of everything below them.
    const here = withTimes(ctx, aggs);
    let nested = false;
    for (const [name, v] of Object.entries(aggs)) {
      if (!isObj(v)) continue;
      if ('buckets' in v) {
        nested = true;
        this.bucketAgg(name, v, here, depth);
      } else if (typeof v['doc_count'] === 'number' && !('value' in v)) {
        // A single-bucket aggregation (filter, global): its sub-aggregations hold the buckets.
        nested = true;
        if (!this.aggs(v, here, depth + 1)) this.emit(here, v['doc_count']);
      }
    }
    return nested;
  }

  private bucketAgg(name: string, agg: Obj, ctx: Ctx, depth: number): void {
    const dim = dimension(name);
    const buckets = bucketsOf(agg);
    const left = leftOutNote(name, agg);
    if (left) this.notes.add(left);
    if (isObj(agg['after_key'])) {
      this.composite = true;
      if (buckets.length) this.morePages = name;
    }
    for (const b of buckets) {
      if (!isObj(b)) continue;
      if (++this.visited > LIMITS.observedRows) {
        this.truncated = true;
        return;
      }
      const c: Ctx = { ...ctx };
      if (isObj(b['key'])) {
        this.composite = true;
        for (const [src, val] of Object.entries(b['key'])) this.assign(c, dimension(src), src, val);
      } else {
        this.assign(c, dim, name, b['key_as_string'] ?? b['key']);
      }
      const sub = subAggregations(b);
      // The innermost bucket is one count, with the time range of its own min/max sub-aggregations.
      if (!this.aggs(sub, c, depth + 1)) this.emit(withTimes(c, sub), b['doc_count']);
    }
  }

  private assign(c: Ctx, dim: Dim | undefined, name: string, val: unknown): void {
    if (!dim) {
      this.unknownNames.add(name.slice(0, 80));
      return;
    }
    if (val === null || val === undefined) return;
    const s = scalarString(val).trim().slice(0, 256);
    if (dim === 'eventId') {
      if (/^\d{1,5}$/.test(s) && Number(s) <= 65535) c.eventId = Number(s);
    } else if (dim === 'channel') c.channel = normaliseChannel(s);
    else if (s) c[dim] = s;
  }

  private emit(c: Ctx, docCount: unknown): void {
    if (typeof docCount !== 'number' || !Number.isSafeInteger(docCount) || docCount <= 0) return;
    if (!c.channel || c.eventId === undefined) {
      this.skippedNoChannel++;
      return;
    }
    this.add({
      channel: c.channel,
      eventId: c.eventId,
      count: docCount,
      ...(c.computer ? { computer: c.computer } : {}),
      ...(c.provider ? { provider: c.provider } : {}),
      ...(c.first ? { first: c.first } : {}),
      ...(c.last ? { last: c.last } : {}),
    });
  }

  /** Documents of a plain search: each is one event of its channel and ID. */
  hits(hits: unknown[]): void {
    for (const h of hits) {
      if (++this.visited > LIMITS.observedRows) {
        this.truncated = true;
        return;
      }
      const src = isObj(h) && isObj(h['_source']) ? h['_source'] : undefined;
      if (!src) continue;
      this.documents++;
      const c: Ctx = {};
      this.assign(c, 'channel', 'winlog.channel', field(src, 'winlog.channel'));
      this.assign(c, 'eventId', 'winlog.event_id', field(src, 'winlog.event_id') ?? field(src, 'event.code'));
      this.assign(c, 'computer', 'host', field(src, 'winlog.computer_name') ?? field(src, 'host.name') ?? field(src, 'host.hostname'));
      this.assign(c, 'provider', 'provider', field(src, 'winlog.provider_name'));
      const t = field(src, '@timestamp');
      const time = typeof t === 'string' ? parseTime(t) : undefined;
      this.emit(time ? { ...c, first: time, last: time } : c, 1);
    }
  }

  private add(o: ObservedCount): void {
    const key = `${o.computer ?? ''}\n${o.channel.toLowerCase()}\n${o.provider ?? ''}\n${o.eventId}`;
    const had = this.counts.get(key);
    if (!had) {
      this.counts.set(key, o);
      return;
    }
    addObserved(had, o);
  }
}

/** A bucket aggregation's buckets as a list (a keyed `filters` aggregation gives an object: its keys become `key`). */
export function bucketsOf(agg: Obj): unknown[] {
  const raw = agg['buckets'];
  return Array.isArray(raw) ? (raw as unknown[]) : isObj(raw) ? Object.entries(raw).map(([key, b]) => (isObj(b) ? { key, ...b } : b)) : [];
}

/** The note for a terms aggregation that left events out of its buckets (its size too small), if it did. */
export function leftOutNote(name: string, agg: Obj): string | undefined {
  const other = agg['sum_other_doc_count'];
  if (typeof other !== 'number' || other <= 0) return undefined;
  return `terms aggregation "${name.slice(0, 80)}" left ${other} event(s) out of its buckets: raise its size, or use a composite aggregation`;
}

/** A bucket's sub-aggregations: everything but its key and count. */
export function subAggregations(b: Obj): Obj {
  const sub: Obj = {};
  for (const [k, v] of Object.entries(b)) if (k !== 'key' && k !== 'key_as_string' && k !== 'doc_count') sub[k] = v;
  return sub;
}

/** A context with the time range its metric sub-aggregations (min/max of @timestamp) give. */
export function withTimes(c: Ctx, sub: Obj): Ctx {
  const out = { ...c };
  for (const [name, v] of Object.entries(sub)) {
    if (!isObj(v) || !('value' in v)) continue;
    const bound = timeBound(name);
    const t =
      typeof v['value_as_string'] === 'string' ? parseTime(v['value_as_string']) : typeof v['value'] === 'number' ? parseTime(String(v['value'])) : undefined;
    if (bound && t) out[bound] = t;
  }
  return out;
}

/** A field of a document, whether stored nested ({"winlog": {"channel": …}}) or with a dotted key. */
function field(src: Obj, path: string): unknown {
  if (path in src) return src[path];
  let cur: unknown = src;
  for (const part of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A JSON value as text: strings, numbers and booleans as they are, anything else as its JSON (never "[object Object]"). */
export function scalarString(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : (JSON.stringify(v) ?? '');
}
