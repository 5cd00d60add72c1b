/**
 * Field evidence from SIEM exports (issue 24): Elasticsearch/OpenSearch field-existence aggregations and
 * field-count CSVs (Splunk, Sentinel). Each fixture's expected counts are worked out by hand from the file
 * (test/fixtures/observed/README.md says which documented format each follows).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { parseObservedJson } from '../../src/observe/elastic-fields.js';
import { eventDataName, parseObservedCsv } from '../../src/observe/fields-csv.js';
import { loadObservations } from '../../src/observe/load.js';
import type { ObservedCount } from '../../src/observe/model.js';
import { runCli } from '../helpers.js';

const FX = 'test/fixtures/observed';
const byKind = (c: ObservedCount[]) =>
  [...c].sort((a, b) => `${a.computer}|${a.channel}|${a.eventId}`.localeCompare(`${b.computer}|${b.channel}|${b.eventId}`));
const tmp = () => mkdtempSync(join(tmpdir(), 'siem-fields-'));

describe('field names', () => {
  it('maps winlog.event_data.X and EventData.X to X; ECS names are not mapped back', () => {
    expect(eventDataName('winlog.event_data.CommandLine')).toEqual({ name: 'CommandLine' });
    expect(eventDataName('EventData.TargetUserName')).toEqual({ name: 'TargetUserName' });
    expect(eventDataName('ParentImage')).toEqual({ name: 'ParentImage' });
    expect(eventDataName('process.command_line')).toEqual({ skip: 'ecs' });
    expect(eventDataName('winlog.event_data.__proto__')).toEqual({ skip: 'bad' });
    expect(eventDataName('x'.repeat(LIMITS.observedFieldNameChars + 1))).toEqual({ skip: 'bad' });
    expect(eventDataName('Command Line')).toEqual({ skip: 'bad' });
  });
});

describe('Elasticsearch / OpenSearch field existence', () => {
  it('composite buckets with a filter per field: doc_count is the denominator, 4688 without CommandLine on WS-0142', () => {
    const o = loadObservations([join(FX, 'es-field-exists.json')]);
    expect(o.errors).toEqual([]);
    expect(o.kinds).toEqual({ 'Elasticsearch/OpenSearch field-existence aggregation': 1 });
    const none = { fieldsListedOnly: true };
    expect(byKind(o.counts)).toEqual([
      {
        computer: 'SRV-FS01.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 310,
        fieldRecords: 310,
        fields: { CommandLine: 310, ParentProcessName: 310, ParentImage: 0, Hashes: 0 },
        ...none,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        eventId: 1,
        count: 5120,
        fieldRecords: 5120,
        fields: { CommandLine: 5120, ParentProcessName: 0, ParentImage: 5120, Hashes: 5118 },
        ...none,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Security',
        eventId: 4624,
        count: 1532,
        fieldRecords: 1532,
        fields: { CommandLine: 0, ParentProcessName: 0, ParentImage: 0, Hashes: 0 },
        ...none,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 1204,
        fieldRecords: 1204,
        fields: { CommandLine: 0, ParentProcessName: 1204, ParentImage: 0, Hashes: 0 },
        ...none,
      },
    ]);
    expect(o.events).toBe(310 + 5120 + 1532 + 1204);
    // ECS names are named in a note, never turned into EventData names; the composite page says more may follow.
    expect(o.notes.some((n) => n.includes('"process.command_line"') && n.includes('not used'))).toBe(true);
    expect(o.notes.some((n) => n.includes('may have more pages'))).toBe(true);
  });

  it('nested terms (host → channel → event ID) with a keyed filters aggregation of fields (OpenSearch)', () => {
    const o = loadObservations([join(FX, 'opensearch-field-exists.json')]);
    expect(o.errors).toEqual([]);
    const f = (CommandLine: number, ParentProcessName: number, TargetUserName: number) => ({ CommandLine, ParentProcessName, TargetUserName });
    expect(byKind(o.counts)).toEqual([
      { computer: 'dc01.corp.contoso.com', channel: 'Security', eventId: 4688, count: 45, fieldRecords: 45, fields: f(45, 45, 0), fieldsListedOnly: true },
      {
        computer: 'lt-2207.corp.contoso.com',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        eventId: 3,
        count: 240,
        fieldRecords: 240,
        fields: f(0, 0, 0),
        fieldsListedOnly: true,
      },
      { computer: 'lt-2207.corp.contoso.com', channel: 'Security', eventId: 4625, count: 17, fieldRecords: 17, fields: f(0, 0, 17), fieldsListedOnly: true },
      { computer: 'lt-2207.corp.contoso.com', channel: 'Security', eventId: 4688, count: 88, fieldRecords: 88, fields: f(88, 88, 0), fieldsListedOnly: true },
    ]);
    expect(o.notes).toEqual([]);
  });

  it('a filters aggregation with keyed: false (array of keyed buckets) reads the same', () => {
    const r = parseObservedJson(
      JSON.stringify({
        aggregations: {
          'winlog.channel': {
            buckets: [
              {
                key: 'Security',
                doc_count: 10,
                'winlog.event_id': {
                  sum_other_doc_count: 0,
                  buckets: [{ key: '4688', doc_count: 10, fields: { buckets: [{ key: 'winlog.event_data.CommandLine', doc_count: 4 }] } }],
                },
              },
            ],
          },
        },
      }),
    );
    expect(r.counts).toEqual([{ channel: 'Security', eventId: 4688, count: 10, fieldRecords: 10, fields: { CommandLine: 4 }, fieldsListedOnly: true }]);
  });

  it('anonymous filters, field counts above doc_count and a host terms aggregation with dotted keys', () => {
    const anon = parseObservedJson(
      JSON.stringify({
        aggregations: {
          'winlog.channel': {
            buckets: [
              {
                key: 'Security',
                doc_count: 5,
                'winlog.event_id': {
                  buckets: [{ key: 4688, doc_count: 5, fields: { buckets: [{ doc_count: 3 }] }, 'winlog.event_data.CommandLine': { doc_count: 9 } }],
                },
              },
            ],
          },
        },
      }),
    );
    expect(anon.notes.some((n) => n.includes('anonymous filters'))).toBe(true);
    expect(anon.notes.some((n) => n.includes('1 field count(s) above'))).toBe(true);
    // The only field count was impossible: the bucket is a plain count, with no field evidence.
    expect(anon.counts).toEqual([{ channel: 'Security', eventId: 4688, count: 5 }]);
    // host.name terms whose keys look like dotted field names are still hosts, not a filters aggregation.
    const hosts = parseObservedJson(
      JSON.stringify({
        aggregations: {
          'host.name': {
            sum_other_doc_count: 0,
            buckets: [
              {
                key: 'ws0142.corp.contoso.com',
                doc_count: 7,
                'winlog.channel': {
                  buckets: [
                    {
                      key: 'Security',
                      doc_count: 7,
                      'winlog.event_id': { buckets: [{ key: '4688', doc_count: 7, 'winlog.event_data.CommandLine': { doc_count: 7 } }] },
                    },
                  ],
                },
              },
            ],
          },
        },
      }),
    );
    expect(hosts.counts).toEqual([
      {
        computer: 'ws0142.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 7,
        fieldRecords: 7,
        fields: { CommandLine: 7 },
        fieldsListedOnly: true,
      },
    ]);
  });

  it('a response without field sub-aggregations is still read as event counts', () => {
    const o = loadObservations([join(FX, 'es-composite.json')]);
    expect(o.kinds).toEqual({ 'Elasticsearch/OpenSearch composite aggregation': 1 });
    expect(o.counts.every((c) => c.fields === undefined && c.fieldRecords === undefined)).toBe(true);
  });

  it('_field_caps has no counts: one error saying it cannot show presence per event, and what to run', () => {
    const o = loadObservations([join(FX, 'es-field-caps.json')]);
    expect(o.counts).toEqual([]);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]!.path).toBe(join(FX, 'es-field-caps.json'));
    expect(o.errors[0]!.message).toMatch(/_field_caps .* cannot show presence per event; run the field-existence aggregation of docs\/evidence\.md/);
  });

  it('hostile sizes: buckets and field names are bounded, the rest is noted', () => {
    const many = Array.from({ length: LIMITS.observedFieldsPerKind + 5 }, (_, i) => [`winlog.event_data.F${i}`, { doc_count: 1 }]);
    const r = parseObservedJson(
      JSON.stringify({
        aggregations: {
          'winlog.channel': {
            buckets: [{ key: 'Security', doc_count: 2, 'winlog.event_id': { buckets: [{ key: 4688, doc_count: 2, ...Object.fromEntries(many) }] } }],
          },
        },
      }),
    );
    expect(Object.keys(r.counts[0]!.fields!)).toHaveLength(LIMITS.observedFieldsPerKind);
    expect(r.notes.some((n) => n.includes(`more than ${LIMITS.observedFieldsPerKind} field names`) && n.includes('5 not kept'))).toBe(true);
    // Deep nesting stops at 16 levels without a stack overflow.
    const n = 5000;
    const deep = `{"aggregations":{${'"narrow":{"doc_count":1,'.repeat(n)}"winlog.event_data.CommandLine":{"doc_count":1}${'}'.repeat(n)}}}`;
    expect(parseObservedJson(deep).counts).toEqual([]);
  });
});

describe('field-count CSV', () => {
  it('Sentinel SecurityEvent counts per Computer, Channel, EventID (CRLF, "2,045" with a thousands comma)', () => {
    const o = loadObservations([join(FX, 'sentinel-field-counts.csv')]);
    expect(o.errors).toEqual([]);
    expect(o.kinds).toEqual({ 'Sentinel / Log Analytics field-count CSV': 1 });
    const f = (CommandLine: number, NewProcessName: number, ParentProcessName: number) => ({ CommandLine, NewProcessName, ParentProcessName });
    expect(byKind(o.counts)).toEqual([
      {
        computer: 'DC01.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 2045,
        fieldRecords: 2045,
        fields: f(2045, 2045, 2045),
        fieldsListedOnly: true,
      },
      {
        computer: 'SRV-FS01.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 310,
        fieldRecords: 310,
        fields: f(310, 310, 310),
        fieldsListedOnly: true,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 1204,
        fieldRecords: 1204,
        fields: f(0, 1204, 1204),
        fieldsListedOnly: true,
      },
    ]);
    expect(o.events).toBe(2045 + 310 + 1204);
  });

  it('Splunk stats + untable: one row per field, zeros kept', () => {
    const o = loadObservations([join(FX, 'splunk-stats-fields.csv')]);
    expect(o.errors).toEqual([]);
    expect(o.kinds).toEqual({ 'Splunk field-count CSV': 1 });
    const f = (CommandLine: number, ParentProcessName: number, TargetUserName: number) => ({ CommandLine, ParentProcessName, TargetUserName });
    expect(byKind(o.counts)).toEqual([
      {
        computer: 'SRV-FS01.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 310,
        fieldRecords: 310,
        fields: f(310, 310, 0),
        fieldsListedOnly: true,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        eventId: 1,
        count: 5120,
        fieldRecords: 5120,
        fields: f(5120, 0, 0),
        fieldsListedOnly: true,
      },
      {
        computer: 'WS-0142.corp.contoso.com',
        channel: 'Security',
        eventId: 4688,
        count: 1204,
        fieldRecords: 1204,
        fields: f(0, 1204, 0),
        fieldsListedOnly: true,
      },
    ]);
  });

  it('Splunk fieldsummary: Splunk’s own fields and the key columns are left out, ECS names noted', () => {
    const o = loadObservations([join(FX, 'splunk-fieldsummary.csv')]);
    expect(o.errors).toEqual([]);
    expect(o.kinds).toEqual({ 'Splunk fieldsummary CSV': 1 });
    expect(o.counts).toEqual([
      {
        channel: 'Security',
        eventId: 4688,
        count: 1514,
        fieldRecords: 1514,
        // EventCode, host, source, sourcetype, linecount and date_hour are not EventData.
        fields: { CommandLine: 310, MandatoryLabel: 1514, NewProcessName: 1514, ParentProcessName: 1514, SubjectUserName: 1514, TokenElevationType: 1514 },
        // fieldsummary lists only the fields it saw (and only those extracted): an absent one proves nothing.
        fieldsListedOnly: true,
      },
    ]);
    expect(o.notes).toEqual([
      `${join(FX, 'splunk-fieldsummary.csv')}: field(s) "process.command_line" are not EventData names and are not used: count winlog.event_data.* fields (docs/evidence.md)`,
    ]);
  });

  it('refuses a field count without its denominator, in one line naming the file', () => {
    const o = loadObservations([join(FX, 'fields-no-total.csv')]);
    expect(o.counts).toEqual([]);
    expect(o.errors).toEqual([
      {
        path: join(FX, 'fields-no-total.csv'),
        message:
          'a field count without the number of events it was counted over proves nothing: add an "events" column (all events of that channel and event ID) — the queries in docs/evidence.md ("Field evidence from a SIEM") write it',
      },
    ]);
  });

  it('bad rows are skipped with one note per reason; totals that differ keep the larger', () => {
    const r = parseObservedCsv(
      [
        'channel,event_id,field,count,events',
        'Security,4688,CommandLine,5,4',
        'Security,99999,CommandLine,1,4',
        ',4688,CommandLine,1,4',
        'Security,4688,CommandLine,x,4',
        'Security,4688,Command Line,1,4',
        'Security,4688,NewProcessName,4,4',
        'Security,4688,ParentProcessName,3,6',
        'Security,4688,Hashes,0,0',
      ].join('\n'),
    );
    expect(r.format).toBe('field-count CSV');
    expect(r.counts).toEqual([
      { channel: 'Security', eventId: 4688, count: 6, fieldRecords: 6, fields: { NewProcessName: 4, ParentProcessName: 3 }, fieldsListedOnly: true },
    ]);
    expect(r.notes).toEqual([
      '1 row(s) skipped: the field is counted in more events than the kind has (first at line 2)',
      '1 row(s) skipped: event ID is not a number from 0 to 65535 (first at line 3)',
      '1 row(s) skipped: no channel (first at line 4)',
      '1 row(s) skipped: count or events is not a whole number (first at line 5)',
      '1 row(s) skipped: field name is not an EventData name (first at line 6)',
      '1 row(s) skipped: events is 0 (first at line 9)',
      '1 row(s) give another events total than the first row of their channel and event ID; the larger total is used',
    ]);
  });

  it('hostile sizes: field names per kind are bounded; a plain counts CSV still goes to the counts reader', () => {
    const rows = ['Channel,EventID,field,count,events'];
    for (let i = 0; i < LIMITS.observedFieldsPerKind + 3; i++) rows.push(`Security,4688,F${i},1,1`);
    const dir = tmp();
    writeFileSync(join(dir, 'many.csv'), rows.join('\n'));
    writeFileSync(join(dir, 'plain.csv'), 'Channel,EventID,count\nSecurity,4688,12\n');
    const o = loadObservations([join(dir, 'many.csv'), join(dir, 'plain.csv')]);
    expect(o.errors).toEqual([]);
    const fields = o.counts.find((c) => c.fields)!;
    expect(Object.keys(fields.fields!)).toHaveLength(LIMITS.observedFieldsPerKind);
    expect(o.notes).toContain(
      `${join(dir, 'many.csv')}: more than ${LIMITS.observedFieldsPerKind} field names for one channel and event ID (limit); 3 row(s) not kept`,
    );
    expect(o.kinds).toEqual({ 'field-count CSV': 1, 'event-count CSV': 1 });
    // Both describe Security 4688 without a computer: counts add up, field evidence covers the 1 examined record.
    expect(o.counts).toHaveLength(1);
    expect(fields.count).toBe(13);
    expect(fields.fieldRecords).toBe(1);
  });
});

describe('loadObservations merges field evidence by kind', () => {
  it('two exports of one kind add records examined and per-field counts', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'a.csv'),
      'Computer,Channel,EventID,events,field,count\nWS-0142,Security,4688,100,CommandLine,0\nWS-0142,Security,4688,100,NewProcessName,100\n',
    );
    writeFileSync(
      join(dir, 'b.csv'),
      'Computer,Channel,EventID,events,field,count\nws-0142,security,4688,20,CommandLine,20\nws-0142,security,4688,20,ParentProcessName,20\n',
    );
    const o = loadObservations([join(dir, 'a.csv'), join(dir, 'b.csv')]);
    expect(o.counts).toEqual([
      {
        computer: 'WS-0142',
        channel: 'Security',
        eventId: 4688,
        count: 120,
        fieldRecords: 120,
        fields: { CommandLine: 20, NewProcessName: 100, ParentProcessName: 20 },
        fieldsListedOnly: true,
      },
    ]);
  });

  it('every fixture loaded together: one count per kind, WS-0142 4688 from three sources', () => {
    const files = ['es-field-exists.json', 'sentinel-field-counts.csv', 'splunk-stats-fields.csv'].map((f) => join(FX, f));
    const o = loadObservations(files);
    expect(o.errors).toEqual([]);
    const ws = o.counts.find((c) => c.computer === 'WS-0142.corp.contoso.com' && c.eventId === 4688)!;
    expect(ws).toEqual({
      computer: 'WS-0142.corp.contoso.com',
      channel: 'Security',
      eventId: 4688,
      count: 1204 * 3,
      fieldRecords: 1204 * 3,
      fields: { CommandLine: 0, ParentProcessName: 1204 * 3, ParentImage: 0, Hashes: 0, NewProcessName: 1204, TargetUserName: 0 },
      fieldsListedOnly: true,
    });
  });
});

describe('check --observed with SIEM field exports (CLI)', () => {
  it('reads each export by content, names its kind, and gives the refusals as one error line each', () => {
    const r = runCli(
      [
        `${FX}/rules`,
        '--observed',
        `${FX}/sentinel-field-counts.csv`,
        '--observed',
        `${FX}/opensearch-field-exists.json`,
        '--observed',
        `${FX}/fields-no-total.csv`,
        '--observed',
        `${FX}/es-field-caps.json`,
      ],
      { env: { COLUMNS: '' } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /2 file\(s\) \(Sentinel \/ Log Analytics field-count CSV 1, Elasticsearch\/OpenSearch field-existence aggregation 1\) · 3,949 events/,
    );
    expect(r.stdout).toMatch(
      /^ *test\/fixtures\/observed\/fields-no-total\.csv: a field count without the number of events it was counted over proves nothing/m,
    );
    expect(r.stdout).toMatch(/^ *test\/fixtures\/observed\/es-field-caps\.json: a _field_caps response .* cannot show presence per event/m);
  });
});
