/**
 * Field evidence from an Elasticsearch or OpenSearch search response (issue 24): buckets per channel and event
 * code (terms or composite, as elastic.ts reads them) whose sub-aggregations count the events carrying each
 * field, named after the field:
 *
 * - a `filter` sub-aggregation per field: `"winlog.event_data.CommandLine": {"filter": …}` answers
 *   `"winlog.event_data.CommandLine": {"doc_count": 12}` inside the bucket;
 * - one `filters` sub-aggregation with a named filter per field: its buckets are keyed by the field names
 *   (`"buckets": {"winlog.event_data.CommandLine": {"doc_count": 12}, …}`, or an array with `key`s when
 *   `keyed` is false).
 *
 * The bucket's own `doc_count` is the number of events the fields were counted over. The response does not
 * repeat the filter, so the names are trusted and docs/evidence.md gives the filter that counts "present and
 * non-empty" (`exists` alone also matches "" and "-"). Only `winlog.event_data.*` names are used: ECS names are
 * filled by ingest pipelines that differ by version (Winlogbeat's Sysmon module renames
 * winlog.event_data.CommandLine away), so they are noted, never mapped back.
 *
 * A `_field_caps` response lists the fields an index maps, with no counts: it is refused with the query to run.
 */
import { LIMITS } from '../limits.js';
import { normaliseChannel } from './channels.js';
import {
  bucketsOf,
  dimension,
  isObj,
  leftOutNote,
  pagesOf,
  scalarString,
  subAggregations,
  parseJson,
  searchCountsOf,
  withTimes,
  type Ctx,
  type Dim,
  type Obj,
  type SearchCounts,
} from './elastic.js';
import { eventDataName } from './fields-csv.js';
import { addObserved } from './merge.js';
import type { ObservedCount } from './model.js';

const FIELD_CAPS_ERROR =
  'a _field_caps response lists the fields the index maps, not how many events of each channel and event ID carry them: it cannot show presence per event; run the field-existence aggregation of docs/evidence.md ("Field evidence from a SIEM") and give its response';

/** A search response of --observed, parsed once: field existence when it counts fields, else event counts. */
export function parseObservedJson(text: string): SearchCounts {
  const doc = parseJson(text);
  if (isFieldCaps(doc)) throw new Error(FIELD_CAPS_ERROR);
  return fieldExistenceOf(doc) ?? searchCountsOf(doc);
}

/** `_field_caps`: top-level `fields` of name → type → capabilities, beside `indices`, and no aggregations. */
function isFieldCaps(doc: unknown): boolean {
  if (!isObj(doc) || !isObj(doc['fields']) || 'aggregations' in doc || 'hits' in doc) return false;
  const first = Object.values(doc['fields'])[0];
  return Array.isArray(doc['indices']) || (isObj(first) && Object.values(first).some((c) => isObj(c) && ('searchable' in c || 'aggregatable' in c)));
}

/** A name that stands for a field, not for a dimension, a time bound or a narrowing of the buckets. */
function fieldLike(name: string): boolean {
  if (/^(?:winlog\.)?event_data\./i.test(name)) return true;
  return /^[a-z_@][\w@]*(\.[\w@]+)+$/.test(name) && dimension(name) === undefined && name !== '@timestamp';
}

/** Field counts of a parsed response, or undefined when it has no field sub-aggregation (plain counts). */
export function fieldExistenceOf(doc: unknown): SearchCounts | undefined {
  const w = new FieldWalker();
  for (const page of pagesOf(doc)) {
    if (!isObj(page)) continue;
    if (isObj(page['error'])) return undefined; // elastic.ts says which error
    w.morePages = undefined; // only the last page of a composite aggregation tells whether more follow
    if (isObj(page['aggregations'])) w.aggs(page['aggregations'], {}, undefined, 0);
  }
  if (!w.found) return undefined;
  const notes = [...w.notes];
  if (w.morePages)
    notes.push(
      `composite aggregation "${w.morePages}" may have more pages (its last page has an after_key): run it again with "after" until no buckets come back, and give every page`,
    );
  if (w.ecs.size)
    notes.push(
      `field(s) ${[...w.ecs]
        .slice(0, 5)
        .map((f) => `"${f}"`)
        .join(
          ', ',
        )} are not winlog.event_data fields and are not used: an ingest pipeline fills ECS fields, and which EventData field it moved there depends on its version (docs/evidence.md)`,
    );
  if (w.skippedNoChannel) notes.push(`${w.skippedNoChannel} bucket(s) without a channel or event ID skipped: aggregate by winlog.channel and winlog.event_id`);
  if (w.overCount)
    notes.push(`${w.overCount} field count(s) above their bucket's doc_count skipped: the filter must sit inside the channel and event ID bucket`);
  if (w.tooManyNames) notes.push(`more than ${LIMITS.observedFieldsPerKind} field names in one bucket (limit); ${w.tooManyNames} not kept`);
  if (w.truncated) notes.push(`more than ${LIMITS.observedRows.toLocaleString('en-US')} buckets (limit); the rest is not read`);
  return { format: 'Elasticsearch/OpenSearch field-existence aggregation', counts: [...w.counts.values()], notes };
}

class FieldWalker {
  counts = new Map<string, ObservedCount>();
  notes = new Set<string>();
  ecs = new Set<string>();
  found = false;
  morePages: string | undefined;
  skippedNoChannel = 0;
  overCount = 0;
  tooManyNames = 0;
  truncated = false;
  private visited = 0;

  /**
   * One level of aggregation results in a bucket of `docCount` events. Returns whether it held anything
   * (field counts or deeper buckets); a bucket that held nothing is a plain count.
   */
  aggs(aggs: Obj, ctx: Ctx, docCount: number | undefined, depth: number): boolean {
    if (depth > 16) return false;
    const here = withTimes(ctx, aggs);
    const fields = new Map<string, number>();
    let held = false;
    for (const [name, v] of Object.entries(aggs)) {
      if (!isObj(v)) continue;
      if ('buckets' in v) {
        held = true;
        const raw = v['buckets'];
        const keyed = isObj(raw)
          ? Object.entries(raw)
          : Array.isArray(raw)
            ? raw.map((b) => [isObj(b) && typeof b['key'] === 'string' ? b['key'] : '', b] as const)
            : [];
        const named = keyed.filter(([k]) => k !== '_other_');
        // A terms or composite aggregation answers with sum_other_doc_count or after_key, a filters one never
        // does; and a host terms aggregation ("host.name") may have dotted keys that look like field names.
        const filters = dimension(name) === undefined && !('sum_other_doc_count' in v) && !('after_key' in v);
        if (filters && named.length && named.every(([k]) => fieldLike(k))) {
          // A `filters` aggregation with one named filter per field.
          for (const [k, b] of named) if (isObj(b)) fields.set(k, b['doc_count'] as number);
        } else if (filters && Array.isArray(raw) && raw.length && raw.every((b) => isObj(b) && !('key' in b))) {
          this.notes.add(`filters aggregation "${name.slice(0, 80)}" has anonymous filters: name each filter after its field (winlog.event_data.CommandLine)`);
        } else this.bucketAgg(name, v, here, depth);
      } else if (typeof v['doc_count'] === 'number' && !('value' in v)) {
        held = true;
        const nested = Object.values(v).some((x) => isObj(x) && ('buckets' in x || typeof x['doc_count'] === 'number'));
        if (fieldLike(name) && !nested) fields.set(name, v['doc_count']);
        // A filter that narrows the buckets (only Security, only one host): what it holds is counted over its doc_count.
        else if (!this.aggs(v, here, v['doc_count'], depth + 1)) this.emit(here, v['doc_count']);
      }
    }
    if (fields.size) {
      this.found = true;
      this.emit(here, docCount, fields);
    }
    return held;
  }

  private bucketAgg(name: string, agg: Obj, ctx: Ctx, depth: number): void {
    const dim = dimension(name);
    const buckets = bucketsOf(agg);
    const left = leftOutNote(name, agg);
    if (left) this.notes.add(left);
    if (isObj(agg['after_key']) && buckets.length) this.morePages = name.slice(0, 80);
    for (const b of buckets) {
      if (!isObj(b)) continue;
      if (++this.visited > LIMITS.observedRows) {
        this.truncated = true;
        return;
      }
      const c: Ctx = { ...ctx };
      if (isObj(b['key'])) for (const [src, val] of Object.entries(b['key'])) assign(c, dimension(src), val);
      else assign(c, dim, b['key_as_string'] ?? b['key']);
      const sub = subAggregations(b);
      const docCount = typeof b['doc_count'] === 'number' ? b['doc_count'] : undefined;
      if (!this.aggs(sub, c, docCount, depth + 1)) this.emit(withTimes(c, sub), docCount);
    }
  }

  /** One kind's count, with its field counts when the bucket had them. */
  private emit(c: Ctx, docCount: number | undefined, fields?: Map<string, number>): void {
    if (docCount === undefined || !Number.isSafeInteger(docCount) || docCount <= 0) return;
    if (!c.channel || c.eventId === undefined) {
      this.skippedNoChannel++;
      return;
    }
    const o: ObservedCount = { channel: c.channel, eventId: c.eventId, count: docCount };
    if (c.computer) o.computer = c.computer;
    if (c.provider) o.provider = c.provider;
    if (c.first) o.first = c.first;
    if (c.last) o.last = c.last;
    if (fields) {
      const counted: Record<string, number> = {};
      let names = 0;
      for (const [raw, n] of fields) {
        if (!Number.isSafeInteger(n) || n < 0 || n > docCount) {
          this.overCount++;
          continue;
        }
        const named = eventDataName(raw);
        if ('skip' in named || !/^(?:winlog\.)?event_data\./i.test(raw)) {
          this.ecs.add(raw.slice(0, 80));
          continue;
        }
        if (names >= LIMITS.observedFieldsPerKind) {
          this.tooManyNames++;
          continue;
        }
        if (counted[named.name] === undefined) names++;
        counted[named.name] = Math.max(n, counted[named.name] ?? 0);
      }
      // Only the fields the request named were counted: an absent name was not looked for.
      if (names) Object.assign(o, { fieldRecords: docCount, fields: counted, fieldsListedOnly: true });
    }
    this.add(o);
  }

  private add(o: ObservedCount): void {
    const key = [(o.computer ?? '').toLowerCase(), o.channel.toLowerCase(), (o.provider ?? '').toLowerCase(), o.eventId].join('\n');
    const had = this.counts.get(key);
    if (!had) {
      this.counts.set(key, o);
      return;
    }
    // The same kind twice (pages that overlap, or a host split by a lower bucket): counts add up, as in load.ts.
    addObserved(had, o);
  }
}

function assign(c: Ctx, dim: Dim | undefined, val: unknown): void {
  if (!dim || val === null || val === undefined) return;
  const s = scalarString(val).trim().slice(0, 256);
  if (dim === 'eventId') {
    if (/^\d{1,5}$/.test(s) && Number(s) <= 65535) c.eventId = Number(s);
  } else if (dim === 'channel') c.channel = normaliseChannel(s);
  else if (s) c[dim] = s;
}
