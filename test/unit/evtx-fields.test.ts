/**
 * Field evidence from EVTX (issue 24): per kind of event, the records' bytes, the records examined and per
 * EventData/UserData field how many carried it present and non-empty; the hash algorithms in Sysmon's Hashes.
 * Files are built with test/fixtures/evtx/write-evtx.ts; the shared samples check real templates.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVTX_LIMITS, readEvtx, readEvtxFile } from '../../src/observe/evtx.js';
import { loadObservations } from '../../src/observe/load.js';
import { mergeEvidence } from '../../src/observe/merge.js';
import type { ObservedCount } from '../../src/observe/model.js';
import { valueTokens } from '../../src/catalog/evidence-fields.js';
import {
  ChunkWriter,
  evtxFile,
  eventDataTemplate,
  nul,
  recordSizes,
  recordWithBinXml,
  str,
  systemPart,
  systemValues,
  userDataTemplate,
  type Value,
} from '../fixtures/evtx/write-evtx.js';
import { CORPUS, runCli } from '../helpers.js';

const SEC = { provider: 'Microsoft-Windows-Security-Auditing', channel: 'Security', computer: 'WS1' };
const SYSMON = { provider: 'Microsoft-Windows-Sysmon', channel: 'Microsoft-Windows-Sysmon/Operational', computer: 'WS1' };
/** System values 0–6 of the templates in write-evtx.ts. */
const sys = (e: { provider: string; channel: string; computer: string; eventId: number }, time = '2024-05-01T10:00:00Z') =>
  systemValues({ ...e, time }).slice(0, 7);
/** A UTF-16 value with its terminating NUL, as Windows usually stores strings. */
const strz = (s: string): Value => str(`${s}\0`);

const PROCESS_FIELDS = ['SubjectUserSid', 'NewProcessName', 'CommandLine', 'ParentProcessName'];

/** 4688 records: CommandLine given in three, empty in four different ways ("" with and without NUL, "-", NULL). */
function processChunk(): ChunkWriter {
  const w = new ChunkWriter();
  const tpl = eventDataTemplate(PROCESS_FIELDS);
  const cmd: Value[] = [strz('cmd.exe /c whoami'), str('powershell -enc AAAA'), strz('x'), str(''), strz(''), strz('-'), nul()];
  cmd.forEach((c, i) => {
    const parent = i === 0 ? strz('-') : strz('C:\\Windows\\explorer.exe');
    w.record(100 + i, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('4688', tpl, [
          ...sys({ ...SEC, eventId: 4688 }, `2024-05-01T10:0${i}:00Z`),
          strz('S-1-5-18'),
          strz('C:\\Windows\\System32\\cmd.exe'),
          c,
          parent,
        ])
        .eof(),
    );
  });
  return w;
}

const only = (counts: ObservedCount[], eventId: number) => {
  const c = counts.filter((x) => x.eventId === eventId);
  expect(c).toHaveLength(1);
  return c[0]!;
};

describe('field evidence from EVTX files built here', () => {
  it('4688: per-field presence, "" / "-" / NULL as empty, bytes = the records\' sizes', () => {
    const w = processChunk();
    const r = readEvtx(evtxFile([w.finish()]), 'p.evtx');
    expect(r.notes).toEqual([]);
    const c = only(r.counts, 4688);
    expect(c.count).toBe(7);
    expect(c.fieldRecords).toBe(7);
    expect(c.fields).toEqual({ CommandLine: 3, NewProcessName: 7, ParentProcessName: 6, SubjectUserSid: 7 });
    expect(c.bytes).toBe(recordSizes(w).reduce((a, b) => a + b, 0));
    expect(c.values).toBeUndefined(); // no field of data/evidence-fields.yaml in Security 4688
    expect(c.first).toBe('2024-05-01T10:00:00.000Z');
    expect(c.last).toBe('2024-05-01T10:06:00.000Z');
  });

  it('a field every record leaves empty is listed with 0 (4688 without command-line auditing)', () => {
    const w = new ChunkWriter();
    const tpl = eventDataTemplate(PROCESS_FIELDS);
    for (let i = 0; i < 2; i++)
      w.record(1 + i, '2024-05-01T10:00:00Z', (x) =>
        x
          .fragment()
          .instance('4688', tpl, [...sys({ ...SEC, eventId: 4688 }), strz('S-1-5-18'), strz('C:\\a.exe'), strz(''), strz('C:\\b.exe')])
          .eof(),
      );
    const c = only(readEvtx(evtxFile([w.finish()]), 'z.evtx').counts, 4688);
    expect(c.fields).toEqual({ CommandLine: 0, NewProcessName: 2, ParentProcessName: 2, SubjectUserSid: 2 });
  });

  it('"--", a single other character and literal template text count as present; a literal "-" does not', () => {
    const w = new ChunkWriter();
    const tpl = eventDataTemplate(['A', 'B', ['Literal', 'fixed'], ['Dash', '-']]);
    w.record(1, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('t', tpl, [...sys({ ...SEC, eventId: 4624 }), str('--'), str('0')])
        .eof(),
    );
    const c = only(readEvtx(evtxFile([w.finish()]), 'l.evtx').counts, 4624);
    expect(c.fields).toEqual({ A: 1, B: 1, Dash: 0, Literal: 1 });
  });

  it('counts the algorithms of Sysmon Hashes (and event 15 Hash) per record, only on the events data/evidence-fields.yaml lists', () => {
    const w = new ChunkWriter();
    const tpl = eventDataTemplate(['Image', 'Hashes']);
    const tpl15 = eventDataTemplate(['TargetFilename', 'Hash']);
    w.record(1, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('s1', tpl, [...sys({ ...SYSMON, eventId: 1 }), strz('C:\\a.exe'), strz('SHA1=AB,MD5=CD,SHA256=EF,IMPHASH=01')])
        .eof(),
    );
    w.record(2, '2024-05-01T10:00:01Z', (x) =>
      x
        .fragment()
        .instance('s1', tpl, [...sys({ ...SYSMON, eventId: 1 }), strz('C:\\b.exe'), strz('SHA256=EF')])
        .eof(),
    );
    w.record(3, '2024-05-01T10:00:02Z', (x) =>
      x
        .fragment()
        .instance('s1', tpl, [...sys({ ...SYSMON, eventId: 1 }), strz('C:\\c.exe'), strz('-')])
        .eof(),
    );
    // event 3 has no Hashes in Sysmon's schema: a field of that name is not counted by value there
    w.record(4, '2024-05-01T10:00:03Z', (x) =>
      x
        .fragment()
        .instance('s1', tpl, [...sys({ ...SYSMON, eventId: 3 }), strz('C:\\d.exe'), strz('MD5=00')])
        .eof(),
    );
    w.record(5, '2024-05-01T10:00:04Z', (x) =>
      x
        .fragment()
        .instance('s15', tpl15, [...sys({ ...SYSMON, eventId: 15 }), strz('C:\\f:Zone.Identifier'), strz('SHA256=AA,IMPHASH=00000000000000000000000000000000')])
        .eof(),
    );
    const r = readEvtx(evtxFile([w.finish()]), 's.evtx');
    expect(r.notes).toEqual([]);
    const one = only(r.counts, 1);
    expect(one.fields).toEqual({ Hashes: 2, Image: 3 });
    expect(one.values).toEqual({ Hashes: { IMPHASH: 1, MD5: 1, SHA1: 1, SHA256: 2 } });
    expect(only(r.counts, 3).values).toBeUndefined();
    expect(only(r.counts, 3).fields).toEqual({ Hashes: 1, Image: 1 });
    expect(only(r.counts, 15).values).toEqual({ Hash: { IMPHASH: 1, SHA256: 1 } });
  });

  it('UserData given as a BinXml value: its leaf elements are fields, named by element', () => {
    const w = new ChunkWriter();
    recordWithBinXml(
      w,
      1,
      '2024-05-01T10:00:00Z',
      'u',
      userDataTemplate,
      sys({ provider: 'Microsoft-Windows-Eventlog', channel: 'Security', computer: 'WS1', eventId: 1102 }),
      (v) => {
        v.fragment();
        v.open('LogFileCleared', true, false).attr('xmlns').text('http://manifests.microsoft.com/win/2004/08/windows/eventlog').close();
        v.open('SubjectUserSid', false, false).close().text('S-1-5-21-1-2-3-500').end();
        v.open('SubjectUserName', false, false).close().text('admin').end();
        v.open('SubjectDomainName', false, false).close().text('-').end();
        v.open('SubjectLogonId', false, false).closeEmpty();
        v.end().eof();
      },
    );
    const r = readEvtx(evtxFile([w.finish()]), 'u.evtx');
    expect(r.notes).toEqual([]);
    const c = only(r.counts, 1102);
    expect(c.fieldRecords).toBe(1);
    expect(c.fields).toEqual({ SubjectDomainName: 0, SubjectLogonId: 0, SubjectUserName: 1, SubjectUserSid: 1 });
    expect(c.computer).toBe('WS1'); // the System fields are not touched by the walk of the value
  });

  it('a hostile template with 1,500 Data names: its records are counted, their fields not examined, one note', () => {
    const w = new ChunkWriter();
    const names = Array.from({ length: 1500 }, (_, i) => `F${i}`); // about as many as fit in a 64 KiB chunk
    const tpl = eventDataTemplate(names);
    for (let i = 0; i < 3; i++)
      w.record(1 + i, '2024-05-01T10:00:00Z', (x) =>
        x
          .fragment()
          .instance('big', tpl, sys({ ...SEC, eventId: 4663 }))
          .eof(),
      );
    const t0 = Date.now();
    const r = readEvtx(evtxFile([w.finish()]), 'h.evtx');
    expect(Date.now() - t0).toBeLessThan(2000);
    const c = only(r.counts, 4663);
    expect(c.count).toBe(3);
    expect(c.fieldRecords).toBe(0);
    expect(c.fields).toEqual({});
    expect(r.notes).toEqual([
      `h.evtx: 3 records whose fields were not examined (a template with more than ${EVTX_LIMITS.fieldsPerKind} fields, limit, or a damaged field value); counted, without field evidence`,
    ]);
  });

  it('a field made of more parts than the limit: the records are still counted (System read), their fields not examined', () => {
    const w = new ChunkWriter();
    const tpl = (x: ChunkWriter) => {
      systemPart(x);
      x.open('EventData').close().open('Data', true).attr('Name').text('Long').close();
      for (let i = 0; i <= EVTX_LIMITS.maxPlanEntries; i++) x.text('a').sub(7, 0x01, true);
      x.end().end().end();
    };
    w.record(1, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('long', tpl, [...sys({ ...SEC, eventId: 4663 }), strz('b')])
        .eof(),
    );
    const r = readEvtx(evtxFile([w.finish()]), 'm.evtx');
    const c = only(r.counts, 4663);
    expect(c.count).toBe(1);
    expect(c.fieldRecords).toBe(0);
    expect(r.notes).toEqual([expect.stringContaining('m.evtx: 1 record whose fields were not examined')]);
    expect(readEvtx(evtxFile([w.finish()]), 'm.evtx', undefined, { fields: false }).counts[0]!.count).toBe(1);
  });

  it('more field names in one kind of event than the limit: the first are kept, a note counts the rest', () => {
    const w = new ChunkWriter();
    const half = EVTX_LIMITS.fieldsPerKind - 10;
    const a = eventDataTemplate(Array.from({ length: half }, (_, i) => [`A${i}`, 'v'] as [string, string]));
    const b = eventDataTemplate(Array.from({ length: 20 }, (_, i) => [`B${i}`, 'v'] as [string, string]));
    w.record(1, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('a', a, sys({ ...SEC, eventId: 4663 }))
        .eof(),
    );
    w.record(2, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('b', b, sys({ ...SEC, eventId: 4663 }))
        .eof(),
    );
    const r = readEvtx(evtxFile([w.finish()]), 'k.evtx');
    const c = only(r.counts, 4663);
    expect(c.fieldRecords).toBe(2);
    expect(Object.keys(c.fields!)).toHaveLength(EVTX_LIMITS.fieldsPerKind);
    expect(r.notes).toEqual([
      `k.evtx: more than ${EVTX_LIMITS.fieldsPerKind} field names in one kind of event or 100,000 in the file (limit): the further fields of 1 record not counted`,
    ]);
  });

  it('a field named twice in a template counts once per record; fields: false reads counts and bytes only', () => {
    const w = new ChunkWriter();
    const tpl = eventDataTemplate(['X', 'X']);
    w.record(1, '2024-05-01T10:00:00Z', (x) =>
      x
        .fragment()
        .instance('t', tpl, [...sys({ ...SEC, eventId: 4624 }), strz('1'), strz('2')])
        .eof(),
    );
    const file = evtxFile([w.finish()]);
    expect(only(readEvtx(file, 'd.evtx').counts, 4624).fields).toEqual({ X: 1 });
    const plain = only(readEvtx(file, 'd.evtx', undefined, { fields: false }).counts, 4624);
    expect(plain.fieldRecords).toBeUndefined();
    expect(plain.fields).toBeUndefined();
    expect(plain.bytes).toBe(recordSizes(w)[0]);
  });

  it('loadObservations adds the bytes, records examined, fields and values of the same kind over files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-evtx-fields-'));
    const w = processChunk();
    writeFileSync(join(dir, 'a.evtx'), evtxFile([w.finish()]));
    writeFileSync(join(dir, 'b.evtx'), evtxFile([processChunk().finish()]));
    const load = loadObservations([dir]);
    expect(load.errors).toEqual([]);
    const c = only(load.counts, 4688);
    expect(c.count).toBe(14);
    expect(c.fieldRecords).toBe(14);
    expect(c.fields).toEqual({ CommandLine: 6, NewProcessName: 14, ParentProcessName: 12, SubjectUserSid: 14 });
    expect(c.bytes).toBe(2 * recordSizes(w).reduce((a, b) => a + b, 0));
  });

  it('mergeEvidence: sums per name (a field named __proto__ too); a side without fields adds no examined records', () => {
    const a: ObservedCount = { channel: 'X', eventId: 1, count: 2, bytes: 10, fieldRecords: 2, fields: { A: 1 }, values: { Hashes: { MD5: 1 } } };
    const b = JSON.parse(
      '{"channel":"X","eventId":1,"count":3,"bytes":5,"fieldRecords":3,"fields":{"A":2,"__proto__":3},"values":{"Hashes":{"MD5":1,"SHA256":3}}}',
    ) as ObservedCount;
    mergeEvidence(a, b);
    mergeEvidence(a, { channel: 'X', eventId: 1, count: 7 });
    expect(a.bytes).toBe(15);
    expect(a.fieldRecords).toBe(5);
    expect(Object.entries(a.fields!)).toEqual([
      ['A', 3],
      ['__proto__', 3],
    ]);
    expect(Object.getPrototypeOf(a.fields)).toBe(Object.prototype);
    expect(a.values).toEqual({ Hashes: { MD5: 2, SHA256: 3 } });
  });

  it('valueTokens: names before "=", each once, nothing from text without pairs', () => {
    expect(valueTokens('names-before-equals', 'SHA1=A,MD5=B,SHA256=C,IMPHASH=D')).toEqual(['SHA1', 'MD5', 'SHA256', 'IMPHASH']);
    expect(valueTokens('names-before-equals', 'MD5=1,MD5=2, SHA256 =3')).toEqual(['MD5', 'SHA256']);
    expect(valueTokens('names-before-equals', 'Unknown')).toEqual([]);
    expect(valueTokens('names-before-equals', `${'X'.repeat(33)}=1`)).toEqual([]);
  });
});

const DIR = join(CORPUS, 'evtx');
const HAVE = existsSync(DIR);
if (!HAVE) console.warn(`SKIPPED EVTX field-evidence corpus tests: ${DIR} is absent (it is present in CI and in developer sessions)`);

describe.skipIf(!HAVE)('field evidence over the shared EVTX samples', () => {
  const read = (f: string) => {
    const path = join(DIR, f);
    const r = readEvtxFile(path);
    expect(r.error).toBeUndefined();
    expect(r.notes).toEqual([]);
    // every record examined; no field counted in more records than were examined; bytes within the file
    for (const c of r.counts) {
      expect(c.fieldRecords).toBe(c.count);
      for (const n of Object.values(c.fields!)) expect(n).toBeLessThanOrEqual(c.count);
      expect(c.bytes).toBeGreaterThan(0);
    }
    expect(r.counts.reduce((a, c) => a + c.bytes!, 0)).toBeLessThan(readFileSync(path).length);
    return r.counts;
  };
  const kind = (counts: ObservedCount[], channel: string, eventId: number) => {
    const c = counts.filter((x) => x.channel === channel && x.eventId === eventId);
    expect(c).toHaveLength(1);
    return c[0]!;
  };

  it('Sysmon 1 (T1027.004): Hashes and CommandLine in every record, all four hash algorithms', () => {
    const c = kind(
      read('YamatoSecurity/DefenseEvasion/T1027.004_ObfuscatedFilesOrInformationCompileAfterDelivery_Sysmon.evtx'),
      'Microsoft-Windows-Sysmon/Operational',
      1,
    );
    expect(c.fields!.Hashes).toBe(c.count);
    expect(c.fields!.CommandLine).toBe(c.count);
    expect(Object.keys(c.fields!)).toHaveLength(23);
    expect(c.values).toEqual({ Hashes: { IMPHASH: c.count, MD5: c.count, SHA1: c.count, SHA256: c.count } });
  });

  it('Sysmon 1 (Zerologon): SHA256 only; ParentCommandLine in 8 of 10 records', () => {
    const c = kind(read('YamatoSecurity/LateralMovement/T1210_Zerologon_Sysmon.evtx'), 'Microsoft-Windows-Sysmon/Operational', 1);
    expect(c.count).toBe(10);
    expect(c.fields!.ParentCommandLine).toBe(8);
    expect(c.fields!.CommandLine).toBe(10);
    expect(c.values).toEqual({ Hashes: { SHA256: 10 } });
  });

  it('Security 4688 (psattack): CommandLine in every record; 1102 log cleared: its UserData fields', () => {
    const counts = read('DeepBlueCLI/psattack-security.evtx');
    const p = kind(counts, 'Security', 4688);
    expect(p.count).toBe(23);
    expect(p.fields!.CommandLine).toBe(23);
    expect(p.fields!.NewProcessName).toBe(23);
    const cleared = kind(counts, 'Security', 1102);
    expect(cleared.fields).toEqual({ SubjectDomainName: 1, SubjectLogonId: 1, SubjectUserName: 1, SubjectUserSid: 1 });
  });

  it('Security 4673 (eventlog-dac): Service is "-" in some records, so present in fewer than all', () => {
    const c = kind(read('DeepBlueCLI/eventlog-dac.evtx'), 'Security', 4673);
    expect(c.fields!.ProcessName).toBe(c.count);
    expect(c.fields!.Service).toBeGreaterThan(0);
    expect(c.fields!.Service).toBeLessThan(c.count);
  });
});

describe('logsource-check observed-fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-observed-fields-'));
  const file = join(dir, 'security.evtx');
  writeFileSync(file, evtxFile([processChunk().finish()]));

  it("prints per kind the records, bytes and each field's share, grouped by share", () => {
    const r = runCli(['observed-fields', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('WS1 · Security · 4688 (Microsoft-Windows-Security-Auditing)');
    expect(lines[1]).toMatch(/^ {2}7 records, 2024-05-01T10:00:00Z … 2024-05-01T10:06:00Z, [\d,]+ bytes; fields examined in 7$/);
    expect(lines.slice(2)).toEqual(['  100%  NewProcessName, SubjectUserSid', '   86%  ParentProcessName', '   43%  CommandLine']);
  });

  it('--format json: the counts with their field evidence; a missing path is exit 2, an unusable file one error line and exit 2', () => {
    const r = runCli(['observed-fields', file, '--format', 'json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { counts: ObservedCount[]; errors: unknown[] };
    expect(json.counts[0]).toMatchObject({ eventId: 4688, count: 7, fieldRecords: 7, fields: { CommandLine: 3 } });
    expect(runCli(['observed-fields', join(dir, 'nope.evtx')]).status).toBe(2);
    const bad = join(dir, 'bad.evtx');
    writeFileSync(bad, 'not an event log');
    const both = runCli(['observed-fields', file, bad]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('bad.evtx: not an EVTX file');
    expect(both.stdout).toContain('WS1 · Security · 4688');
  });
});

describe('hostile field templates cost time linear in the file', () => {
  it('1 MiB of small records each using a template near the field limit: read in seconds, not minutes (~0.15 s warm)', () => {
    const w = new ChunkWriter();
    // 500 Data elements of 1 part each (under the 512 limit): every record is evaluated against all of them
    const tpl = eventDataTemplate(Array.from({ length: 500 }, (_, i) => `F${i}`));
    let id = 1;
    while (w.pos < 60_000)
      w.record(id++, '2024-05-01T10:00:00Z', (x) =>
        x
          .fragment()
          .instance('big', tpl, sys({ ...SEC, eventId: 4663 }))
          .eof(),
      );
    const file = evtxFile(Array.from({ length: 16 }, () => Buffer.from(w.finish())));
    const t0 = Date.now();
    const r = readEvtx(file, 'h.evtx');
    const ms = Date.now() - t0;
    const c = only(r.counts, 4663);
    expect(c.count).toBe(16 * (id - 1));
    expect(c.fieldRecords).toBe(c.count);
    expect(Object.keys(c.fields!)).toHaveLength(500);
    expect(ms).toBeLessThan(5000); // cold JIT on a busy machine; a per-record cost growing with the chunk would take minutes
  });
});
