import { describe, expect, it } from 'vitest';
import { matchTerms, simulate, evaluate } from '../../src/assess/sysmon-sim.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { eventState, parseSysmonConfig, SysmonConfigError } from '../../src/environment/sysmon.js';
import { generateSysmonConfig } from '../../src/generate/sysmon-config.js';
import { verifyGenerated } from '../../src/generate/sysmon-cli.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { parseRuleFile } from '../../src/rules/parse.js';

const catalog = loadCatalog();
const cfg = (body: string, schema = '4.90') =>
  parseSysmonConfig('t.xml', `<Sysmon schemaversion="${schema}"><EventFiltering>${body}</EventFiltering></Sysmon>`, catalog);
const rule = (category: string, detection: string): SigmaRule =>
  parseRuleFile('r.yml', `title: r\ntags: [attack.t1059.001]\nlogsource: {product: windows, category: ${category}}\ndetection:\n${detection}\n`)
    .rules[0] as SigmaRule;
const sim = (r: SigmaRule, c: ReturnType<typeof cfg>, element: string) => simulate(matchTerms(r).terms, c.elements.get(element), element);

describe('Sysmon config parsing and states', () => {
  it('states: include → filtered, exclude → on, empty include → off, absent → default, schema too old → unsupported', () => {
    const c = cfg(
      `
      <RuleGroup name="g" groupRelation="or">
        <ProcessCreate onmatch="include"><Image condition="end with">\\powershell.exe</Image></ProcessCreate>
      </RuleGroup>
      <NetworkConnect onmatch="exclude"><Image condition="is">C:\\x.exe</Image></NetworkConnect>
      <!-- a comment -->
      <DnsQuery onmatch="include"/>`,
      '4.50',
    );
    expect(eventState(c, 1, catalog)).toBe('filtered');
    expect(eventState(c, 3, catalog)).toBe('on');
    expect(eventState(c, 22, catalog)).toBe('off');
    expect(eventState(c, 5, catalog)).toBe('on'); // ProcessTerminate is logged by default
    expect(eventState(c, 7, catalog)).toBe('off'); // ImageLoad is not
    expect(eventState(c, 26, catalog)).toBe('unsupported'); // FileDeleteDetected needs 4.60
  });

  it('RuleGroup "and" and compound Rule blocks make one filter of several conditions', () => {
    const c = cfg(`
      <RuleGroup groupRelation="and"><ProcessCreate onmatch="include">
        <Image condition="end with">\\rundll32.exe</Image><CommandLine condition="contains">javascript:</CommandLine>
      </ProcessCreate></RuleGroup>
      <RuleGroup groupRelation="or"><NetworkConnect onmatch="include">
        <Rule name="rdp from office" groupRelation="and"><Image condition="end with">\\winword.exe</Image><DestinationPort condition="is">3389</DestinationPort></Rule>
        <DestinationPort condition="is">22</DestinationPort>
      </NetworkConnect></RuleGroup>`);
    expect(c.elements.get('ProcessCreate')!.include).toHaveLength(1);
    expect(c.elements.get('ProcessCreate')!.include[0]!.conditions).toHaveLength(2);
    expect(c.elements.get('NetworkConnect')!.include.map((f) => f.conditions.length)).toEqual([2, 1]);
    expect(c.elements.get('NetworkConnect')!.include[0]!.name).toBe('rdp from office');
  });

  it('without a RuleGroup: different fields AND (same field OR) from schema 4.2 on, OR up to 4.1; two exclude sets log nothing', () => {
    const body = `<NetworkConnect onmatch="include"><Image condition="end with">a.exe</Image><Image condition="end with">b.exe</Image><DestinationPort condition="is">443</DestinationPort></NetworkConnect>`;
    const and = cfg(body, '4.50').elements.get('NetworkConnect')!.include;
    expect(and.map((f) => f.conditions.map((c) => c.value))).toEqual([
      ['a.exe', '443'],
      ['b.exe', '443'],
    ]);
    expect(cfg(body, '4.10').elements.get('NetworkConnect')!.include).toHaveLength(3);
    const two = cfg(
      `<RuleGroup groupRelation="or"><DnsQuery onmatch="exclude"><QueryName condition="end with">.a</QueryName></DnsQuery></RuleGroup><RuleGroup groupRelation="or"><DnsQuery onmatch="exclude"><QueryName condition="end with">.b</QueryName></DnsQuery></RuleGroup>`,
    );
    expect(eventState(two, 22, catalog)).toBe('off');
  });

  it('rejects what Sysmon would reject, with the line', () => {
    expect(() => cfg('<ProcessCreat onmatch="include"/>')).toThrow(/unknown element <ProcessCreat> at line 1/);
    expect(() => cfg('<ProcessCreate onmatch="include">\n<Image condition="sounds like">x</Image></ProcessCreate>')).toThrow(
      /unknown condition "sounds like" on Image at line 2/,
    );
    expect(() => parseSysmonConfig('t', '<Sysmon schemaversion="banana"/>', catalog)).toThrow(SysmonConfigError);
    expect(() => parseSysmonConfig('t', '<Sysmon schemaversion="4.50"><EventFiltering>', catalog)).toThrow(/XML error/);
    expect(() => cfg('<ProcessCreate><Image>x</Image></ProcessCreate>')).toThrow(/onmatch/);
  });

  it('evaluates every operator case-insensitively', () => {
    const c = (operator: string, value: string) => ({ field: 'Image', operator: operator as never, value });
    expect(evaluate(c('is', 'C:\\A.exe'), 'c:\\a.exe')).toBe(true);
    expect(evaluate(c('is not', 'a'), 'b')).toBe(true);
    expect(evaluate(c('is any', 'a;b'), 'b')).toBe(true);
    expect(evaluate(c('contains any', 'x;y'), 'aya')).toBe(true);
    expect(evaluate(c('contains all', 'x;y'), 'xay')).toBe(true);
    expect(evaluate(c('excludes', 'x'), 'abc')).toBe(true);
    expect(evaluate(c('excludes any', 'x;a'), 'abc')).toBe(false);
    expect(evaluate(c('excludes all', 'x;a'), 'abc')).toBe(true);
    expect(evaluate(c('begin with', 'C:\\'), 'c:\\x')).toBe(true);
    expect(evaluate(c('not begin with', 'c:\\'), 'd:\\x')).toBe(true);
    expect(evaluate(c('end with', '.EXE'), 'a.exe')).toBe(true);
    expect(evaluate(c('not end with', '.exe'), 'a.dll')).toBe(true);
    // Sysmon compares text, not numbers (SysmonCommon rules.c): "445" is not less than "1024", and "8080" is more than "49151".
    expect(evaluate({ field: 'DestinationPort', operator: 'less than', value: '1024' }, '445')).toBe(false);
    expect(evaluate({ field: 'DestinationPort', operator: 'less than', value: '1024' }, '1000')).toBe(true);
    expect(evaluate({ field: 'DestinationPort', operator: 'more than', value: '49151' }, '8080')).toBe(true);
    expect(evaluate(c('image', 'powershell.exe'), 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe')).toBe(true);
  });
});

describe('filter simulation', () => {
  const psOnly = cfg(`<RuleGroup groupRelation="or"><ProcessCreate onmatch="include">
      <Image condition="end with">\\powershell.exe</Image></ProcessCreate></RuleGroup>`);
  it('include covers the rule: logged; covers part (powershell.exe but not pwsh.exe): partial; none: dropped', () => {
    expect(
      sim(rule('process_creation', '  s: {Image|endswith: \\powershell.exe, CommandLine|contains: " -enc "}\n  condition: s'), psOnly, 'ProcessCreate').result,
    ).toBe('logged');
    const both = sim(rule('process_creation', "  s: {Image|endswith: ['\\powershell.exe', '\\pwsh.exe']}\n  condition: s"), psOnly, 'ProcessCreate');
    expect(both.result).toBe('partial');
    expect(sim(rule('process_creation', '  s: {Image|endswith: \\pwsh.exe}\n  condition: s'), psOnly, 'ProcessCreate')).toMatchObject({
      result: 'dropped',
      reasons: [expect.stringMatching(/no include filter matches/)],
    });
  });
  it('an include on a field the rule leaves open logs only part; the reason says which field', () => {
    const r = sim(rule('process_creation', '  s: {CommandLine|contains: " -enc "}\n  condition: s'), psOnly, 'ProcessCreate');
    expect(r).toMatchObject({ result: 'partial', reasons: [expect.stringMatching(/include filters on Image, which the rule does not test/)] });
  });
  it('an exclude that covers the rule drops it and is named; one on another field is not held against it', () => {
    const c = cfg(
      `<RuleGroup groupRelation="or"><DnsQuery onmatch="exclude"><QueryName condition="end with">.microsoft.com</QueryName><Image condition="is">C:\\x.exe</Image></DnsQuery></RuleGroup>`,
    );
    expect(sim(rule('dns_query', '  s: {QueryName|endswith: remoteassistance.support.services.microsoft.com}\n  condition: s'), c, 'DnsQuery')).toMatchObject({
      result: 'dropped',
      reasons: ['DnsQuery exclude: QueryName end with .microsoft.com'],
    });
    expect(sim(rule('dns_query', '  s: {QueryName|endswith: .onion}\n  condition: s'), c, 'DnsQuery').result).toBe('logged');
  });
  it('windash, |all, unions of include filters and Sigma wildcards', () => {
    const c = cfg(
      `<ProcessCreate onmatch="include"><CommandLine condition="contains">-enc</CommandLine><CommandLine condition="contains">/enc</CommandLine></ProcessCreate>`,
    );
    expect(sim(rule('process_creation', '  s: {CommandLine|contains|windash: -enc}\n  condition: s'), c, 'ProcessCreate').result).toBe('partial'); // – — ― variants not included
    const u = cfg(`<ProcessCreate onmatch="include"><Image condition="end with">\\a.exe</Image><Image condition="end with">\\b.exe</Image></ProcessCreate>`);
    expect(sim(rule('process_creation', "  s: {Image|endswith: ['\\a.exe', '\\b.exe']}\n  condition: s"), u, 'ProcessCreate').result).toBe('logged');
    expect(sim(rule('process_creation', "  s: {Image: '*\\a.exe'}\n  condition: s"), u, 'ProcessCreate').result).toBe('logged');
  });
  it('|cidr on an octet boundary is a prefix; other masks cannot be decided', () => {
    const c = cfg(
      `<RuleGroup groupRelation="or"><NetworkConnect onmatch="include"><DestinationIp condition="begin with">10.</DestinationIp></NetworkConnect></RuleGroup>`,
    );
    expect(sim(rule('network_connection', "  s: {DestinationIp|cidr: '10.0.0.0/8'}\n  condition: s"), c, 'NetworkConnect').result).toBe('logged');
    expect(sim(rule('network_connection', "  s: {DestinationIp|cidr: ['10.0.0.0/8', '192.168.0.0/16']}\n  condition: s"), c, 'NetworkConnect').result).toBe(
      'partial',
    );
    const odd = sim(rule('network_connection', "  s: {DestinationIp|cidr: '10.0.0.0/12'}\n  condition: s"), c, 'NetworkConnect');
    expect(odd.result).toBe('partial');
    expect(odd.reasons.join()).toMatch(/DestinationIp\|cidr cannot be compared/);
  });

  it('regex cannot be decided: partial, never logged', () => {
    expect(sim(rule('process_creation', "  s: {Image|re: '.*\\\\powershell\\.exe'}\n  condition: s"), psOnly, 'ProcessCreate').result).toBe('partial');
  });
  it('condition structure: all of / 1 of / not', () => {
    const r = rule(
      'process_creation',
      "  sel_img: {Image|endswith: '\\powershell.exe'}\n  sel_cli: {CommandLine|contains: x}\n  filter: {User: y}\n  condition: all of sel_* and not filter",
    );
    expect(sim(r, psOnly, 'ProcessCreate').result).toBe('logged');
    const one = rule('process_creation', "  sel_img: {Image|endswith: '\\powershell.exe'}\n  sel_cli: {CommandLine|contains: x}\n  condition: 1 of sel_*");
    expect(sim(one, psOnly, 'ProcessCreate').result).toBe('partial');
  });
});

describe('generated configs re-parse to what the rules need', () => {
  const rules = [
    rule('process_creation', "  s: {Image|endswith: ['\\powershell.exe', '\\pwsh.exe'], CommandLine|contains: ' -enc '}\n  condition: s"),
    rule('dns_query', '  s: {QueryName|endswith: .onion}\n  condition: s'),
    rule('file_delete_detected', '  s: {TargetFilename|startswith: C:\\Users\\}\n  condition: s'),
  ];
  const needs = [
    { rule: rules[0]!, eventIds: [1] },
    { rule: rules[1]!, eventIds: [22] },
    { rule: rules[2]!, eventIds: [26] },
  ];
  it('minimal: every needed type on, schema new enough', () => {
    const g = generateSysmonConfig(needs, catalog, { mode: 'minimal' });
    expect(g.schemaVersion).toBe('4.60');
    const c = parseSysmonConfig('g', g.xml, catalog);
    expect([1, 22, 26].map((id) => eventState(c, id, catalog))).toEqual(['on', 'on', 'on']);
    expect(verifyGenerated(g.xml, needs, catalog)).toBe('3 rule × event type pairs logged, 0 partial, 0 dropped');
  });
  it('targeted: include filters that log exactly what the rules match, named after the technique', () => {
    const g = generateSysmonConfig(needs, catalog, { mode: 'targeted' });
    expect(g.xml).toContain('<Image name="T1059.001" condition="end with">\\pwsh.exe</Image>');
    const c = parseSysmonConfig('g', g.xml, catalog);
    expect(eventState(c, 1, catalog)).toBe('filtered');
    expect(verifyGenerated(g.xml, needs, catalog)).toBe('3 rule × event type pairs logged, 0 partial, 0 dropped');
  });
  it('--schema too old is refused', () => {
    expect(() => generateSysmonConfig(needs, catalog, { mode: 'minimal', schema: '4.50' })).toThrow(/predates/);
  });
  it('merging into a base adds, never removes or reorders, and raises the schema when needed', () => {
    const base = `<Sysmon schemaversion="4.50">\n  <HashAlgorithms>sha256</HashAlgorithms>\n  <EventFiltering>\n    <RuleGroup name="base" groupRelation="or">\n      <ProcessCreate onmatch="exclude"><Image condition="is">C:\\x.exe</Image></ProcessCreate>\n      <DnsQuery onmatch="include"/>\n    </RuleGroup>\n  </EventFiltering>\n</Sysmon>\n`;
    const g = generateSysmonConfig(needs, catalog, { mode: 'minimal', base: { path: 'base.xml', text: base } });
    const baseLines = base.split('\n').filter((l) => l.trim() && !l.includes('schemaversion') && !l.includes('</EventFiltering>') && !l.includes('</Sysmon>'));
    let at = 0;
    for (const line of baseLines) {
      const i = g.xml.indexOf(line, at);
      expect(i, line).toBeGreaterThanOrEqual(at);
      at = i + line.length;
    }
    expect(g.xml).toContain('schemaversion="4.60"');
    expect(g.added.join('\n')).toMatch(/schemaversion raised from 4.50 to 4.60/);
    expect(g.added.join('\n')).not.toMatch(/ProcessCreate/); // already on
    // DnsQuery has an empty include element in the base: only include filters can turn it on
    expect(g.xml).toContain('<QueryName name="T1059.001" condition="end with">.onion</QueryName>');
    expect(verifyGenerated(g.xml, needs, catalog)).toBe('3 rule × event type pairs logged, 0 partial, 0 dropped');
  });
});
