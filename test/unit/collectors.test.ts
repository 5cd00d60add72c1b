import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { detectFormat, parseEventIdList, readCollector } from '../../src/environment/collectors.js';
import { formatRanges, forwardState, type ForwardedSet } from '../../src/environment/forwarded.js';
import { evaluateXPath, QueryError, readQueryList } from '../../src/environment/querylist.js';
import { generateCollectorConfig, roundTrip, type Needs } from '../../src/generate/collector-config.js';

const catalog = loadCatalog();
const F = (name: string) => fileURLToPath(new URL(`../fixtures/collectors/${name}`, import.meta.url));
const read = (name: string) => {
  const text = readFileSync(F(name), 'utf8');
  const set: ForwardedSet = new Map();
  const input = readCollector(F(name), text, detectFormat(name, text)!, set, catalog);
  const view = (ch: string) => {
    const f = set.get(ch.toLowerCase());
    return f ? { sure: formatRanges(f.sure), possible: formatRanges(f.possible), reasons: f.reasons } : undefined;
  };
  return { set, input, view };
};

describe('XPath subset of the Event Log API', () => {
  const ev = (x: string) => {
    const r = evaluateXPath(x);
    return [formatRanges(r.sure), formatRanges(r.possible), r.reasons];
  };
  it('evaluates EventID terms exactly', () => {
    expect(ev('*')).toEqual(['all', 'all', []]);
    expect(ev('*[System[(EventID=4624 or EventID=4625)]]')).toEqual(['4624-4625', '4624-4625', []]);
    expect(ev('*[System[EventID >= 4720 and EventID <= 4740]]')).toEqual(['4720-4740', '4720-4740', []]);
    expect(ev('*[System[EventID != 7036]]')).toEqual(['0-7035, 7037-65535', '0-7035, 7037-65535', []]);
    expect(ev('*[System[not(EventID=1)]]')).toEqual(['0, 2-65535', '0, 2-65535', []]);
  });
  it('anything else makes the result possible, with the reason', () => {
    expect(ev("*[System[Provider[@Name='X'] and (EventID=4688)]]")).toEqual(['none', '4688', ['Provider filter']]);
    expect(ev("*[EventData[Data[@Name='LogonType']='10']]")).toEqual(['none', 'all', ['EventData filter']]);
    expect(ev('*[System[(Level=1 or Level=2)]]')).toEqual(['none', 'all', ['Level filter']]);
    expect(ev('*[System[TimeCreated[timediff(@SystemTime) <= 86400000]]]')).toEqual(['none', 'all', ['TimeCreated filter']]);
    expect(ev('*[System[(EventID=4657)]] and ((*[EventData[Data[@Name="OperationType"] = "%%1904"]]) or (*[EventData[Data="x"]]))')).toEqual([
      'none',
      '4657',
      ['EventData filter'],
    ]);
  });
  it('rejects what it cannot read', () => {
    expect(() => evaluateXPath('Foo[1]')).toThrow(QueryError);
    expect(() => evaluateXPath('*[System[(EventID=1]]')).toThrow(QueryError);
  });
  it('Suppress takes out what it surely matches, within its Query', () => {
    const set: ForwardedSet = new Map();
    readQueryList(
      '<QueryList><Query Id="0" Path="Security"><Select>*[System[(EventID=4624 or EventID=4634)]]</Select><Suppress Path="Security">*[System[(EventID=4634)]]</Suppress></Query><Query Id="1" Path="System"><Select>*</Select></Query></QueryList>',
      't',
      set,
    );
    expect(formatRanges(set.get('security')!.sure)).toBe('4624');
    expect(formatRanges(set.get('system')!.sure)).toBe('all');
  });
});

describe('collector fixtures (expected sets from test/fixtures/collectors/README.md)', () => {
  it('WEF subscription: CDATA QueryList, entities, ranges, Suppress', () => {
    const { view } = read('wef-account-logons.xml');
    expect(view('Security')).toEqual({ sure: '4624-4625, 4720-4740', possible: '4624-4625, 4720-4740', reasons: [] });
    expect(view('Microsoft-Windows-Sysmon/Operational')!.sure).toBe('all');
  });
  it('WEF with comments, Provider/Level/EventData filters, two Queries and Paths on Query and Select', () => {
    const { view } = read('wef-nasty.xml');
    expect(view('Security')).toMatchObject({ sure: 'none', possible: '4624, 4688-4689' });
    expect(view('Security')!.reasons).toEqual(expect.arrayContaining(['EventData filter', 'Provider filter']));
    expect(view('System')).toMatchObject({ sure: 'none', possible: '0-7035, 7037-65535', reasons: ['Level filter'] });
    expect(view('Application')).toMatchObject({ sure: 'none', possible: '0-199' });
    expect(view('Windows PowerShell')!.sure).toBe('400, 800');
    expect(view('Microsoft-Windows-PowerShell/Operational')!.sure).toBe('4104');
  });
  it('plain QueryList (Event Viewer custom view)', () => {
    const { view } = read('querylist-custom-view.xml');
    expect([view('Security')!.sure, view('System')!.sure, view('Microsoft-Windows-TaskScheduler/Operational')!.sure]).toEqual([
      '1102',
      '104, 7045',
      '106, 140-141',
    ]);
  });
  it('NXLog: Channel, one-line Query, QueryXML; unrouted inputs forward nothing', () => {
    const { view, input } = read('nxlog.conf');
    expect(view('Security')!.sure).toBe('all');
    expect(view('System')!.sure).toBe('7040, 7045');
    expect(view('Microsoft-Windows-Sysmon/Operational')!.sure).toBe('0-2, 4-65535');
    expect(view('Microsoft-Windows-PowerShell/Operational')!.sure).toBe('4103-4104');
    expect(view('Application')).toBeUndefined();
    expect(input.notes.join()).toMatch(/input in4 is not routed to any output/);
  });
  it('NXLog input without Channel or Query reads every channel', () => {
    const { set, input } = read('nxlog-default-input.conf');
    expect(forwardState(set, 'Microsoft-Windows-TaskScheduler/Operational', [106]).state).toBe('yes');
    expect(input.notes.join()).toMatch(/every enabled Admin and Operational channel/);
  });
  it('Winlogbeat: IDs, ranges, exclusions, provider filters, .evtx files', () => {
    const { view, input } = read('winlogbeat.yml');
    expect(view('Security')!.sure).toBe('4624-4625, 4700-4734, 4736-4800');
    expect(view('Microsoft-Windows-Sysmon/Operational')!.sure).toBe('all');
    expect(view('Windows PowerShell')).toMatchObject({ sure: 'none', possible: '400, 403, 600, 800', reasons: ['provider filter'] });
    expect(view('System')!.sure).toBe('all');
    expect(input.notes.join('\n')).toMatch(/reads the file C:\\logs\\archive.evtx, not a live channel/);
    expect(parseEventIdList('4624, 4700-4800, -4735')).toEqual({
      include: [
        [4624, 4624],
        [4700, 4800],
      ],
      exclude: [[4735, 4735]],
    });
    expect(() => parseEventIdList('46x')).toThrow(/neither an ID/);
  });
  it('forward states: yes / partial with the reason / no', () => {
    const { set } = read('wef-nasty.xml');
    expect(forwardState(set, 'Security', [4688])).toMatchObject({ state: 'partial', detail: expect.stringMatching(/forwarded only in part/) });
    expect(forwardState(set, 'Security', [4625])).toMatchObject({ state: 'no', detail: 'Security 4625 not in any forwarded query' });
    expect(forwardState(set, 'Windows PowerShell', [400, 800]).state).toBe('yes');
  });
});

describe('collector-config generators re-read to what was needed', () => {
  const needs: Needs = new Map([
    [
      'security',
      {
        channel: 'Security',
        ids: [
          [4624, 4625],
          [4688, 4688],
          [4720, 4740],
        ] as [number, number][],
      },
    ],
    ['microsoft-windows-sysmon/operational', { channel: 'Microsoft-Windows-Sysmon/Operational', ids: [[0, 65535]] as [number, number][] }],
    ['system', { channel: 'System', ids: Array.from({ length: 40 }, (_, i) => [7000 + 2 * i, 7000 + 2 * i] as [number, number]) }],
  ]);
  for (const format of ['wef', 'querylist', 'nxlog', 'winlogbeat'] as const) {
    it(format, () => {
      const text = generateCollectorConfig(needs, catalog, format);
      expect(roundTrip(text, format, needs, catalog)).toEqual([]);
      expect(detectFormat(`x.${format === 'winlogbeat' ? 'yml' : format === 'nxlog' ? 'conf' : 'xml'}`, text)).toBe(format);
    });
  }
  it('keeps each Select within the documented 32 expressions, and Winlogbeat lists within 22 IDs', () => {
    const ql = generateCollectorConfig(needs, catalog, 'querylist');
    const system = ql.split('\n').filter((l) => l.includes('<Select Path="System">'));
    expect(system.length).toBe(2); // 40 single IDs → 32 + 8
    const wlb = generateCollectorConfig(needs, catalog, 'winlogbeat');
    expect(wlb.match(/name: System/g)).toHaveLength(2);
  });
});
