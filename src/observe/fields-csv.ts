/**
 * Field evidence from a SIEM as CSV (issue 24): one row per (computer?, channel, event ID, field) saying in how
 * many of that kind's events the field was present and non-empty, beside the number of events of the kind.
 * docs/evidence.md ("Field evidence from a SIEM") gives the queries that write it:
 *
 * - Splunk `stats count AS events count(f_*) BY computer channel EventCode` then `untable` (one row per field);
 * - Splunk `fieldsummary` run over one channel and EventCode, with `channel`, `event_id` and `events` added
 *   (fieldsummary's own columns `field`, `count`, `distinct_count` … are kept as Splunk writes them);
 * - Sentinel `SecurityEvent | summarize events = count(), CommandLine = countif(…) … by Computer, Channel,
 *   EventID` then `mv-expand` of the counts, or WindowsEvent's EventData bag expanded and counted.
 *
 * The denominator is required: "CommandLine in 0 events" says nothing without the number of events it was
 * counted over, so a file without an `events` / `total` column is refused with one line. A file whose header
 * has no `field` column is not a field export: readObservedCsvFile hands it to the event-count reader.
 */
import { LIMITS } from '../limits.js';
import { normaliseChannel, channelKey } from './channels.js';
import { CsvRows, feedFile, fileHead, guessDelimiter, HeaderError } from './csv-rows.js';
import { parseCountsCsv, readCountsCsvFile, type CountsCsv } from './counts-csv.js';
import type { ObservedCount } from './model.js';

/** Header names per meaning, in order of preference (matched lower-case). */
const COLUMNS = {
  field: ['field', 'field_name', 'fieldname'],
  channel: ['channel', 'logname', 'log_name', 'eventlog', 'winlog.channel', 'source'],
  eventId: ['eventid', 'event_id', 'eventcode', 'event_code', 'winlog.event_id', 'event.code'],
  count: ['count', 'count_', 'present', 'doc_count'],
  events: ['events', 'total', 'event_count', 'events_total', 'records'],
  computer: ['computer', 'computername', 'computer_name', 'winlog.computer_name', 'hostname', 'host.name', 'host'],
  provider: ['provider', 'provider_name', 'providername', 'eventsourcename', 'winlog.provider_name'],
} as const;
type Col = keyof typeof COLUMNS;

/**
 * Splunk's own fields, which fieldsummary lists beside the event's: not EventData, left out. Names starting
 * with "_" (_time, _raw) and date_* are Splunk's too.
 */
const SPLUNK_META = new Set([
  'host',
  'source',
  'sourcetype',
  'index',
  'linecount',
  'punct',
  'splunk_server',
  'splunk_server_group',
  'eventtype',
  'tag',
  'timeendpos',
  'timestartpos',
]);

/** The System names of the kind itself (EventCode, Channel, Computer): fieldsummary lists them as fields. */
const KEY_NAMES = new Set<string>([...COLUMNS.channel, ...COLUMNS.eventId, ...COLUMNS.computer]);

/** True when a CSV header line names a field column: the file is a field export, not event counts. */
export function isFieldsHeader(header: readonly string[]): boolean {
  const h = header.map((x) => x.trim().replace(/^"|"$/g, '').toLowerCase());
  return COLUMNS.field.some((n) => h.includes(n));
}

/**
 * The EventData / UserData name a SIEM's field name stands for, or why it is not used. `winlog.event_data.X`
 * (Winlogbeat, Elastic Agent) and `EventData.X` are X; a bare XML name is itself. Other dotted names (ECS
 * `process.command_line`) are not mapped back: which EventData field an ingest pipeline moved there, and
 * whether it kept the original, depends on the pipeline and its version (docs/evidence.md).
 */
export function eventDataName(raw: string): { name: string } | { skip: 'ecs' | 'bad' } {
  const v = raw.trim();
  const m = /^(?:winlog\.event_data|event_?data)\.(.+)$/i.exec(v);
  const name = m ? (m[1] as string) : v;
  // __proto__ would reach the prototype of the plain object the counts are kept in.
  if (name.length <= LIMITS.observedFieldNameChars && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) && name !== '__proto__') return { name };
  return { skip: !m && /^[\w@]+(\.[\w@]+)+$/.test(v) ? 'ecs' : 'bad' };
}

/**
 * A CSV of --observed, by its header: a field export (this reader) or event counts (counts-csv.ts). Only the
 * first 64 KiB is read to tell; either reader then streams the file.
 */
export function readObservedCsvFile(path: string, maxBytes: number): CountsCsv {
  if (!fieldsText(fileHead(path, maxBytes))) return readCountsCsvFile(path, maxBytes);
  const r = new FieldsCsvReader();
  feedFile(path, maxBytes, r);
  return r.end();
}

/** The same for CSV text held whole (tests, inputs named otherwise than .csv). */
export function parseObservedCsv(text: string): CountsCsv {
  if (!fieldsText(text)) return parseCountsCsv(text);
  const r = new FieldsCsvReader();
  r.write(text);
  return r.end();
}

function fieldsText(text: string): boolean {
  const t = text.replace(/^\uFEFF/, '');
  const end = t.indexOf('\n');
  const line = (end < 0 ? t : t.slice(0, end)).slice(0, 4096).replace(/\r$/, '');
  return isFieldsHeader(line.split(guessDelimiter(line)));
}

interface Kind {
  obs: ObservedCount;
  fields: Record<string, number>;
  names: number;
}

class FieldsCsvReader extends CsvRows {
  private header: string[] | undefined;
  private cols: Partial<Record<Col, number>> = {};
  private fieldsummary = false;
  private kinds = new Map<string, Kind>();
  private skipped = new Map<string, { n: number; line: number }>();
  private ecs = new Set<string>();
  private rows = 0;
  private totalsDiffer = 0;
  private tooManyNames = 0;

  protected record(record: string[], line: number): void {
    if (!this.header) {
      const header = (this.header = record.map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase()));
      for (const [col, names] of Object.entries(COLUMNS) as [Col, readonly string[]][]) {
        const i = names.map((n) => header.indexOf(n)).find((x) => x >= 0);
        if (i !== undefined) this.cols[col] = i;
      }
      this.fieldsummary = header.includes('distinct_count') || header.includes('is_exact');
      const { cols } = this;
      const missing =
        cols.channel === undefined
          ? 'channel (Channel, LogName, source)'
          : cols.eventId === undefined
            ? 'event ID (EventID, EventCode)'
            : cols.count === undefined
              ? 'count (events where the field is present)'
              : undefined;
      if (missing) throw new HeaderError(`a field-count CSV without a ${missing} column: the header has ${header.slice(0, 8).join(', ')}`);
      if (cols.events === undefined) {
        throw new HeaderError(
          `a field count without the number of events it was counted over proves nothing: add an "events" column (all events of that channel and event ID) — the queries in docs/evidence.md ("Field evidence from a SIEM") write it`,
        );
      }
      return;
    }
    if (++this.rows > LIMITS.observedRows) {
      this.full = true;
      return;
    }
    const why = this.row(record);
    if (why) {
      const s = this.skipped.get(why);
      if (s) s.n++;
      else this.skipped.set(why, { n: 1, line });
    }
  }

  /** One row into its kind's field counts; the reason when it is skipped. */
  private row(record: string[]): string | undefined {
    const { cols } = this;
    const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
    const rawField = cell(cols.field);
    const low = rawField.toLowerCase();
    // Splunk's own fields and the key columns themselves are not the event's fields.
    if (!rawField || low.startsWith('_') || low.startsWith('date_') || low.startsWith('tag::') || SPLUNK_META.has(low)) return undefined;
    // A key column listed as a field (fieldsummary lists EventCode, host, Computer too): not evidence.
    if (this.header!.includes(low) || KEY_NAMES.has(low)) return undefined;
    const channel = normaliseChannel(cell(cols.channel));
    if (!channel) return 'no channel';
    const idText = cell(cols.eventId);
    if (!/^\d{1,5}$/.test(idText) || Number(idText) > 65535) return 'event ID is not a number from 0 to 65535';
    const count = whole(cell(cols.count));
    const events = whole(cell(cols.events));
    if (count === undefined || events === undefined) return 'count or events is not a whole number';
    if (events === 0) return 'events is 0';
    if (count > events) return 'the field is counted in more events than the kind has';
    const named = eventDataName(rawField);
    if ('skip' in named) {
      if (named.skip === 'ecs') {
        if (this.ecs.size < 20) this.ecs.add(rawField.slice(0, 80));
        return undefined;
      }
      return 'field name is not an EventData name';
    }
    const computer = cell(cols.computer).slice(0, 256);
    const provider = cell(cols.provider).slice(0, 256);
    const key = [computer.toLowerCase(), channelKey(channel), provider.toLowerCase(), idText].join('\n');
    let kind = this.kinds.get(key);
    if (!kind) {
      if (this.kinds.size >= LIMITS.observedCounts) {
        this.full = true;
        return undefined;
      }
      const obs: ObservedCount = { channel, eventId: Number(idText), count: events, fieldRecords: events, fields: {} };
      if (computer) obs.computer = computer;
      if (provider) obs.provider = provider;
      // Only the fields a query names, or (fieldsummary) those it saw extracted, are listed: an absent name
      // was not looked for. fieldsummary in Fast mode sees only the fields the search names.
      obs.fieldsListedOnly = true;
      kind = { obs, fields: obs.fields!, names: 0 };
      this.kinds.set(key, kind);
    } else if (kind.obs.count !== events) {
      // Every row of one kind carries the same total; when they differ the larger one is kept (the smaller
      // would make a field look present in more of the events than it was).
      this.totalsDiffer++;
      if (events > kind.obs.count) kind.obs.count = kind.obs.fieldRecords = events;
    }
    const had = kind.fields[named.name];
    if (had === undefined) {
      if (kind.names >= LIMITS.observedFieldsPerKind) {
        this.tooManyNames++;
        return undefined;
      }
      kind.names++;
      kind.fields[named.name] = count;
    } else if (count > had) kind.fields[named.name] = count; // the same field twice (X and winlog.event_data.X)
    return undefined;
  }

  end(): CountsCsv {
    this.finish();
    if (!this.header) throw new Error(this.broken ? 'no readable header row: the first record is malformed or longer than 64 KB' : 'empty file: no header row');
    const notes: string[] = [];
    for (const [why, s] of this.skipped) notes.push(`${s.n} row(s) skipped: ${why} (first at line ${s.line})`);
    if (this.broken) notes.push(`${this.broken} malformed CSV record(s) skipped`);
    if (this.totalsDiffer)
      notes.push(`${this.totalsDiffer} row(s) give another events total than the first row of their channel and event ID; the larger total is used`);
    if (this.tooManyNames)
      notes.push(`more than ${LIMITS.observedFieldsPerKind} field names for one channel and event ID (limit); ${this.tooManyNames} row(s) not kept`);
    if (this.ecs.size)
      notes.push(
        `field(s) ${[...this.ecs]
          .slice(0, 5)
          .map((f) => `"${f}"`)
          .join(', ')} are not EventData names and are not used: count winlog.event_data.* fields (docs/evidence.md)`,
      );
    if (this.full) notes.push(`more than ${LIMITS.observedRows.toLocaleString('en-US')} rows (limit); the rest is not read`);
    return { format: formatOf(this.header, this.fieldsummary), counts: [...this.kinds.values()].map((k) => k.obs), notes };
  }
}

function whole(v: string): number | undefined {
  const c = v.replace(/[,_\s]/g, '');
  return /^\d{1,15}$/.test(c) ? Number(c) : undefined;
}

function formatOf(header: string[], fieldsummary: boolean): string {
  if (fieldsummary) return 'Splunk fieldsummary CSV';
  if (header.includes('eventcode') || header.includes('source')) return 'Splunk field-count CSV';
  if (header.includes('eventid') && header.includes('computer')) return 'Sentinel / Log Analytics field-count CSV';
  return 'field-count CSV';
}
