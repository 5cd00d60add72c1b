/**
 * Event counts exported from a SIEM or a log tool as CSV: one row per (computer?, channel, event ID) with its
 * count. Header names are matched case-insensitively; the sets recognised are those the tools write:
 *
 * - Hayabusa `eid-metrics -o file.csv`: `Total,%,Channel,ID,Event`, channels abbreviated as in Hayabusa's
 *   config/channel_abbreviations.txt ("Sec", "Sysmon", "PwSh"; Yamato-Security/hayabusa src/timeline/metrics).
 * - Splunk `stats count by host, source, EventCode` (or ComputerName, LogName, sourcetype): the Splunk Add-on
 *   for Microsoft Windows names the source `WinEventLog:<channel>` or `XmlWinEventLog:<channel>`; its events
 *   carry `EventCode`, `LogName` and `ComputerName`. `min(_time)` / `max(_time)` are epoch seconds.
 * - Microsoft Sentinel / Log Analytics `summarize count() by Computer, Channel, EventID`: the count column is
 *   `count_`; SecurityEvent has `Channel` and `EventSourceName`, Event has `EventLog` and `Source` (the
 *   provider), WindowsEvent has `Channel` and `Provider` (Azure Monitor Logs table reference);
 *   `min(TimeGenerated)` becomes `min_TimeGenerated`.
 *
 * Hostile input is normal input: rows are bounded (LIMITS.observedRows), bad rows are skipped and counted in
 * one note, and a file whose header names no channel and event ID is one error.
 */
import { LIMITS } from '../limits.js';
import { isAmbiguousAbbreviation, normaliseChannel } from './channels.js';
import { CsvRows, feedFile, HeaderError } from './csv-rows.js';

import type { ObservedCount } from './model.js';

export interface CountsCsv {
  /** Which tool's columns the header has, for the report. */
  format: string;
  counts: ObservedCount[];
  notes: string[];
}

/** Header names per meaning, in order of preference (the first present wins). */
const COLUMNS = {
  channel: ['channel', 'logname', 'log_name', 'eventlog', 'winlog.channel', 'log'],
  eventId: ['eventid', 'event_id', 'eventcode', 'event_code', 'winlog.event_id', 'event.code', 'id'],
  count: ['count', 'count_', 'total', 'doc_count', 'event_count', 'events'],
  // The event's own computer before the forwarder's: with WEF, Splunk's `host` is the collector.
  computer: ['computer', 'computername', 'computer_name', 'winlog.computer_name', 'hostname', 'host.name', 'host', 'dvc'],
  provider: ['provider', 'provider_name', 'providername', 'eventsourcename', 'winlog.provider_name'],
  first: ['first', 'firsttime', 'first_seen', 'firstseen', 'earliest', 'min(_time)', 'min_timegenerated', 'min_@timestamp'],
  last: ['last', 'lasttime', 'last_seen', 'lastseen', 'latest', 'max(_time)', 'max_timegenerated', 'max_@timestamp'],
  // Sum of the events' sizes (measured cost, issue 24): Splunk `sum(bytes)` of an eval'd len(_raw), Log Analytics `sum(_BilledSize)`.
  bytes: ['bytes', 'sum_bytes', 'sum(bytes)', 'sum__billedsize', 'sum(_billedsize)'],
} as const;

type Field = keyof typeof COLUMNS;

/** Event counts from CSV text held whole (tests, and inputs named otherwise than .csv). */
export function parseCountsCsv(text: string): CountsCsv {
  const r = new CountsCsvReader();
  r.write(text);
  return r.end();
}

/**
 * Event counts from a CSV file, streamed: read 64 KiB at a time, decoded as it comes, each row turned into
 * a count and dropped. Neither the file nor its text is ever held whole.
 */
export function readCountsCsvFile(path: string, maxBytes: number): CountsCsv {
  const r = new CountsCsvReader();
  feedFile(path, maxBytes, r);
  return r.end();
}

/** Rows fed as text in pieces (csv-parse's stream parser, driven synchronously); end() gives the counts. */
class CountsCsvReader extends CsvRows {
  private header: string[] | undefined;
  private cols: Partial<Record<Field | 'source' | 'sourcetype', number>> = {};
  private hayabusa = false;
  private counts: ObservedCount[] = [];
  private skipped = new Map<string, { n: number; line: number }>();
  private rows = 0;

  protected record(record: string[], line: number): void {
    if (!this.header) {
      const header = (this.header = record.map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase()));
      const cols = (this.cols = columnsOf(header));
      this.hayabusa = header.includes('%') || (cols.count !== undefined && header[cols.count] === 'total' && header.includes('id'));
      if (cols.eventId === undefined || (cols.channel === undefined && cols.source === undefined && cols.sourcetype === undefined)) {
        throw new HeaderError(
          `not an event-count CSV: the header (${header.slice(0, 8).join(', ')}) names no ${cols.eventId === undefined ? 'event ID (EventID, EventCode, ID)' : 'channel (Channel, LogName, EventLog, source)'} column`,
        );
      }
      return;
    }
    if (++this.rows > LIMITS.observedRows) {
      this.full = true;
      return;
    }
    const row = readRow(record, this.cols, this.hayabusa);
    if ('skip' in row) {
      const s = this.skipped.get(row.skip);
      if (s) s.n++;
      else this.skipped.set(row.skip, { n: 1, line });
    } else this.counts.push(row);
  }

  end(): CountsCsv {
    this.finish();
    const { header, cols, hayabusa } = this;
    if (!header) throw new Error(this.broken ? 'no readable header row: the first record is malformed or longer than 64 KB' : 'empty file: no header row');
    const notes: string[] = [];
    if (cols.count === undefined) notes.push('no count column: each row is counted as one event');
    for (const [why, s] of this.skipped) notes.push(`${s.n} row(s) skipped: ${why} (first at line ${s.line})`);
    if (this.broken) notes.push(`${this.broken} malformed CSV record(s) skipped`);
    if (this.full) notes.push(`more than ${LIMITS.observedRows.toLocaleString('en-US')} rows (limit); the rest is not read`);
    return { format: formatOf(header, cols, hayabusa), counts: this.counts, notes };
  }
}

function columnsOf(header: string[]): Partial<Record<Field | 'source' | 'sourcetype', number>> {
  const out: Partial<Record<Field | 'source' | 'sourcetype', number>> = {};
  for (const [field, names] of Object.entries(COLUMNS) as [Field, readonly string[]][]) {
    for (const n of names) {
      const i = header.indexOf(n);
      if (i >= 0) {
        out[field] = i;
        break;
      }
    }
  }
  const source = header.indexOf('source');
  const sourcetype = header.indexOf('sourcetype');
  // Beside a channel column, `source` is the provider (Sentinel's Event table); alone it is Splunk's source.
  if (source >= 0 && out.channel !== undefined && out.provider === undefined) out.provider = source;
  else if (source >= 0) out.source = source;
  if (sourcetype >= 0) out.sourcetype = sourcetype;
  return out;
}

function readRow(record: string[], cols: Partial<Record<Field | 'source' | 'sourcetype', number>>, hayabusa: boolean): ObservedCount | { skip: string } {
  const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
  let channel: string | undefined;
  const rawChannel = cell(cols.channel);
  if (cols.channel !== undefined) channel = normaliseChannel(rawChannel, { hayabusa });
  // Splunk: source first (it always names the channel), then an old-style sourcetype (WinEventLog:Security).
  if (!channel && cols.source !== undefined) channel = normaliseChannel(cell(cols.source));
  if (!channel && cols.sourcetype !== undefined && /:/.test(cell(cols.sourcetype))) channel = normaliseChannel(cell(cols.sourcetype));
  if (!channel)
    return { skip: hayabusa && isAmbiguousAbbreviation(rawChannel) ? `Hayabusa abbreviation "${rawChannel}" stands for several channels` : 'no channel' };
  const idText = cell(cols.eventId).replace(/^"|"$/g, '');
  if (!/^\d{1,5}$/.test(idText) || Number(idText) > 65535) return { skip: 'event ID is not a number from 0 to 65535' };
  let count = 1;
  if (cols.count !== undefined) {
    const c = cell(cols.count).replace(/[,_\s]/g, '');
    if (!/^\d{1,15}$/.test(c)) return { skip: 'count is not a whole number' };
    count = Number(c);
  }
  if (count === 0) return { skip: 'count is 0' };
  const out: ObservedCount = { channel, eventId: Number(idText), count };
  const computer = cell(cols.computer);
  if (computer) out.computer = computer.slice(0, 256);
  const provider = cell(cols.provider);
  if (provider) out.provider = provider.slice(0, 256);
  const first = parseTime(cell(cols.first));
  const last = parseTime(cell(cols.last));
  if (first) out.first = first;
  if (last) out.last = last;
  // A size that is not a whole number is left out (no size), never guessed: the row's count still stands.
  const bytes = cell(cols.bytes).replace(/[,_\s]/g, '');
  // Log Analytics' _BilledSize is a real: its sum may come with decimals.
  if (/^\d{1,15}(\.\d{1,6})?$/.test(bytes)) out.bytes = Math.round(Number(bytes));
  return out;
}

/** Epoch seconds (Splunk's _time), epoch milliseconds, or a date string; ISO 8601 UTC, or undefined. */
export function parseTime(v: string): string | undefined {
  if (!v) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    ms = n < 1e11 ? n * 1000 : n;
  } else {
    ms = Date.parse(v);
  }
  // Before 1990 or after 2100 is no event log's time: a wrong column or unit.
  if (!Number.isFinite(ms) || ms < 631152000000 || ms > 4102444800000) return undefined;
  return new Date(ms).toISOString();
}

function formatOf(header: string[], cols: Partial<Record<Field | 'source' | 'sourcetype', number>>, hayabusa: boolean): string {
  if (hayabusa) return 'Hayabusa eid-metrics CSV';
  if (header.includes('eventcode') || cols.source !== undefined || header.includes('sourcetype') || header.includes('min(_time)')) return 'Splunk stats CSV';
  if (header.includes('count_') || header.includes('eventsourcename') || header.includes('eventlog') || header.includes('min_timegenerated'))
    return 'Sentinel / Log Analytics CSV';
  return 'event-count CSV';
}
