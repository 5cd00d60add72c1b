/**
 * Readers of observed event counts (--observed): counts CSVs of each recognised tool, Elasticsearch /
 * OpenSearch terms and composite responses, and malformed input (one error or note naming the file, never a
 * crash). Fixtures in test/fixtures/observed/ (README there gives each one's source format).
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { normaliseChannel } from '../../src/observe/channels.js';
import { parseCountsCsv } from '../../src/observe/counts-csv.js';
import { parseSearchResponse } from '../../src/observe/elastic.js';
import { loadObservations } from '../../src/observe/load.js';
import type { ObservedCount } from '../../src/observe/model.js';

const FX = 'test/fixtures/observed';
const brief = (c: ObservedCount[]) => c.map((x) => `${x.computer ?? '-'}|${x.channel}|${x.eventId}|${x.count}`);

describe('channel names', () => {
  it('undoes Splunk prefixes, case and Hayabusa abbreviations; ambiguous abbreviations name no channel', () => {
    expect(normaliseChannel('WinEventLog:Security')).toBe('Security');
    expect(normaliseChannel('XmlWinEventLog:Microsoft-Windows-Sysmon/Operational')).toBe('Microsoft-Windows-Sysmon/Operational');
    expect(normaliseChannel('security')).toBe('Security');
    expect(normaliseChannel('microsoft-windows-sysmon/operational')).toBe('Microsoft-Windows-Sysmon/Operational');
    expect(normaliseChannel('Sysmon')).toBe('Microsoft-Windows-Sysmon/Operational');
    expect(normaliseChannel('WinEventLog')).toBeUndefined(); // a sourcetype without its channel
    expect(normaliseChannel('PwSh', { hayabusa: true })).toBe('Microsoft-Windows-PowerShell/Operational');
    expect(normaliseChannel('Sec', { hayabusa: true })).toBe('Security');
    expect(normaliseChannel('Sec')).toBe('Sec'); // only in Hayabusa's output is "Sec" the Security log
    expect(normaliseChannel('AppLocker', { hayabusa: true })).toBeUndefined();
  });
});

describe('counts CSV', () => {
  const read = (f: string) => loadObservations([join(FX, f)]);

  it('Splunk stats by host, source, EventCode with min/max(_time) in epoch seconds', () => {
    const o = read('splunk-stats-ws0142.csv');
    expect(o.errors).toEqual([]);
    expect(o.kinds).toEqual({ 'Splunk stats CSV': 1 });
    expect(brief(o.counts)).toContain('ws-0142.corp.contoso.com|Security|4624|1532');
    expect(brief(o.counts)).toContain('WS-0142|System|7036|80');
    const c = o.counts.find((x) => x.eventId === 4624);
    expect(c?.first).toBe('2026-11-01T00:00:00.000Z');
    expect(c?.last).toBe('2026-11-14T23:59:00.000Z');
  });

  it('Splunk ComputerName, LogName (any case), semicolons; sourcetype XmlWinEventLog with the channel in source', () => {
    expect(brief(read('splunk-logname-semicolon.csv').counts)).toEqual(['WS-0142|Security|4688|900', 'WS-0142|Microsoft-Windows-Sysmon/Operational|1|400']);
    const x = read('splunk-sourcetype-xml.csv');
    expect(brief(x.counts)).toEqual(['WS-0142|Microsoft-Windows-Sysmon/Operational|11|77', 'WS-0142|Security|4663|12']);
  });

  it('Hayabusa eid-metrics: Total,%,Channel,ID,Event with abbreviated channels; an ambiguous one is skipped with a note', () => {
    const o = read('hayabusa-eid-metrics.csv');
    expect(o.kinds).toEqual({ 'Hayabusa eid-metrics CSV': 1 });
    expect(brief(o.counts)).toEqual([
      '-|Security|4624|3021',
      '-|Microsoft-Windows-Sysmon/Operational|1|1200',
      '-|Microsoft-Windows-PowerShell/Operational|4104|410',
      '-|System|7045|150',
      '-|Security|4625|47',
    ]);
    expect(o.notes.join('\n')).toMatch(/hayabusa-eid-metrics\.csv: 1 row\(s\) skipped: Hayabusa abbreviation "AppLocker" stands for several channels/);
  });

  it('Sentinel: SecurityEvent (Computer, Channel, EventID, count_, min/max_TimeGenerated) and Event (EventLog, Source = provider)', () => {
    const s = read('sentinel-summarize.csv');
    expect(s.kinds).toEqual({ 'Sentinel / Log Analytics CSV': 1 });
    expect(brief(s.counts)).toContain('DC01.corp.contoso.com|Security|4769|8800');
    expect(s.counts[0]?.first).toBe('2026-11-01T00:00:00.000Z');
    const e = read('sentinel-event-table.csv');
    expect(brief(e.counts)).toContain('WS-0142.corp.contoso.com|Microsoft-Windows-Sysmon/Operational|3|2210');
    expect(e.counts.find((c) => c.eventId === 7045)?.provider).toBe('Service Control Manager');
  });

  it('without a count column each row is one event', () => {
    const o = read('generic-no-count.csv');
    expect(brief(o.counts)).toEqual(['-|Security|4624|2', '-|System|7045|1']);
    expect(o.notes.join('\n')).toMatch(/no count column/);
  });

  it('bad rows are skipped and counted per reason in notes naming the file; the good rows stay', () => {
    const o = read('malformed.csv');
    expect(o.errors).toEqual([]);
    expect(brief(o.counts)).toEqual(['-|Security|4624|10', '-|Security|4634|2']);
    const notes = o.notes.join('\n');
    expect(notes).toMatch(/malformed\.csv: \d row\(s\) skipped: event ID is not a number/);
    expect(notes).toMatch(/malformed\.csv: 1 row\(s\) skipped: count is not a whole number/);
    expect(notes).toMatch(/malformed\.csv: 1 row\(s\) skipped: no channel/);
  });

  it('a CSV of something else is one error naming the missing column', () => {
    const o = read('not-counts.csv');
    expect(o.counts).toEqual([]);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]?.path).toBe(join(FX, 'not-counts.csv'));
    expect(o.errors[0]?.message).toMatch(/not an event-count CSV: .*no event ID/);
  });

  it('binary noise, an empty file and a 20,000-column header do not crash', () => {
    expect(() => parseCountsCsv('')).toThrow(/empty file/);
    expect(() => parseCountsCsv('\u0000\u0001\u0002ElfChnk\u0000')).toThrow(/not an event-count CSV/);
    const wide = `${Array.from({ length: 20000 }, (_, i) => `c${i}`).join(',')}\n`;
    expect(() => parseCountsCsv(wide)).toThrow(/no readable header row/);
  });
});

describe('Elasticsearch / OpenSearch responses', () => {
  it('nested terms (winlog.channel → winlog.event_id) with min/max of @timestamp; sum_other_doc_count is a note', () => {
    const o = loadObservations([join(FX, 'es-terms.json')]);
    expect(o.kinds).toEqual({ 'Elasticsearch/OpenSearch terms aggregations': 1 });
    expect(brief(o.counts)).toEqual([
      '-|Security|4624|4100',
      '-|Security|4672|1110',
      '-|Microsoft-Windows-Sysmon/Operational|1|800',
      '-|Microsoft-Windows-Sysmon/Operational|3|65',
    ]);
    expect(o.counts[1]?.first).toBe('2026-11-01T00:01:40.000Z');
    expect(o.counts[3]?.first).toBeUndefined(); // min/max null: no time, never 1970
    expect(o.notes.join('\n')).toMatch(/terms aggregation "winlog.event_id" left 15 event\(s\) out/);
  });

  it('composite buckets with key objects (host.name, winlog.channel, winlog.event_id); a last page with after_key is a note', () => {
    const o = loadObservations([join(FX, 'es-composite.json')]);
    expect(o.kinds).toEqual({ 'Elasticsearch/OpenSearch composite aggregation': 1 });
    expect(brief(o.counts)).toEqual([
      'lt-2207.corp.contoso.com|Security|4625|17',
      'ws-0142.corp.contoso.com|Microsoft-Windows-Sysmon/Operational|1|5120',
      'ws-0142.corp.contoso.com|Security|4688|900',
    ]);
    expect(o.notes.join('\n')).toMatch(/may have more pages/);
    // Every page given, the last one empty: nothing more to fetch, no note.
    const first = JSON.parse(readFileSync(join(FX, 'es-composite.json'), 'utf8')) as object;
    const both = parseSearchResponse(JSON.stringify([first, { aggregations: { observed: { buckets: [] } } }]));
    expect(both.counts).toHaveLength(3);
    expect(both.notes.join('\n')).not.toMatch(/more pages/);
  });

  it('terms by host → channel → event.code (ECS), and Kibana Inspect / _msearch wrappers', () => {
    const o = loadObservations([join(FX, 'es-event-code-by-host.json')]);
    expect(brief(o.counts)).toEqual(['WS-0142|Windows PowerShell|400|25', 'WS-0142|Windows PowerShell|600|15']);
    const inner = {
      aggregations: { 'winlog.channel': { buckets: [{ key: 'System', doc_count: 3, 'winlog.event_id': { buckets: [{ key: 7045, doc_count: 3 }] } }] } },
    };
    expect(brief(parseSearchResponse(JSON.stringify({ rawResponse: inner })).counts)).toEqual(['-|System|7045|3']);
    expect(brief(parseSearchResponse(JSON.stringify({ responses: [inner] })).counts)).toEqual(['-|System|7045|3']);
  });

  it('plain hits are counted one by one, with a note that they are a sample', () => {
    const hits = {
      hits: {
        hits: [
          { _source: { winlog: { channel: 'Security', event_id: 4624, computer_name: 'WS-0142' }, '@timestamp': '2026-11-03T10:00:00Z' } },
          { _source: { 'winlog.channel': 'Security', 'event.code': '4624', 'host.name': 'WS-0142' } },
        ],
      },
    };
    const r = parseSearchResponse(JSON.stringify(hits));
    expect(brief(r.counts)).toEqual(['WS-0142|Security|4624|2']);
    expect(r.notes.join('\n')).toMatch(/a sample of the index, not its totals/);
  });

  it('an error response, truncated JSON, unknown aggregation names and buckets without a channel: one error or a note, never a crash', () => {
    const err = loadObservations([join(FX, 'es-error.json'), join(FX, 'truncated.json')]);
    expect(err.errors.map((e) => e.path)).toEqual([join(FX, 'es-error.json'), join(FX, 'truncated.json')]);
    expect(err.errors[0]?.message).toMatch(/the response is an error: no such index/);
    expect(err.errors[1]?.message).toMatch(/^not JSON/);
    const odd = parseSearchResponse(
      JSON.stringify({ aggregations: { by_thing: { buckets: [{ key: 'x', doc_count: 5 }] }, 'event.code': { buckets: [{ key: '4624', doc_count: 9 }] } } }),
    );
    expect(odd.counts).toEqual([]);
    expect(odd.notes.join('\n')).toMatch(/"by_thing" not recognised by name/);
    expect(odd.notes.join('\n')).toMatch(/without a channel or event ID skipped/);
    expect(() => parseSearchResponse('{"took": 3}')).toThrow(/no "aggregations" and no "hits"/);
    // Deep nesting is bounded, not a stack overflow.
    const deep = `{"aggregations":{"channel":{"buckets":[${'{"key":"x","doc_count":1,"sub":{"buckets":['.repeat(50000)}{"key":"y","doc_count":1}${']}}'.repeat(50000)}]}}}`;
    expect(() => parseSearchResponse(deep)).not.toThrow();
  });
});

describe('loading --observed paths', () => {
  it('a folder is walked: .csv and .json by their readers, other files noted, a link out of the folder not followed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-observed-'));
    mkdirSync(join(dir, 'siem'));
    writeFileSync(join(dir, 'siem', 'counts.csv'), 'Channel,EventID,Count\nSecurity,4624,3\n');
    writeFileSync(
      join(dir, 'siem', 'response.json'),
      JSON.stringify({
        aggregations: { 'winlog.channel': { buckets: [{ key: 'Security', doc_count: 2, 'winlog.event_id': { buckets: [{ key: '4624', doc_count: 2 }] } }] } },
      }),
    );
    writeFileSync(join(dir, 'readme.txt'), 'not evidence');
    symlinkSync('/etc', join(dir, 'etc'));
    const o = loadObservations([dir]);
    expect(o.sources).toHaveLength(2);
    // The same (channel, event ID) from two files is added up.
    expect(brief(o.counts)).toEqual(['-|Security|4624|5']);
    expect(o.notes.join('\n')).toMatch(/1 file\(s\) in the --observed folders are not \.evtx, \.csv or \.json/);
    expect(o.errors.map((e) => e.message).join('\n')).toMatch(/symbolic link to \/etc, outside .*: not followed/);
  });

  it('rows, buckets and files are bounded (LIMITS): what is past the limit is not read, and said once', () => {
    const limits = LIMITS as unknown as { observedRows: number; observedFiles: number };
    const saved = { rows: limits.observedRows, files: limits.observedFiles };
    limits.observedRows = 3;
    limits.observedFiles = 2;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'lsc-bounds-'));
      writeFileSync(join(dir, 'a.csv'), `Channel,EventID,Count\n${Array.from({ length: 10 }, (_, i) => `Security,${4600 + i},1`).join('\n')}\n`);
      const buckets = Array.from({ length: 10 }, (_, i) => ({ key: { 'winlog.channel': 'System', 'winlog.event_id': 7000 + i }, doc_count: 1 }));
      writeFileSync(join(dir, 'b.json'), JSON.stringify({ aggregations: { observed: { buckets } } }));
      writeFileSync(join(dir, 'c.csv'), 'Channel,EventID\nSecurity,1102\n');
      const o = loadObservations([dir]);
      expect(o.counts.filter((c) => c.channel === 'Security')).toHaveLength(3);
      expect(o.counts.filter((c) => c.channel === 'System')).toHaveLength(3);
      expect(o.notes.join('\n')).toMatch(/a\.csv: more than 3 rows \(limit\); the rest is not read/);
      expect(o.notes.join('\n')).toMatch(/b\.json: more than 3 buckets \(limit\)/);
      expect(o.errors).toEqual([{ path: join(dir, 'c.csv'), message: 'more than 2 observation files (limit); the rest is not read' }]);
    } finally {
      limits.observedRows = saved.rows;
      limits.observedFiles = saved.files;
    }
  });

  it('a missing path is reported as missing (the CLI makes it a usage error); a FIFO or device is an error naming it', () => {
    const o = loadObservations(['no/such/file.csv', '/dev/null']);
    expect(o.missing).toEqual(['no/such/file.csv']);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]?.path).toBe('/dev/null');
  });
});
