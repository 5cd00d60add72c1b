import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { recommend } from '../../src/assess/recommend.js';
import type { AssessRule } from '../../src/assess/counts.js';
import { parseCountsCsv } from '../../src/observe/counts-csv.js';
import { runCli } from '../helpers.js';
import { loadObservations } from '../../src/observe/load.js';
import { ChunkWriter, evtxFile, systemTemplate, systemValues } from '../fixtures/evtx/write-evtx.js';
import { MB, MeasuredIndex, measuredText, requirementEvents, stat } from '../../src/assess/measured-cost.js';
import { durationText, retention } from '../../src/assess/retention.js';
import type { ObservedCount } from '../../src/observe/model.js';

const catalog = loadCatalog();
const LOGON = '{0CCE9215-69AE-11D9-BED3-505054503030}';
const LOGON_S = `audit:${LOGON}:success`;
const LOGON_F = `audit:${LOGON}:failure`;

/** A count of one (channel, event) on one computer over [first, last]. */
function count(computer: string | undefined, channel: string, eventId: number, n: number, first: string, last: string, bytes?: number): ObservedCount {
  return { ...(computer ? { computer } : {}), channel, eventId, count: n, first, last, ...(bytes !== undefined ? { bytes } : {}) };
}

const D0 = '2026-11-01T00:00:00Z';
const D2 = '2026-11-03T00:00:00Z';

/**
 * Three hosts, 4624 (Audit Logon, Success) over exactly 2 days each, 1,200 bytes per record:
 *   WS1 12,000 / 2 = 6,000 events/day; WS2 24,000 / 2 = 12,000; WS3 36,000 / 2 = 18,000.
 *   median (middle of three) = 12,000; p90 at rank (3 − 1) × 0.9 = 1.8: 12,000 + 0.8 × (18,000 − 12,000) = 16,800.
 *   bytes/day = events/day × 1,200: 7,200,000 / 14,400,000 / 21,600,000; median 14,400,000 B = 13.73 MB (÷ 1,048,576);
 *   p90 14,400,000 + 0.8 × 7,200,000 = 20,160,000 B.
 */
const threeHosts: ObservedCount[] = [
  count('WS1', 'Security', 4624, 12_000, D0, D2, 12_000 * 1_200),
  count('WS2.contoso.local', 'Security', 4624, 24_000, D0, D2, 24_000 * 1_200),
  count('WS3', 'Security', 4624, 36_000, D0, D2, 36_000 * 1_200),
];

describe('measured cost', () => {
  it('gives median and p90 over the hosts where the events are seen (hand-computed)', () => {
    const m = new MeasuredIndex({ counts: threeHosts }, catalog).measure([LOGON_S]);
    expect(m.hosts).toBe(3);
    expect(m.eventsPerDay).toEqual({ median: 12_000, p90: 16_800 });
    expect(m.bytesPerDay?.median).toBe(14_400_000);
    expect(m.bytesPerDay?.p90).toBeCloseTo(20_160_000, 3);
    expect(m.bytesPerDay?.hosts).toBe(3);
    // 4675 is a Logon Success event too (written on domain controllers only).
    expect(m.events).toEqual([{ channel: 'Security', eventIds: [4624, 4648, 4675] }]);
    expect(measuredText(m)).toBe('measured ≈ 12,000 events/day, 13.7 MB/day per host (median of 3 hosts; p90 17,000 events/day, 19.2 MB/day)');
  });

  it('attributes events by outcome: 4625 is Logon Failure, not Success', () => {
    const counts = [...threeHosts, count('WS1', 'Security', 4625, 2_000, D0, D2)];
    const idx = new MeasuredIndex({ counts }, catalog);
    // Failure: only WS1 has 4625: 2,000 / 2 days = 1,000 a day; no size on that record: no bytes figure.
    const f = idx.measure([LOGON_F]);
    expect(f.hosts).toBe(1);
    expect(f.eventsPerDay).toEqual({ median: 1_000, p90: 1_000 });
    expect(f.bytesPerDay).toBeUndefined();
    expect(measuredText(f)).toContain('no record sizes in the evidence');
    // Success and Failure together (one fix): WS1 6,000 + 1,000 = 7,000; the union is counted once per host.
    const both = idx.measure([LOGON_S, LOGON_F]);
    expect(both.eventsPerDay?.median).toBe(12_000);
    expect(stat([7_000, 12_000, 18_000]).median).toBe(12_000);
    expect(both.events[0]?.eventIds).toEqual([4624, 4625, 4648, 4675]);
  });

  it("refuses a rate when a host's window is under an hour or has no times", () => {
    // 59 minutes of 4624: no rate. Another host without times: no rate either.
    const counts: ObservedCount[] = [
      count('WS1', 'Security', 4624, 500, '2026-11-01T08:00:00Z', '2026-11-01T08:59:00Z'),
      { computer: 'WS2', channel: 'Security', eventId: 4624, count: 900 },
    ];
    const m = new MeasuredIndex({ counts }, catalog).measure([LOGON_S]);
    expect(m.hosts).toBe(0);
    expect(m.eventsPerDay).toBeUndefined();
    expect(m.notMeasurable).toBe(2);
    expect(measuredText(m)).toBe('measured: not measurable: the records of 2 hosts span under 1 hour or have no times');
    // Exactly one hour is enough: 500 events in 1/24 day = 12,000 a day.
    const ok = new MeasuredIndex({ counts: [count('WS1', 'Security', 4624, 500, '2026-11-01T08:00:00Z', '2026-11-01T09:00:00Z')] }, catalog).measure([LOGON_S]);
    expect(ok.eventsPerDay?.median).toBeCloseTo(12_000, 6);
  });

  it("takes the window from the host's whole channel, not only the events of the setting", () => {
    // 4624 seen only in the first hour, but the Security records span 4 days: 800 / 4 = 200 a day.
    const counts = [count('DC1', 'Security', 4624, 800, D0, '2026-11-01T01:00:00Z'), count('DC1', 'Security', 4688, 10, D0, '2026-11-05T00:00:00Z')];
    expect(new MeasuredIndex({ counts }, catalog).measure([LOGON_S]).eventsPerDay?.median).toBe(200);
  });

  it('names events another setting writes too, and measures Sysmon and channel requirements', () => {
    const cmdline = requirementEvents('policy:process-creation-command-line', catalog);
    expect(cmdline.events).toEqual([{ channel: 'Security', eventIds: [4688] }]);
    expect(cmdline.shared.join()).toContain('4688 also written by Audit Process Creation');
    const counts = [
      count('WS1', 'Microsoft-Windows-Sysmon/Operational', 3, 4_000, D0, D2, 4_000 * 900),
      count('WS1', 'Microsoft-Windows-Sysmon/Operational', 1, 1_000, D0, D2, 1_000 * 2_000),
      count('WS1', 'Microsoft-Windows-TaskScheduler/Operational', 106, 48, D0, D2, 48 * 1_000),
      count('WS1', 'Microsoft-Windows-TaskScheduler/Operational', 140, 52, D0, D2, 52 * 1_000),
    ];
    const idx = new MeasuredIndex({ counts }, catalog);
    // Sysmon 3: 4,000 / 2 = 2,000 a day, 1,800,000 B/day; the channel: every event of it, 100 / 2 = 50 a day.
    expect(idx.measure(['sysmon:3']).eventsPerDay?.median).toBe(2_000);
    expect(idx.measure(['sysmon:3']).bytesPerDay?.median).toBe(1_800_000);
    expect(idx.measure(['channel:Microsoft-Windows-TaskScheduler/Operational']).eventsPerDay?.median).toBe(50);
    expect(idx.measure(['forward:Security']).note).toContain('adds no event on the host');
  });
});

describe('retention in time', () => {
  const KB_128MB = 128 * 1024;
  it('Security 128 MB at 40 MB/day holds 3.2 days; with a fix of 100 MB/day ≈ 22 hours and a warning', () => {
    // WS1's Security log: 40 MB over 1 day (4624). A pilot host PILOT logs Sysmon… no: Audit Process Creation (4688)
    // at 100 MB/day, which WS1 does not log yet. 128 / 40 = 3.2 days; 128 / (40 + 100) = 0.914 days = 21.9 hours.
    const counts = [
      count('WS1', 'Security', 4624, 40_000, D0, '2026-11-02T00:00:00Z', 40 * MB),
      count('PILOT', 'Security', 4688, 100_000, D0, '2026-11-02T00:00:00Z', 100 * MB),
    ];
    const idx = new MeasuredIndex({ counts }, catalog);
    const r = retention(
      idx,
      [{ name: 'WS1', logs: [{ log: 'Security', maxKB: KB_128MB, source: 'wevtutil-gl.txt' }] }],
      [{ requires: ['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success'] }],
    );
    expect(r).toHaveLength(1);
    const s = r[0]!;
    expect(s.now?.days).toBeCloseTo(3.2, 10);
    expect(s.after?.days).toBeCloseTo(128 / 140, 10);
    expect(s.after?.atMost).toBe(false);
    expect(s.text).toBe('Security 128 MB on WS1: ≈ 3.2 days now, ≈ 22 hours with the 1 fix');
    expect(s.warning).toContain('under a day');
  });

  it('says "at most" and how many fixes are not measured, and does not add what the host already logs', () => {
    const counts = [
      count('WS1', 'Security', 4624, 40_000, D0, '2026-11-02T00:00:00Z', 40 * MB),
      count('PILOT', 'Security', 4688, 10_000, D0, '2026-11-02T00:00:00Z', 10 * MB),
    ];
    const idx = new MeasuredIndex({ counts }, catalog);
    const fixes = [
      { requires: ['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success'] }, // Process Creation: 10 MB/day on PILOT
      { requires: [LOGON_S] }, // WS1 logs 4624 already: in "now"
      { requires: ['audit:{0CCE9227-69AE-11D9-BED3-505054503030}:success'] }, // Other Object Access: not in the evidence
    ];
    const s = retention(idx, [{ name: 'WS1', logs: [{ log: 'Security', maxKB: KB_128MB, source: 'gpresult' }] }], fixes)[0]!;
    // 128 / (40 + 10) = 2.56 days, an upper bound: the third fix's volume is unknown.
    expect(s.fixes).toBe(2);
    expect(s.unmeasured).toBe(1);
    expect(s.after).toEqual({ days: 2.56, atMost: true });
    expect(s.text).toBe('Security 128 MB on WS1: ≈ 3.2 days now, at most ≈ 2.6 days with the 2 fixes; what 1 of them adds is not measured');
    expect(s.warning).toBeUndefined();
  });

  it('with no fix measured says the figure with the fixes is not known', () => {
    const idx = new MeasuredIndex({ counts: [count('WS1', 'Security', 4624, 40_000, D0, '2026-11-02T00:00:00Z', 40 * MB)] }, catalog);
    const s = retention(
      idx,
      [{ name: 'WS1', logs: [{ log: 'Security', maxKB: 128 * 1024, source: 'gpresult' }] }],
      [{ requires: ['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success'] }],
    )[0]!;
    expect(s.after).toBeUndefined();
    expect(s.text).toBe('Security 128 MB on WS1: ≈ 3.2 days now, with the 1 fix: not known (it is not measured)');
  });

  it('without record sizes says which input would tell', () => {
    const idx = new MeasuredIndex({ counts: [{ computer: 'WS1', channel: 'Security', eventId: 4624, count: 10, first: D0, last: D2 }] }, catalog);
    const s = retention(idx, [{ name: 'ws1.contoso.local', logs: [{ log: 'Security', maxKB: 20_480, source: 'wevtutil-gl.txt' }] }], [])[0]!;
    expect(s.now).toBeUndefined();
    expect(s.text).toBe(
      'Security 20.0 MB on ws1.contoso.local: how long it holds now is not known (the evidence has no record sizes (an EVTX export of the log has them))',
    );
  });

  it('writes durations in hours under two days', () => {
    expect(durationText(0.9142857)).toBe('22 hours');
    expect(durationText(3.2)).toBe('3.2 days');
    expect(durationText(0.02)).toBe('29 minutes');
  });
});

describe('--rank value with measurements', () => {
  const PROC = 'audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success'; // Audit Process Creation: catalog high (weight 9)
  const OTHER = 'audit:{0CCE9227-69AE-11D9-BED3-505054503030}:success'; // Other Object Access Events: catalog low (weight 1)
  const rules = [
    { path: 'a.yml', title: 'A' },
    { path: 'b.yml', title: 'B' },
  ] as AssessRule[];
  // One rule needs each setting: one rule per unit of cost decides. Weights: OTHER 1/1 beats PROC 1/9.
  const items = [
    { id: 0, weight: 1, missing: [[PROC]] },
    { id: 1, weight: 1, missing: [[OTHER]] },
  ];
  const order = (measured?: MeasuredIndex) =>
    recommend(items, [{ weight: 1 }], rules, catalog, ['workstation'], { rank: 'value', ...(measured ? { measured } : {}) });

  it('orders by measured events/day when every candidate is measured (a quiet "high" before a busy "low")', () => {
    expect(order().recommendations.map((r) => r.requires[0])).toEqual([OTHER, PROC]);
    // Measured: 4688 200 over 2 days = 100 a day; 4698 10,000 over 2 days = 5,000 a day: 1/100 beats 1/5,000.
    const idx = new MeasuredIndex({ counts: [count('WS1', 'Security', 4688, 200, D0, D2), count('WS1', 'Security', 4698, 10_000, D0, D2)] }, catalog);
    const r = order(idx);
    expect(r.recommendations.map((x) => x.requires[0])).toEqual([PROC, OTHER]);
    expect(r.valueBasis?.measured).toBe(true);
    expect(r.recommendations[0]?.measured?.eventsPerDay?.median).toBe(100);
  });

  it('keeps the catalog weights for all when one candidate is not measured, and says which', () => {
    const idx = new MeasuredIndex({ counts: [count('WS1', 'Security', 4688, 200, D0, D2)] }, catalog);
    const r = order(idx);
    expect(r.recommendations.map((x) => x.requires[0])).toEqual([OTHER, PROC]);
    expect(r.valueBasis).toEqual({
      measured: false,
      note: `ranked by the catalog's volume weights, not measured events a day: 1 of 2 candidate settings have no measured rate (Audit Other Object Access Events — Success)`,
    });
  });
});

describe('measured figures in reports and fix files (CLI)', { timeout: 60_000 }, () => {
  // test/fixtures/measured/README.md gives the arithmetic of these figures.
  const args = [
    'test/fixtures/fixbudget/rules',
    '--host',
    'test/fixtures/fixbudget/hosts/DC02',
    '--observed',
    'test/fixtures/measured/splunk-security-bytes.csv',
  ];

  it('check: one line beside each fix volume, retention with its warning, the same in JSON', () => {
    const t = runCli([...args], { env: { COLUMNS: '200' } });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain('Audit Process Creation — Success (off) · volume high · ≈ 40,000 events/day, 80.0 MB/day per host, measured on 2 hosts');
    expect(t.stdout).toContain(
      'Audit Filtering Platform Connection — Success (off) · volume high · ≈ 200,000 events/day, 200 MB/day per host, measured on 1 host',
    );
    expect(t.stdout).toMatch(
      /retention: Security 128 MB on DC02: ≈ 3\.2 days now, at most ≈ 10 hours with the 4 fixes; what 1 of them adds is not measured; WARNING: 1 would hold under a\s+day with the fixes/,
    );
    const j = JSON.parse(runCli([...args, '--format', 'json']).stdout);
    const proc = j.readiness.recommendations.find((r: { requires: { name: string }[] }) => r.requires[0]!.name.startsWith('Audit Process Creation'));
    // DC03 60,000 / 2 days = 30,000 a day and 125,829,120 B / 2 = 60 MB; DC04 50,000 and 100 MB; DC05 (30 min) left out.
    expect(proc.measuredCost).toMatchObject({
      hosts: 2,
      eventsPerDay: { median: 40_000, p90: 48_000 },
      bytesPerDay: { median: 80 * MB, p90: 96 * MB, hosts: 2 },
      notMeasurable: 1,
    });
    const sec = j.readiness.retention[0];
    // 128 MB ÷ 40 MB/day = 3.2 days; ÷ (40 + 200 + 0.01953125 + 80) MB/day = 0.39997 days; Detailed File Share unmeasured.
    expect(sec).toMatchObject({ host: 'DC02', log: 'Security', maxKB: 131072, fixes: 4, unmeasured: 1, after: { atMost: true } });
    expect(sec.now.days).toBeCloseTo(3.2, 10);
    expect(sec.after.days).toBeCloseTo(128 / (40 + 200 + 20 / 1024 + 80), 10);
    expect(sec.warning).toContain('under a day');
  });

  it('markdown and HTML: the figure beside each fix, retention listed with its warning', () => {
    const md = runCli([...args, '--format', 'markdown']).stdout;
    expect(md).toContain('| 3 | Audit Process Creation — Success (off) · volume high · ≈ 40,000 events/day, 80.0 MB/day per host, measured on 2 hosts');
    expect(md).toMatch(
      /^- Security 128 MB on DC02: ≈ 3\.2 days now, at most ≈ 10 hours with the 4 fixes; what 1 of them adds is not measured — \*\*WARNING:\*\* Security 128 MB on DC02 would hold at most ≈ 10 hours/m,
    );
    const html = runCli([...args, '--format', 'html']).stdout;
    expect(html).toContain('<span class="st">volume high · ≈ 40,000 events/day, 80.0 MB/day per host, measured on 2 hosts</span>');
    expect(html).toContain('<p class="sub">Security 128 MB on DC02: ≈ 3.2 days now, at most ≈ 10 hours with the 4 fixes');
  });

  it('fix: the measured figure in the .cmd comments (ASCII, escaped) and retention on the console', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lsc-measured-')), 'out');
    const report = join(dir, '..', 'fix.json');
    const r = runCli(['fix', ...args, '--out', dir, '--report', report]);
    expect(r.status, r.stderr).toBe(0);
    // --report: the ranked fixes carry their figures and the retention, as check's JSON does.
    const j = JSON.parse(readFileSync(report, 'utf8'));
    expect(j.readiness.recommendations.find((x: { measuredCost?: { hosts: number } }) => x.measuredCost?.hosts === 2).measuredCost.eventsPerDay).toEqual({
      median: 40_000,
      p90: 48_000,
    });
    // fix ranks under its default budget (medium): the two fixes it writes, 128 ÷ 120.02 MB/day ≈ 26 hours.
    expect(j.readiness.retention[0].text).toBe('Security 128 MB on DC02: ≈ 3.2 days now, ≈ 26 hours with the 2 fixes');
    const cmd = readFileSync(join(dir, 'enable-audit.cmd'), 'latin1');
    // p90 of 30,000 and 50,000: 30,000 + 0.9 × 20,000 = 48,000; of 60 and 100 MB: 96 MB.
    expect(cmd).toContain(
      'rem   measured ~ 40,000 events/day, 80.0 MB/day per host ^(median of 2 hosts; p90 48,000 events/day, 96.0 MB/day; 1 more with under 1 hour of records left out^)\r\nauditpol /set /subcategory:{0CCE922B-69AE-11D9-BED3-505054503030}',
    );
    expect(cmd).not.toMatch(/[^\x00-\x7f]/);
    // The budget keeps Process Creation and Other Object Access: 128 ÷ (40 + 80 + 20 / 1024) = 1.066 days = 25.6 hours.
    expect(r.stdout).toMatch(/^Security log on DC02: maximum 131072 KB .*; measured: ≈ 3\.2 days now, ≈ 26 hours with the 2 settings$/m);
    expect(readFileSync(join(dir, 'README.txt'), 'utf8')).toContain('measured: ≈ 3.2 days now, ≈ 26 hours with the 2 settings');
  });

  it('reads a byte column of a counts CSV, and leaves a bad one out without dropping the row', () => {
    const c = parseCountsCsv('host,source,EventCode,count,bytes\nWS1,WinEventLog:Security,4624,10,12000\nWS1,WinEventLog:Security,4625,3,n/a\n');
    expect(c.counts.map((x) => x.bytes)).toEqual([12_000, undefined]);
    expect(c.counts[1]?.count).toBe(3);
    // Log Analytics: summarize count(), sum(_BilledSize) … gives count_ and sum__BilledSize (a real).
    const la = parseCountsCsv('Computer,Channel,EventID,count_,sum__BilledSize\nWS1,Security,4624,10,12345.5\n');
    expect(la.counts[0]?.bytes).toBe(12_346);
  });
});

describe('measured cost from an EVTX export', () => {
  it('rates the records of each computer over the span of its channel', () => {
    // DC03: 4688 at 08:00, 09:00, 10:00 and a 4624 at 14:00: the Security records span 6 hours = 1/4 day,
    // so 3 × 4 = 12 events of 4688 a day. DC04: one 4688 alone, a window of 0: not measurable.
    const w = new ChunkWriter();
    const rec = (n: number, computer: string, eventId: number, time: string) =>
      w.record(n, time, (x) =>
        x
          .fragment()
          .instance('sys', systemTemplate, systemValues({ provider: 'Microsoft-Windows-Security-Auditing', channel: 'Security', computer, eventId, time }))
          .eof(),
      );
    rec(1, 'DC03.corp.contoso.com', 4688, '2026-11-30T08:00:00Z');
    rec(2, 'DC03.corp.contoso.com', 4688, '2026-11-30T09:00:00Z');
    rec(3, 'DC03.corp.contoso.com', 4688, '2026-11-30T10:00:00Z');
    rec(4, 'DC03.corp.contoso.com', 4624, '2026-11-30T14:00:00Z');
    rec(5, 'DC04.corp.contoso.com', 4688, '2026-11-30T11:00:00Z');
    const file = join(mkdtempSync(join(tmpdir(), 'lsc-measured-evtx-')), 'Security.evtx');
    writeFileSync(file, evtxFile([w.finish()]));
    const obs = loadObservations([file]);
    expect(obs.errors).toEqual([]);
    const m = new MeasuredIndex(obs, catalog).measure(['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success']);
    expect(m.hosts).toBe(1);
    expect(m.eventsPerDay?.median).toBeCloseTo(12, 10);
    expect(m.notMeasurable).toBe(1);
  });
});
