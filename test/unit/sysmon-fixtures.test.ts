/**
 * The fixtures in test/fixtures/sysmon/ come with a README that states, per config, each event type's state and
 * example events with whether Sysmon logs them (worked out from SysmonCommon's rule engine). These tests read
 * those tables and hold the parser and the reference evaluator to them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { logsEvent } from '../../src/assess/sysmon-sim.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { eventState, parseSysmonConfig } from '../../src/environment/sysmon.js';

const catalog = loadCatalog();
const F = (name: string) => fileURLToPath(new URL(`../fixtures/sysmon/${name}`, import.meta.url));
const readme = readFileSync(F('README.md'), 'utf8');
const section = (file: string) => readme.split(/\n## /).find((s) => s.startsWith(`\`${file}\``)) ?? '';
const load = (file: string) => parseSysmonConfig(file, readFileSync(F(file), 'utf8'), catalog);

/** Neutral fields the README says apply where an every-operator ProcessCreate example shows none. */
const NEUTRAL: Record<string, string> = {
  Image: 'C:\\Windows\\System32\\whoami.exe',
  OriginalFileName: 'whoami.exe',
  CommandLine: 'whoami /all',
  ParentImage: 'C:\\Windows\\explorer.exe',
};

interface Example {
  n: number;
  id: number;
  fields: Record<string, string>;
  logged: boolean;
}

/** Rows "| n | Type (EID) | `F=v`, `F=v` | yes/no … |"; rows that refer to others ("as 1 but", "same") are skipped. */
function examples(file: string): Example[] {
  const out: Example[] = [];
  for (const line of section(file).split('\n')) {
    const m = /^\| (\d+) \| (\w+)(?: \((\d+)\))? \| (.*?) \| \**(yes|no)\b/.exec(line);
    if (!m) continue;
    const [, n, type, eid, cell] = m as unknown as [string, string, string, string | undefined, string];
    if (/\bas \d|same|any|all neutral|…/.test(cell)) continue;
    const fields: Record<string, string> = {};
    for (const f of cell.matchAll(/`([A-Za-z]+)=([^`]*)`/g)) fields[f[1] as string] = f[2] as string;
    const id = eid ? Number(eid) : (catalog.sysmonEvents.find((e) => e.element === type)?.id ?? -1);
    out.push({ n: Number(n), id, fields, logged: m[5] === 'yes' });
  }
  return out;
}

function check(file: string, neutral: Record<string, string> = {}) {
  const config = load(file);
  const list = examples(file);
  expect(list.length).toBeGreaterThan(5);
  for (const ex of list) {
    const ev = catalog.sysmonEvent(ex.id)!;
    const fields = ev.element === 'ProcessCreate' ? { ...neutral, ...ex.fields } : ex.fields;
    const got = logsEvent(ev.element ? config.elements.get(ev.element) : undefined, ev.loggedByDefault, fields);
    expect(got, `${file} example ${ex.n}`).toBe(ex.logged);
  }
}

describe('Sysmon fixtures: example events', () => {
  it('include-only.xml', () => check('include-only.xml'));
  it('exclude-only.xml', () => check('exclude-only.xml'));
  it('mixed-rulegroups.xml (RuleGroup and/or, compound Rule blocks, exclude wins)', () => check('mixed-rulegroups.xml'));
  it('every-operator.xml (all 16 operators; string comparison for less/more than)', () => check('every-operator.xml', NEUTRAL));
  it('old-schema-3.30.xml (no RuleGroup: OR up to schema 4.1)', () => check('old-schema-3.30.xml'));
});

describe('Sysmon fixtures: states', () => {
  const states = (file: string) => {
    const c = load(file);
    return (ids: number[]) => ids.map((id) => eventState(c, id, catalog));
  };
  it('per event type, as the README tables give them', () => {
    expect(states('include-only.xml')([1, 3, 22, 5, 7, 26, 29])).toEqual(['filtered', 'filtered', 'filtered', 'off', 'off', 'unsupported', 'unsupported']);
    expect(states('exclude-only.xml')([1, 7, 22, 11, 5, 3])).toEqual(['on', 'on', 'on', 'on', 'on', 'off']);
    expect(states('mixed-rulegroups.xml')([1, 3, 11, 12, 13, 14, 5, 28, 29])).toEqual([
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'on',
      'unsupported',
      'unsupported',
    ]);
    expect(states('every-operator.xml')([1, 3, 7, 6, 22, 8, 11, 12, 5])).toEqual([
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'on',
      'on',
      'on',
    ]);
    expect(states('old-schema-3.30.xml')([1, 5, 3, 11, 12, 17, 19, 22])).toEqual([
      'on',
      'off',
      'filtered',
      'filtered',
      'filtered',
      'filtered',
      'unsupported',
      'unsupported',
    ]);
    expect(states('old-schema-unknown-element.xml')([1, 22, 5])).toEqual(['on', 'unsupported', 'on']);
  });
  it('flags what Sysmon would refuse but can still be read', () => {
    expect(load('old-schema-3.30.xml').notes.join()).toMatch(/Sysmon 7.0 and later refuse 3.x/);
    expect(load('old-schema-unknown-element.xml').notes.join()).toMatch(/<DnsQuery> needs schemaversion 4.21 or later: Sysmon rejects this file/);
  });
  it('rejects the broken ones with a clear message', () => {
    expect(() => load('broken.xml')).toThrow(/XML error at line \d+/);
    expect(() => load('unknown-condition.xml')).toThrow(/unknown condition "sounds like" on CommandLine at line \d+/);
    expect(() => load('unknown-element.xml')).toThrow(/unknown element <ProcessCreat> at line \d+/);
    expect(() => load('bad-schemaversion.xml')).toThrow(/schemaversion "banana" is not a version number/);
  });
  it('reads config options', () => {
    expect(load('exclude-only.xml').options).toMatchObject({ HashAlgorithms: 'MD5,SHA256,IMPHASH', DnsLookup: 'False', ArchiveDirectory: 'SysmonArchive' });
  });
});
