/**
 * The EVTX reader (src/observe/evtx.ts): record counts and System fields over the shared samples, and
 * damaged or hostile files built here (test/fixtures/evtx/write-evtx.ts) that must give notes, never throw,
 * and still count the records of the good chunks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVTX_LIMITS, readEvtx, readEvtxFile, type EvtxRecord } from '../../src/observe/evtx.js';
import { binxml, ChunkWriter, crc, evtxFile, filetime, resign, str, systemTemplate, systemValues, u16 } from '../fixtures/evtx/write-evtx.js';
import { CORPUS } from '../helpers.js';

const DIR = join(CORPUS, 'evtx');
const HAVE = existsSync(DIR);
if (!HAVE) console.warn(`SKIPPED EVTX corpus tests: ${DIR} is absent (it is present in CI and in developer sessions)`);

function evtxFiles(d: string): string[] {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? evtxFiles(p) : p.endsWith('.evtx') ? [p] : [];
  });
}

/** Records a file should hold by its chunk headers alone: Σ (last − first + 1) over chunks with a valid header. */
function recordsByChunkHeaders(b: Buffer): number {
  let n = 0n;
  for (let off = 4096; off + 512 <= b.length; off += 65536) {
    if (b.toString('latin1', off, off + 8) !== 'ElfChnk\0') continue;
    if (crc(b.subarray(off, off + 120), b.subarray(off + 128, off + 512)) !== b.readUInt32LE(off + 124)) continue;
    n += b.readBigUInt64LE(off + 16) - b.readBigUInt64LE(off + 8) + 1n;
  }
  return Number(n);
}

function read(b: Buffer, name = 'x.evtx') {
  const recs: EvtxRecord[] = [];
  const t0 = Date.now();
  const r = readEvtx(b, name, (rec) => recs.push(rec));
  return { ...r, recs, ms: Date.now() - t0 };
}

describe.skipIf(!HAVE)('EVTX samples in ../shared/corpus/evtx', () => {
  const files = HAVE ? evtxFiles(DIR) : [];
  it('has samples', () => expect(files.length).toBeGreaterThanOrEqual(30));
  it.each(files.map((f) => [relative(DIR, f), f]))('%s: every record of the chunk headers, each with a channel and a numeric event ID', (_, f) => {
    const r = read(readFileSync(f), f);
    expect(r.error).toBeUndefined();
    expect(r.notes).toEqual([]);
    expect(r.records).toBe(recordsByChunkHeaders(readFileSync(f)));
    expect(r.recs.length).toBe(r.records);
    for (const rec of r.recs) {
      expect(rec.channel).toMatch(/\S/);
      expect(Number.isInteger(rec.eventId)).toBe(true);
      expect(rec.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    expect(r.counts.reduce((a, c) => a + c.count, 0)).toBe(r.records);
  });

  // Expected counts were checked by two other EVTX readers over the same files, both rendering full XML
  // from which Computer, Channel, Provider Name, EventID and SystemTime were read with regular expressions:
  // libyal's evtxexport 20181227 (Debian package libevtx-utils) and @ts-evtx/core 1.1.1 (npm, outside the
  // project). Both agreed on every (computer, channel, provider, event ID) count of all 34 samples.
  const kinds = (f: string) =>
    Object.fromEntries(readEvtxFile(join(DIR, f)).counts.map((c) => [`${c.computer}|${c.channel}|${c.provider}|${c.eventId}`, c.count]));
  it('new-user-security.evtx: 4720, 4728 and 2 × 4732 in Security', () => {
    expect(kinds('DeepBlueCLI/new-user-security.evtx')).toEqual({
      'IE8Win7|Security|Microsoft-Windows-Security-Auditing|4720': 1,
      'IE8Win7|Security|Microsoft-Windows-Security-Auditing|4728': 1,
      'IE8Win7|Security|Microsoft-Windows-Security-Auditing|4732': 2,
    });
  });
  it('disablestop-eventlog.evtx: System events of four providers, classic ones with Qualifiers', () => {
    expect(kinds('DeepBlueCLI/disablestop-eventlog.evtx')).toEqual({
      'DESKTOP-JR78RLP|System|Microsoft-Windows-DistributedCOM|10005': 3,
      'DESKTOP-JR78RLP|System|Microsoft-Windows-Eventlog|104': 1,
      'DESKTOP-JR78RLP|System|Microsoft-Windows-Kernel-General|1': 1,
      'DESKTOP-JR78RLP|System|Service Control Manager|7001': 6,
      'DESKTOP-JR78RLP|System|Service Control Manager|7040': 2,
    });
    const scm = read(readFileSync(join(DIR, 'DeepBlueCLI/disablestop-eventlog.evtx'))).recs.filter((r) => r.provider === 'Service Control Manager');
    // Qualifiers as evtxexport shows them: 7040 with 16384, 7001 with 49152
    expect(new Set(scm.map((r) => `${r.eventId}/${r.qualifiers}`))).toEqual(new Set(['7040/16384', '7001/49152']));
  });
  it('T1210_Zerologon_Sysmon.evtx: Sysmon 1, 4, 5, 16 with first and last times', () => {
    expect(kinds('YamatoSecurity/LateralMovement/T1210_Zerologon_Sysmon.evtx')).toEqual({
      'dc1.test.local|Microsoft-Windows-Sysmon/Operational|Microsoft-Windows-Sysmon|1': 10,
      'dc1.test.local|Microsoft-Windows-Sysmon/Operational|Microsoft-Windows-Sysmon|16': 1,
      'dc1.test.local|Microsoft-Windows-Sysmon/Operational|Microsoft-Windows-Sysmon|4': 1,
      'dc1.test.local|Microsoft-Windows-Sysmon/Operational|Microsoft-Windows-Sysmon|5': 10,
    });
    const one = readEvtxFile(join(DIR, 'YamatoSecurity/LateralMovement/T1210_Zerologon_Sysmon.evtx')).counts.find((c) => c.eventId === 1);
    expect([one?.first, one?.last]).toEqual(['2022-02-23T09:37:18.858Z', '2022-02-23T09:47:48.266Z']);
  });
  it('password-spray.evtx (3 chunks): 1102 log cleared, then 294 × 4648', () => {
    expect(kinds('DeepBlueCLI/password-spray.evtx')).toEqual({
      'DESKTOP-JR78RLP|Security|Microsoft-Windows-Eventlog|1102': 1,
      'DESKTOP-JR78RLP|Security|Microsoft-Windows-Security-Auditing|4648': 294,
    });
  });
});

/** Two chunks: Security logons on WS1, then a Sysmon event whose System element comes as a nested BinXml value. */
function goodChunks(): Buffer[] {
  const a = new ChunkWriter();
  const sec = { provider: 'Microsoft-Windows-Security-Auditing', channel: 'Security', computer: 'WS1' };
  a.record(10, '2024-05-01T10:00:00Z', (w) =>
    w
      .fragment()
      .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4624, time: '2024-05-01T10:00:00.123Z' }))
      .eof(),
  );
  a.record(11, '2024-05-01T10:05:00Z', (w) =>
    w
      .fragment()
      .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4625, time: '2024-05-01T10:05:00Z' }))
      .eof(),
  );
  // no TimeCreated: the record's written time stands in
  a.record(12, '2024-05-01T11:00:00Z', (w) =>
    w
      .fragment()
      .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4624 }))
      .eof(),
  );
  const b = new ChunkWriter();
  b.record(13, '2024-05-02T08:00:00Z', (w) =>
    nestedRecord(w, 0, (v) => nestedSystem(v, 'Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon', 1)),
  );
  return [a.finish(), b.finish()];
}

/** <Event>%0</Event>, %0 being BinXml: how a whole System element can arrive in a value. */
const wrapTemplate = (w: ChunkWriter) => w.open('Event').close().sub(0, 0x21).end();

/**
 * Writes a record's BinXml: an instance of the wrapping template whose value holds `levels` more instances
 * of it, the innermost value written by inner. Values are written where the record will hold them, since
 * names inside are chunk offsets. The template must not be defined yet in the chunk (it is defined inline,
 * 10 bytes after the instance token, which the inner instances point at).
 */
function nestedRecord(x: ChunkWriter, levels: number, inner: (v: ChunkWriter) => void): void {
  x.fragment();
  const def = u32le(x.pos + 10);
  const probe = x.fork();
  probe.instance('wrap', wrapTemplate, [binxml(Buffer.alloc(0))]);
  const v = probe.fork(); // names the chunk already holds are referenced by offset, as Windows does
  const start = probe.pos + 22 * levels; // per level: fragment 4, instance header 10, count 4, descriptor 4
  v.pos = start;
  inner(v);
  let value = v.buf.subarray(start, v.pos);
  for (let d = 0; d < levels; d++)
    value = Buffer.concat([
      Buffer.from([0x0f, 1, 1, 0, 0x0c, 1, 0, 0, 0, 0]),
      def,
      u32le(1),
      Buffer.from([value.length & 0xff, value.length >> 8, 0x21, 0]),
      value,
      Buffer.from([0]),
    ]);
  x.instance('wrap', wrapTemplate, [binxml(value)]).eof();
}

/**
 * A System element as a nested value: elements without the dependency id, as libyal documents for values of
 * type 0x21; names already in the chunk (the second <Data>'s at least) are referenced by offset.
 */
function nestedSystem(v: ChunkWriter, channel: string, provider: string, eventId: number): void {
  v.fragment();
  v.open('System', false, false).close();
  v.open('Provider', true, false).attr('Name').text(provider).closeEmpty();
  v.open('EventID', false, false).close().text(String(eventId)).end();
  v.open('Channel', false, false).close().text(channel).end();
  v.open('Computer', false, false).close().text('WS1').end();
  v.end();
  v.open('EventData', false, false).close();
  v.open('Data', false, false).close().text('a').end().open('Data', false, false).close().text('b').end();
  v.end().eof();
}

describe('EVTX files built here', () => {
  it('reads every field, the nested System element, and the written time when TimeCreated is missing', () => {
    const r = read(evtxFile(goodChunks()));
    expect(r.notes).toEqual([]);
    expect(r.records).toBe(4);
    expect(r.recs.map((x) => [x.recordId, x.eventId, x.time])).toEqual([
      [10, 4624, '2024-05-01T10:00:00.123Z'],
      [11, 4625, '2024-05-01T10:05:00.000Z'],
      [12, 4624, '2024-05-01T11:00:00.000Z'],
      [13, 1, '2024-05-02T08:00:00.000Z'],
    ]);
    // field evidence (evtx-fields.test.ts): the nested System's EventData holds unnamed Data elements only
    const evidence = (n: number, fields: Record<string, number>) => ({ bytes: expect.any(Number) as number, fieldRecords: n, fields });
    expect(r.counts).toEqual([
      {
        computer: 'WS1',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        provider: 'Microsoft-Windows-Sysmon',
        eventId: 1,
        count: 1,
        first: '2024-05-02T08:00:00.000Z',
        last: '2024-05-02T08:00:00.000Z',
        ...evidence(1, {}),
      },
      {
        computer: 'WS1',
        channel: 'Security',
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: 4624,
        count: 2,
        first: '2024-05-01T10:00:00.123Z',
        last: '2024-05-01T11:00:00.000Z',
        ...evidence(2, { TargetUserName: 2 }),
      },
      {
        computer: 'WS1',
        channel: 'Security',
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: 4625,
        count: 1,
        first: '2024-05-01T10:05:00.000Z',
        last: '2024-05-01T10:05:00.000Z',
        ...evidence(1, { TargetUserName: 1 }),
      },
    ]);
  });

  it('truncates a FILETIME to the millisecond, never rounding up (its 100 ns count exceeds 2^53)', () => {
    const w = new ChunkWriter();
    const ft = Buffer.alloc(8);
    ft.writeBigUInt64LE((BigInt(Date.parse('2024-05-01T10:00:00.123Z')) + 11644473600000n) * 10000n + 9999n);
    const values = systemValues({ provider: 'P', channel: 'Security', computer: 'WS1', eventId: 4624 });
    values[3] = { type: 0x11, bytes: ft };
    w.record(1, '2024-01-01T00:00:00Z', (x) => x.fragment().instance('sys', systemTemplate, values).eof());
    expect(read(evtxFile([w.finish()])).recs[0]?.time).toBe('2024-05-01T10:00:00.123Z');
  });

  it('does not count a stale record after the last one, whether the free-space offset stops before it or not', () => {
    for (const freeToEnd of [false, true]) {
      const w = new ChunkWriter();
      const v = (eventId: number) => systemValues({ provider: 'P', channel: 'Security', computer: 'WS1', eventId });
      w.record(1, '2024-01-01T00:00:00Z', (x) => x.fragment().instance('sys', systemTemplate, v(4624)).eof());
      const last = w.records[0]!.offset;
      const free = w.pos;
      w.record(2, '2024-01-01T00:00:00Z', (x) => x.fragment().instance('sys', systemTemplate, v(4625)).eof());
      const r = read(evtxFile([w.finish({ lastRecordOffset: last, freeSpace: freeToEnd ? 65536 : free })]));
      expect(r.records).toBe(1);
      expect(r.recs.map((x) => x.eventId)).toEqual([4624]);
    }
  });

  it('a truncated file: the whole first chunk, the records of the second that are whole, a note', () => {
    const full = evtxFile(goodChunks());
    const r = read(full.subarray(0, 4096 + 65536 + 520));
    expect(r.records).toBe(3);
    expect(r.notes.join('\n')).toMatch(/x\.evtx: chunk 1 cut short/);
    expect(read(full.subarray(0, 100)).error).toMatch(/not an EVTX file/);
    const header = read(full.subarray(0, 4096 + 300));
    expect([header.records, header.error, header.notes]).toEqual([0, undefined, ['x.evtx: the file ends inside a chunk header (cut short)']]);
  });

  it('a damaged chunk header is skipped with a note naming the file and chunk; the other chunk still counts', () => {
    const chunks = goodChunks();
    chunks[0]!.writeUInt32LE(999, 8); // first record number, not re-signed
    const r = read(evtxFile(chunks), 'dc1-security.evtx');
    expect(r.records).toBe(1);
    expect(r.notes).toEqual(['dc1-security.evtx: chunk 0 skipped: chunk header checksum mismatch']);
    const bad = goodChunks();
    bad[1]!.write('ElfJunk\0', 0, 'latin1');
    expect(read(evtxFile(bad)).notes).toEqual(['x.evtx: chunk 1 skipped: no chunk signature']);
  });

  it('a damaged file header: a note, the chunks read anyway', () => {
    const f = evtxFile(goodChunks());
    f.write('XXXX', 0, 'latin1');
    const r = read(f);
    expect(r.records).toBe(4);
    expect(r.notes).toEqual(['x.evtx: file header damaged (no "ElfFile" signature); chunks read anyway']);
  });

  it('zero bytes, random bytes: an error, no throw', () => {
    expect(read(Buffer.alloc(0)).error).toBe('empty file');
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const r = read(Buffer.from(Array.from({ length: 200_000 }, rnd)));
    expect(r.error).toMatch(/not an EVTX file/);
    expect(r.records).toBe(0);
  });

  it('random damage inside signed chunks never throws, stays fast, and never counts more records', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let i = 0; i < 300; i++) {
      const chunks = goodChunks();
      for (let k = 0; k < 1 + rnd(20); k++) chunks[rnd(2)]![512 + rnd(1500)] = rnd(256);
      chunks.forEach(resign);
      const r = read(evtxFile(chunks));
      expect(r.records).toBeLessThanOrEqual(4);
      expect(r.ms).toBeLessThan(1000);
    }
  });

  it('hostile offsets: a definition holding an instance of itself, deep nesting, element depth, the template budget', () => {
    const sys = systemValues({ provider: 'P', channel: 'Security', computer: 'WS1', eventId: 4624 });
    // 1. A record that is good, so the chunk is not thrown away whole.
    const w = new ChunkWriter();
    w.record(1, '2024-01-01T00:00:00Z', (x) => x.fragment().instance('sys', systemTemplate, sys).eof());
    // 2. A template instance whose definition offset points at the instance token itself.
    w.record(2, '2024-01-01T00:00:00Z', (x) =>
      x
        .fragment()
        .u8(0x0c)
        .u8(1)
        .u32(0)
        .u32(x.pos - 6)
        .u32(0)
        .eof(),
    );
    // 3. BinXml values nested 20 deep, each a fragment with another instance of the wrapping template.
    w.record(3, '2024-01-01T00:00:00Z', (x) => nestedRecord(x, 20, (v) => nestedSystem(v, 'Security', 'P', 1)));
    // 4. 100 nested elements.
    w.record(4, '2024-01-01T00:00:00Z', (x) => {
      x.fragment();
      for (let d = 0; d < 100; d++) x.open('E').close();
      for (let d = 0; d < 100; d++) x.end();
      x.eof();
    });
    // 5. Twelve records whose definitions claim 30,000 bytes each, at offsets that overlap in the unused space.
    const fake = 40000;
    for (let k = 0; k < 64; k++) w.buf.writeUInt32LE(30000, fake + 20 + 4 * k);
    for (let k = 0; k < 12; k++)
      w.record(5 + k, '2024-01-01T00:00:00Z', (x) =>
        x
          .fragment()
          .u8(0x0c)
          .u8(1)
          .u32(0)
          .u32(fake + 4 * k)
          .u32(0)
          .eof(),
      );
    const r = read(evtxFile([w.finish()]));
    expect(r.records).toBe(1);
    expect(r.ms).toBeLessThan(2000);
    expect(r.notes).toEqual([
      'x.evtx: chunk 0 holds more template definitions than a chunk can (limit): records using them skipped',
      'x.evtx: 15 records with damaged binary XML skipped',
    ]);
  });

  it('a System element three template instances deep is read; more than the nesting limit is not', () => {
    const w = new ChunkWriter();
    w.record(1, '2024-01-01T00:00:00Z', (x) => nestedRecord(x, 3, (v) => nestedSystem(v, 'Security', 'P', 4688)));
    const limit = new ChunkWriter(); // as many instances as the limit allows, then one more
    limit.record(2, '2024-01-01T00:00:00Z', (x) => nestedRecord(x, EVTX_LIMITS.maxNesting - 1, (v) => nestedSystem(v, 'Security', 'P', 4689)));
    const deep = new ChunkWriter();
    deep.record(3, '2024-01-01T00:00:00Z', (x) => nestedRecord(x, EVTX_LIMITS.maxNesting, (v) => nestedSystem(v, 'Security', 'P', 4690)));
    const r = read(evtxFile([w.finish(), limit.finish(), deep.finish()]));
    expect(r.recs.map((x) => x.eventId)).toEqual([4688, 4689]);
    expect(r.notes).toEqual(['x.evtx: 1 record with damaged binary XML skipped']);
  });

  it('hostile templates cost what real ones do: one value named 10,000 times, a field of 5,000 parts, a huge name', () => {
    const w = new ChunkWriter();
    // <Event> naming BinXml value 0 ten thousand times; the value: 7,000 character references, no System
    const manyRefs = (x: ChunkWriter) => {
      x.open('Event').close();
      for (let k = 0; k < 10_000; k++) x.sub(0, 0x21);
      x.end();
    };
    const value = Buffer.concat([Buffer.from([0x0f, 1, 1, 0]), Buffer.alloc(7000 * 3, Buffer.from([0x48, 0x41, 0])), Buffer.from([0])]);
    w.record(1, '2024-01-01T00:00:00Z', (x) =>
      x
        .fragment()
        .instance('refs', manyRefs, [binxml(value)])
        .eof(),
    );
    const manyParts = (x: ChunkWriter) => {
      x.open('Event').close().open('System').close().open('EventID').close().text('1').end().open('Channel').close();
      for (let k = 0; k < 5000; k++) x.text('S');
      x.end().end().end();
    };
    const chunk2 = new ChunkWriter();
    chunk2.record(2, '2024-01-01T00:00:00Z', (x) => x.fragment().instance('parts', manyParts, []).eof());
    chunk2.record(3, '2024-01-01T00:00:00Z', (x) => nestedRecord(x, 0, (v) => nestedSystem(v, 'C'.repeat(5000), 'P', 7)));
    const r = read(evtxFile([w.finish(), chunk2.finish()]));
    expect(r.ms).toBeLessThan(1000);
    expect(r.recs.map((x) => [x.eventId, x.channel.length])).toEqual([[7, EVTX_LIMITS.maxFieldChars]]);
    expect(r.notes).toEqual(['x.evtx: 1 record with damaged binary XML skipped', 'x.evtx: 1 record without a channel or a numeric event ID skipped']);
  });

  it('a record without a channel is skipped and counted in a note', () => {
    const w = new ChunkWriter();
    w.record(1, '2024-01-01T00:00:00Z', (x) =>
      x
        .fragment()
        .instance('sys', systemTemplate, systemValues({ provider: 'P', channel: '', computer: 'WS1', eventId: 1 }))
        .eof(),
    );
    w.record(2, '2024-01-01T00:00:00Z', (x) =>
      x
        .fragment()
        .instance('sys', systemTemplate, [str('P'), u16(0), filetime('2024-01-01T00:00:00Z'), u16(1)])
        .eof(),
    );
    const r = read(evtxFile([w.finish()]));
    expect(r.records).toBe(0);
    expect(r.notes).toEqual(['x.evtx: 2 records without a channel or a numeric event ID skipped']);
  });

  it('readEvtxFile: a missing file, a directory and a FIFO are errors, not throws', () => {
    const d = mkdtempSync(join(tmpdir(), 'lsc-evtx-'));
    expect(readEvtxFile(join(d, 'none.evtx')).error).toBe('cannot read: no such file or directory');
    expect(readEvtxFile(d).error).toMatch(/directory|not a regular file/);
    if (spawnSync('mkfifo', [join(d, 'fifo.evtx')]).status === 0) expect(readEvtxFile(join(d, 'fifo.evtx')).error).toMatch(/FIFO/);
    writeFileSync(join(d, 'ok.evtx'), evtxFile(goodChunks()));
    expect(readEvtxFile(join(d, 'ok.evtx')).records).toBe(4);
  });
});

const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
