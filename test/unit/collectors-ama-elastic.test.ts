import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import { loadCatalog } from '../../src/catalog/load.js';
import { droppedBy, evaluateCondition } from '../../src/environment/beats-processors.js';
import { detectFormat, readCollector, type CollectorFormat } from '../../src/environment/collectors.js';
import { countExpressions, readDcr } from '../../src/environment/dcr.js';
import { formatRanges, forwardState, type ForwardedSet, type Ranges } from '../../src/environment/forwarded.js';
import { addSentinelSet, sentinelSets } from '../../src/environment/sentinel-sets.js';
import { generateCollectorConfig, roundTrip, roundTripMerged, type Needs } from '../../src/generate/collector-config.js';
import { MergeError, mergeDcr } from '../../src/generate/dcr.js';
import { mergeElasticAgent } from '../../src/generate/elastic-agent.js';
import { runCli } from '../helpers.js';

const catalog = loadCatalog();
const FX = 'test/fixtures/collectors';
const text = (name: string) => readFileSync(`${FX}/${name}`, 'utf8');
const read = (name: string) => {
  const t = text(name);
  const set: ForwardedSet = new Map();
  const format = detectFormat(name, t);
  const input = readCollector(name, t, format!, set, catalog);
  const view = (ch: string) => {
    const f = set.get(ch.toLowerCase());
    return f ? `${formatRanges(f.sure)} | ${formatRanges(f.possible)}` : undefined;
  };
  return { set, format, notes: input.notes, view };
};
const ranges = (ids: number[]): Ranges => ids.map((i) => [i, i] as [number, number]);
const needs = (entries: [string, Ranges][]): Needs => new Map(entries.map(([channel, ids]) => [channel.toLowerCase(), { channel, ids }]));

describe('Azure Monitor data collection rules (fixtures: test/fixtures/collectors/ama/README.md)', () => {
  it('ARM template as Sentinel creates it: the Minimal set, AppLocker channels, an ARM expression noted', () => {
    const { format, view, notes } = read('ama/sentinel-minimal-arm.json');
    expect(format).toBe('dcr');
    expect(view('Security')).toMatch(/^1102, 4624-4625, 4657, 4663, 4688, .*5033, 8222 \|/);
    expect(view('Microsoft-Windows-AppLocker/EXE and DLL')).toBe('8001-8004 | 8001-8004');
    expect(view('Microsoft-Windows-AppLocker/MSI and Script')).toBe('8005-8007 | 8005-8007');
    expect(notes.join('\n')).toMatch(/\[parameters\('extraQueries'\)\] is an ARM template expression; not evaluated/);
  });

  it('REST form: an exclusion in the XPath (DCR strings have no Suppress) decides per rule', () => {
    const { set, view, notes } = read('ama/rest-exclusions.json');
    // band(Keywords) and EventID != 4624: every other ID possible, 4624 never; 4688 selected outright.
    expect(view('Security')).toBe('4688 | 0-4623, 4625-65535');
    expect(forwardState(set, 'Security', [4624]).state).toBe('no');
    expect(forwardState(set, 'Security', [4688]).state).toBe('yes');
    expect(forwardState(set, 'Security', [4625])).toMatchObject({ state: 'partial', detail: expect.stringMatching(/band\(\) filter/) });
    expect(view('System')).toBe('7045 | 0-5, 7-65535');
    expect(view('Microsoft-Windows-Sysmon/Operational')).toBe('1, 3, 11-13 | 1, 3, 11-13');
    expect(view('Microsoft-Windows-PowerShell/Operational')).toBe('all | all'); // "Channel!" with an empty XPath
    // A QueryList with <Suppress> is not a DCR string; a data source whose stream no dataFlow sends ships nothing.
    expect(view('Application')).toBeUndefined();
    expect(notes.join('\n')).toMatch(/<QueryList>.*is not Channel!XPath/);
    expect(notes.join('\n')).toMatch(/notInAnyFlow\): its streams \(Microsoft-WindowsEvent\) are in no dataFlow/);
  });

  it('az show (properties lifted to the top): a transformKql on the flow makes everything possible', () => {
    const { set, view } = read('ama/az-show-transform.json');
    expect(view('Security')).toBe('none | 4624, 4688');
    expect(forwardState(set, 'Security', [4688])).toMatchObject({ state: 'partial', detail: expect.stringMatching(/transformKql/) });
  });

  it('bad input is one error, never a crash; a file without a rule says so', () => {
    const set: ForwardedSet = new Map();
    expect(() => readDcr('{"properties": ', 'x', set, [])).toThrow(/JSON error/);
    expect(() => readDcr('{"resources": []}', 'x', set, [])).toThrow(/no data collection rule/);
    const notes: string[] = [];
    readDcr(
      JSON.stringify({ dataSources: { windowsEventLogs: [null, 7, { streams: 'x', xPathQueries: [1, 'Security!*[System[(EventID=]]'] }] }, dataFlows: 'no' }),
      'x',
      set,
      notes,
    );
    expect(set.size).toBe(0);
    expect(notes[0]).toMatch(/are in no dataFlow/);
  });

  it('counts expressions the way the documented limit does', () => {
    expect(countExpressions("*[System[(EventID=1 or (EventID >= 11 and EventID <= 13))]] and *[EventData[Data[@Name='a']='b=c']]")).toBe(5); // = inside quotes is text
  });
});

describe('Elastic Agent policies (fixtures: test/fixtures/collectors/elastic-agent/README.md)', () => {
  it('Fleet policy: a drop_event processor on winlog.event_id "4688" removes 4688', () => {
    const { set, format, view, notes } = read('elastic-agent/fleet-policy.yml');
    expect(format).toBe('elastic-agent');
    expect(view('Security')).toBe('4624-4625, 4700-4734, 4736-4800 | 4624-4625, 4700-4734, 4736-4800');
    expect(forwardState(set, 'Security', [4688]).state).toBe('no');
    expect(forwardState(set, 'Security', [4624, 4625]).state).toBe('yes');
    // or: event.code "3" (dotted-key form) and a range 22–22.
    expect(view('Microsoft-Windows-Sysmon/Operational')).toBe('0-2, 4-21, 23-65535 | 0-2, 4-21, 23-65535');
    expect(view('Microsoft-Windows-PowerShell/Operational')).toBe('4103-4106 | 4103-4106');
    expect(view('System')).toBe('all | all');
    // A condition other than the Windows platform check is not evaluated.
    expect(forwardState(set, 'ForwardedEvents', [4624])).toMatchObject({ state: 'partial', detail: expect.stringMatching(/host\.name/) });
    expect(notes.join('\n')).toMatch(/ignore_older 72h/);
    expect(view('Syslog')).toBeUndefined(); // the logfile input is not a Windows event log
  });

  it('inspect JSON: script processors, an unquoted ID, a disabled stream, xml_query with a drop', () => {
    const { set, view, notes } = read('elastic-agent/inspect.json');
    expect(forwardState(set, 'Security', [4624])).toMatchObject({ state: 'partial', detail: expect.stringMatching(/script may drop events/) });
    // not(equals 7045 unquoted): current Winlogbeat writes the ID as a string, so this may drop everything.
    expect(view('System')).toBe('none | 7045');
    expect(forwardState(set, 'System', [7040]).state).toBe('no');
    expect(view('Application')).toBeUndefined();
    expect(notes.join('\n')).toMatch(/streams\[1\] is disabled/);
    expect(view('Microsoft-Windows-TaskScheduler/Operational')).toBe('106, 140 | 106, 140');
  });

  it('winlogbeat.yml processors are evaluated too (they were ignored: a false ready)', () => {
    const yml = 'winlogbeat.event_logs:\n  - name: Security\n    event_id: 4624, 4625\nprocessors:\n  - drop_event.when.equals.winlog.event_id: "4625"\n';
    const set: ForwardedSet = new Map();
    readCollector('w.yml', yml, 'winlogbeat', set, catalog);
    expect(formatRanges(set.get('security')!.sure)).toBe('4624');
    expect(forwardState(set, 'Security', [4625]).state).toBe('no');
  });
});

describe('per rule, from the CLI (host: the example gpresult, which audits 4624, 4625 and 4688)', () => {
  const HOST = 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml';
  const rules = (collector: string) => {
    const r = runCli(['examples/rules', '--gpresult', HOST, '--collector', collector, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    return (t: string) => j.rules.find((x: { title: string }) => x.title.startsWith(t));
  };
  it('Elastic Agent: the drop_event on 4688 closes the Security way of the certutil rule, and says so', () => {
    const rule = rules(`${FX}/elastic-agent/fleet-policy.yml`);
    expect(rule('Certutil')).toMatchObject({ forwarding: [expect.stringMatching(/Security 4688 dropped by .*streams\[0\] processors \(drop_event\)/)] });
    expect(rule('Certutil').verdict).not.toBe('ready');
    expect(rule('Failed And Successful').verdict).toBe('ready'); // 4624, 4625 selected and kept
    expect(rule('DNS Query')).toMatchObject({ verdict: 'blocked', forwarding: [expect.stringMatching(/Sysmon\/Operational 22 dropped by/)] });
  });
  it('DCR: EventID != 4624 starves the logon rule; 4688 selected outright keeps certutil open', () => {
    const rule = rules(`${FX}/ama/rest-exclusions.json`);
    expect(rule('Failed And Successful')).toMatchObject({
      forwarding: [expect.stringMatching(/Security 4624 not in any forwarded query; Security 4625 forwarded only in part \(band\(\) filter\)/)],
    });
    expect(rule('Failed And Successful').verdict).not.toBe('ready');
    expect(rule('Certutil').forwarding ?? []).toEqual([]);
  });
});

describe('a folder of collector configs', () => {
  it('reads DCRs and agent policies in it; other JSON is skipped with a note, not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-coldir-'));
    writeFileSync(join(dir, 'dcr.json'), text('ama/sentinel-minimal-arm.json'));
    writeFileSync(join(dir, 'package.json'), '{"name": "x"}');
    const r = runCli(['examples/rules', '--collector', dir, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.readiness.channels.find((c: { channel: string }) => c.channel === 'Security').missing).toEqual([4769]);
    expect(JSON.stringify(j)).toMatch(/package.json: JSON that is neither an Azure Monitor DCR nor an Elastic Agent policy; skipped/);
    // Named directly, an unknown JSON is an error as any unknown file.
    expect(runCli(['examples/rules', '--collector', join(dir, 'package.json')]).status).toBe(2);
  });
});

describe('processor conditions over event IDs', () => {
  const ev = (c: unknown) => {
    const r = evaluateCondition(c);
    return `${formatRanges(r.sure)} | ${formatRanges(r.possible)}`;
  };
  it('equals, range, or, and, not, has_fields: exact on the event ID fields', () => {
    expect(ev({ equals: { 'winlog.event_id': '4688' } })).toBe('4688 | 4688');
    expect(ev({ equals: { winlog: { event_id: '4688' } } })).toBe('4688 | 4688');
    expect(ev({ 'equals.event.code': '1' })).toBe('1 | 1');
    expect(ev({ range: { 'winlog.event_id': { gte: 4700, lt: 4800 } } })).toBe('4700-4799 | 4700-4799');
    expect(ev({ or: [{ equals: { 'winlog.event_id': '1' } }, { equals: { 'winlog.event_id': '3' } }] })).toBe('1, 3 | 1, 3');
    expect(ev({ not: { equals: { 'winlog.event_id': '1' } } })).toBe('0, 2-65535 | 0, 2-65535');
    expect(ev({ and: [{ range: { 'winlog.event_id': { gte: 1, lte: 10 } } }, { not: { equals: { 'winlog.event_id': '5' } } }] })).toBe('1-4, 6-10 | 1-4, 6-10');
    expect(ev({ has_fields: ['winlog.event_id'] })).toBe('all | all');
  });
  it('anything else may match: possible, with the reason', () => {
    expect(ev({ equals: { 'winlog.event_id': 4688 } })).toBe('none | 4688');
    expect(ev({ contains: { 'winlog.event_data.CommandLine': 'x' } })).toBe('none | all');
    expect(ev({ and: [{ equals: { 'winlog.event_id': '4688' } }, { regexp: { message: 'x' } }] })).toBe('none | 4688');
    expect(ev({ equals: { 'winlog.event_id': '4688' }, regexp: { message: 'x' } })).toBe('none | all');
    let deep: unknown = { equals: { 'winlog.event_id': '1' } };
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    expect(evaluateCondition(deep).reasons[0]).toMatch(/nested deeper/);
  });
  it('drop_event without when drops all; field-only processors drop nothing; unknown ones may', () => {
    expect(formatRanges(droppedBy([{ drop_event: null }], 'p').sure)).toBe('all');
    expect(droppedBy([{ add_fields: { fields: { a: 1 } } }, { drop_fields: { fields: ['x'] } }], 'p').possible).toEqual([]);
    expect(droppedBy([{ rate_limit: { limit: '10000/m' } }], 'p').reasons).toEqual(['p: rate_limit may drop events']);
  });
});

describe('Sentinel Windows Security Events sets (data/sentinel-event-sets.yaml)', () => {
  it('the published lists: Minimal within Common, All is everything', () => {
    const sets = sentinelSets();
    const sec = (s: string) => sets.get(s)!.channels.get('Security')!;
    expect(formatRanges(sec('sentinel-all'))).toBe('all');
    const count = (r: Ranges) => r.reduce((n, [a, b]) => n + b - a + 1, 0);
    expect(count(sec('sentinel-minimal'))).toBe(39);
    expect(count(sec('sentinel-common'))).toBe(143);
    for (const [a, b] of sec('sentinel-minimal')) for (let i = a; i <= b; i++) expect(sec('sentinel-common').some(([x, y]) => i >= x && i <= y)).toBe(true);
    const set: ForwardedSet = new Map();
    addSentinelSet(set, 'sentinel-minimal');
    expect(forwardState(set, 'Security', [4634]).state).toBe('no'); // logoff: Common only
    const common: ForwardedSet = new Map();
    addSentinelSet(common, 'sentinel-common');
    expect(forwardState(common, 'Security', [4634, 4624]).state).toBe('yes');
    expect(forwardState(common, 'Security', [4769]).state).toBe('no'); // Kerberos service tickets: in no set but All
  });

  it('a malformed set in the data file is an error naming the file and the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-sets-'));
    writeFileSync(join(dir, 'sentinel-event-sets.yaml'), 'sets:\n  minimal:\n    channels:\n      Security: [4624, "x"]\n');
    expect(() => sentinelSets(dir)).toThrow(/sentinel-event-sets.yaml: sets.minimal.channels.Security is neither "all" nor a list of event IDs/);
  });

  it('--collector sentinel-minimal vs sentinel-common from the CLI', () => {
    const run = (set: string) => JSON.parse(runCli(['examples/rules', '--collector', set, '--format', 'json']).stdout);
    const missing = (j: { readiness: { channels: { channel: string; missing?: number[] }[] } }, ch: string) =>
      j.readiness.channels.find((c) => c.channel === ch)?.missing ?? [];
    const minimal = run('sentinel-minimal');
    const common = run('sentinel-common');
    expect(missing(minimal, 'Security')).toEqual([4769]);
    expect(missing(common, 'Security')).toEqual([4769]);
    expect(missing(minimal, 'System')).toEqual([7045]); // the sets read Security and AppLocker only
    const all = run('sentinel-all');
    expect(missing(all, 'Security')).toEqual([]);
  });
});

describe('generators: dcr and elastic-agent, re-read', () => {
  const scattered = ranges(Array.from({ length: 50 }, (_, i) => 4600 + i * 3));
  const hostile = 'Evil\u202Egnp.exe/Operational';
  const n = needs([
    ['Security', scattered],
    ['System', [[0, 65535]]],
    [
      'Microsoft-Windows-Sysmon/Operational',
      [
        [1, 1],
        [3, 3],
        [10, 13],
      ],
    ],
    [hostile, [[1, 1]]],
  ]);
  for (const format of ['dcr', 'elastic-agent'] as CollectorFormat[]) {
    it(`${format}: forwards exactly what is needed, within the documented limits`, () => {
      const out = generateCollectorConfig(n, catalog, format);
      expect(roundTrip(out, format, n, catalog)).toEqual([]);
      expect(out).not.toContain('\u202E');
      expect(detectFormat(`x.${format === 'dcr' ? 'json' : 'yml'}`, out)).toBe(format);
    });
  }
  it('dcr: every XPath within 20 expressions; Security in SecurityEvent, the rest in Event', () => {
    const doc = JSON.parse(generateCollectorConfig(n, catalog, 'dcr'));
    const sources = doc.resources[0].properties.dataSources.windowsEventLogs as { streams: string[]; xPathQueries: string[] }[];
    for (const s of sources) for (const q of s.xPathQueries) expect(countExpressions(q.slice(q.indexOf('!') + 1))).toBeLessThanOrEqual(20);
    expect(sources.find((s) => s.streams[0] === 'Microsoft-SecurityEvent')!.xPathQueries.every((q) => q.startsWith('Security!'))).toBe(true);
    expect(sources.find((s) => s.streams[0] === 'Microsoft-Event')!.xPathQueries).toContain('System!*');
    expect(doc.resources[0].properties.dataFlows[0].streams).toEqual(['Microsoft-Event', 'Microsoft-SecurityEvent']);
  });
  it('elastic-agent: at most 22 event IDs or ranges per stream', () => {
    const out = generateCollectorConfig(n, catalog, 'elastic-agent');
    const ids = [...out.matchAll(/event_id: "?([^"\n]+)"?/g)].map((m) => (m[1] as string).split(',').length);
    expect(ids.length).toBeGreaterThan(2);
    expect(Math.max(...ids)).toBeLessThanOrEqual(22);
  });
});

describe('--base merging never removes', () => {
  const want = needs([
    ['Security', ranges([4624, 4625, 4688, 4769])],
    ['Microsoft-Windows-Sysmon/Operational', ranges([1, 3, 22])],
    ['System', ranges([7045])],
  ]);
  it('dcr: adds only what the base does not surely forward; the base data sources stay as they were', () => {
    const base = text('ama/rest-exclusions.json');
    const m = mergeDcr(base, want, catalog);
    expect(roundTripMerged(m.text, 'dcr', want, base, catalog)).toEqual([]);
    expect([...m.added.values()].map((x) => `${x.channel} ${formatRanges(x.ids)}`).sort()).toEqual([
      'Microsoft-Windows-Sysmon/Operational 22',
      'Security 4624-4625, 4769',
    ]);
    // 4625 and 4769 may already pass the base's band(Keywords) query (4624 it excludes): said, so nobody deploys duplicates blind.
    expect([...m.overlap.values()].map((x) => `${x.channel} ${formatRanges(x.ids)}`)).toEqual(['Security 4625, 4769']);
    const before = JSON.parse(base).properties;
    const after = JSON.parse(m.text).properties;
    expect(after.dataSources.windowsEventLogs.slice(0, 3)).toEqual(before.dataSources.windowsEventLogs);
    expect(after.dataFlows).toEqual(before.dataFlows);
    expect(m.text).toMatch(/^\{\n {2}"id"/); // the base's indentation
  });
  it('dcr: a stream no flow sends gets a flow to the base workspace; without one, a clear error', () => {
    const base = JSON.stringify({
      properties: { dataSources: { windowsEventLogs: [] }, destinations: { logAnalytics: [{ name: 'ws', workspaceResourceId: '/x' }] }, dataFlows: [] },
    });
    const m = mergeDcr(base, want, catalog);
    expect(JSON.parse(m.text).properties.dataFlows).toEqual([
      { streams: ['Microsoft-Event'], destinations: ['ws'] },
      { streams: ['Microsoft-SecurityEvent'], destinations: ['ws'] },
    ]);
    expect(roundTripMerged(m.text, 'dcr', want, base, catalog)).toEqual([]);
    expect(() => mergeDcr(JSON.stringify({ dataSources: { windowsEventLogs: [] } }), want, catalog)).toThrow(MergeError);
  });
  it('elastic-agent: a new input beside the base ones, comments kept; nothing to add gives the base back', () => {
    const base = text('elastic-agent/fleet-policy.yml').replace('inputs:\n', '# our inputs\ninputs:\n');
    const m = mergeElasticAgent(base, want, catalog);
    expect(roundTripMerged(m.text, 'elastic-agent', want, base, catalog)).toEqual([]);
    expect(m.text).toContain('# our inputs');
    const parse = (t: string) => yamlParse(t) as { inputs: unknown[]; signed: unknown };
    expect(parse(m.text).inputs.slice(0, 3)).toEqual(parse(base).inputs);
    expect(parse(m.text).signed).toEqual(parse(base).signed);
    expect([...m.added.values()].map((x) => `${x.channel} ${formatRanges(x.ids)}`).sort()).toEqual([
      'Microsoft-Windows-Sysmon/Operational 3, 22',
      'Security 4688',
    ]);
    const again = mergeElasticAgent(m.text, want, catalog);
    expect(again.text).toBe(m.text);
    expect(again.added.size).toBe(0);
  });
  it('CLI: --base with another format is a usage error; a merged DCR is written and explained', () => {
    expect(runCli(['collector-config', 'examples/rules', '--format', 'wef', '--base', `${FX}/ama/rest-exclusions.json`]).status).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'lsc-dcr-'));
    const out = join(dir, 'merged.json');
    const r = runCli(['collector-config', 'examples/rules', '--format', 'dcr', '--base', `${FX}/ama/rest-exclusions.json`, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/re-read: forwards every needed event and all the base did/);
    const set: ForwardedSet = new Map();
    readDcr(readFileSync(out, 'utf8'), 'm', set, []);
    expect(forwardState(set, 'Security', [4769]).state).toBe('yes');
    writeFileSync(join(dir, 'not.json'), '{"inputs": 1}');
    expect(runCli(['collector-config', 'examples/rules', '--format', 'dcr', '--base', join(dir, 'not.json')]).stderr).toMatch(
      /--base .*not.json: no data collection rule/,
    );
  });
});

describe('property: any JSON in a DCR or an agent policy is a result or one Error', () => {
  const anyError = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      // A crash (TypeError, RangeError: stack) is not a clear line about the file.
      expect(e).not.toBeInstanceOf(TypeError);
      expect(e).not.toBeInstanceOf(RangeError);
      expect((e as Error).message.length).toBeGreaterThan(0);
    }
  };
  it('data sources, flows, streams and processors of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 6 }), (a, b) => {
        const dcr = JSON.stringify({
          properties: { dataSources: { windowsEventLogs: [a, { streams: ['s'], xPathQueries: [b, 'Security!*'] }] }, dataFlows: [b, { streams: ['s'] }] },
        });
        const agent = JSON.stringify({
          inputs: [{ type: 'winlog', processors: a, streams: [b, { name: 'Security', processors: [a, { drop_event: { when: b } }] }] }],
        });
        anyError(() => readCollector('f', dcr, 'dcr', new Map(), catalog));
        anyError(() => readCollector('f', agent, 'elastic-agent', new Map(), catalog));
        anyError(() => evaluateCondition(a));
      }),
      { numRuns: 200 },
    );
  });
});
