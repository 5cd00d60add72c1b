import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/assess/recommend.js';
import { bySetting, settingNames, settingOf } from '../../src/assess/settings.js';
import type { AssessRule } from '../../src/assess/counts.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCli } from '../helpers.js';

// Issue 27: a fix is a *setting* an admin changes. Sysmon's RegistryEvent element logs 12, 13 and 14 together,
// so rules reading any of them are unlocked by one fix, never by "EID 13" and "EID 12, 14" as two.
const catalog = loadCatalog();
const REG = ['sysmon:12', 'sysmon:13', 'sysmon:14'];
const AUDIT = 'audit:{0CCE9211-69AE-11D9-BED3-505054503030}:success';

function rules(n: number): AssessRule[] {
  return Array.from({ length: n }, (_, i) => ({ path: `r${i}.yml`, title: `rule ${i}` }) as AssessRule);
}

describe('settings of requirements', () => {
  it('Sysmon types map to their config element (data/sysmon.yaml); other requirements are their own setting', () => {
    for (const id of REG) expect(settingOf(id, catalog)).toBe('sysmon-element:RegistryEvent');
    expect(settingOf('sysmon:17', catalog)).toBe(settingOf('sysmon:18', catalog));
    expect(new Set(['sysmon:19', 'sysmon:20', 'sysmon:21'].map((id) => settingOf(id, catalog))).size).toBe(1);
    expect(settingOf('sysmon:15', catalog)).toBe('sysmon-element:FileCreateStreamHash');
    expect(settingOf('sysmon:11', catalog)).not.toBe(settingOf('sysmon:15', catalog));
    // Types with no element (always written) stay themselves.
    expect(settingOf('sysmon:4', catalog)).toBe('sysmon:4');
    expect(settingOf(AUDIT, catalog)).toBe(AUDIT);
    expect(settingNames(['sysmon:14', 'sysmon:12', AUDIT, 'sysmon:13'], catalog)).toEqual([
      'Sysmon RegistryEvent (EID 12, 13, 14)',
      'Audit Security System Extension — Success',
    ]);
  });

  it('a setting stands for the requirements the items lack, never for ones already on', () => {
    const view = bySetting(
      [
        { id: 0, weight: 1, missing: [['sysmon:13']] },
        { id: 1, weight: 1, missing: [['sysmon:14']] },
      ],
      catalog,
    );
    expect(view.items.map((i) => i.missing)).toEqual([[['sysmon-element:RegistryEvent']], [['sysmon-element:RegistryEvent']]]);
    expect(view.expand(['sysmon-element:RegistryEvent'])).toEqual(['sysmon:13', 'sysmon:14']);
  });
});

describe('recommend ranks one fix per setting', () => {
  // 4 rules read EID 13, 2 read EID 12 or 14, 3 need an audit subcategory: per requirement, EID 13 (4) would be
  // first and the audit fix (3) would come before "EID 12, 14" (2).
  const items = [
    ...[0, 1, 2, 3].map((id) => ({ id, weight: 1, missing: [['sysmon:13']] })),
    { id: 4, weight: 1, missing: [['sysmon:12']] },
    { id: 5, weight: 1, missing: [['sysmon:14']] },
    ...[6, 7, 8].map((id) => ({ id, weight: 1, missing: [[AUDIT]] })),
    // Needs FileDelete (withheld: archives data): never a fix, counted as withheld.
    { id: 9, weight: 1, missing: [['sysmon:23']] },
  ];

  it('RegistryEvent is one fix unlocking every rule that reads 12, 13 or 14', () => {
    const r = recommend(items, [{ weight: 1 }], rules(10), catalog, ['workstation']);
    expect(r.recommendations.map((f) => [f.requires, f.unlocks])).toEqual([
      [REG, 6],
      [[AUDIT], 3],
    ]);
    expect(r.recommendations[0]?.ruleIndexes.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.withheld?.map((w) => [w.requires, w.rules])).toEqual([[['sysmon:23'], 1]]);
  });

  it('an alternative is one fix per setting even when it needs two types of one element', () => {
    const r = recommend(
      [
        { id: 0, weight: 1, missing: [['sysmon:17', 'sysmon:18']] },
        { id: 1, weight: 1, missing: [['sysmon:17']] },
      ],
      [{ weight: 1 }],
      rules(2),
      catalog,
      ['workstation'],
    );
    expect(r.recommendations.map((f) => [f.requires, f.unlocks])).toEqual([[['sysmon:17', 'sysmon:18'], 2]]);
  });

  it('--rank value costs one element once, and --max-volume leaves a setting out whole', () => {
    const value = recommend(items, [{ weight: 1 }], rules(10), catalog, ['workstation'], { rank: 'value' });
    expect(value.recommendations.filter((f) => f.requires.some((id) => REG.includes(id)))).toHaveLength(1);
    const low = recommend(items, [{ weight: 1 }], rules(10), catalog, ['workstation'], { maxVolume: 'low' });
    const reg = low.recommendations.filter((f) => f.requires.some((id) => REG.includes(id)));
    // Within the budget (or unrated: kept under any budget) it is one fix; above it, one left-out entry.
    expect(reg.length + (low.budget?.leftOut.filter((f) => f.requires.some((id) => REG.includes(id))).length ?? 0)).toBe(1);
  });
});

describe('every output shows RegistryEvent as one fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-setting-'));
  const ruleDir = join(dir, 'rules');
  mkdirSync(ruleDir);
  // registry_add and registry_delete read EID 12, registry_set 13, registry_rename 14 (data/logsources.yaml).
  const cats = ['registry_add', 'registry_set', 'registry_rename', 'registry_delete', 'pipe_created'];
  cats.forEach((c, i) =>
    writeFileSync(
      join(ruleDir, `${c}.yml`),
      [
        `title: Test ${c}`,
        `id: 00000000-0000-4000-8000-00000000002${i}`,
        'status: test',
        'logsource:',
        '  product: windows',
        `  category: ${c}`,
        'detection:',
        '  selection:',
        "    Image|endswith: '\\evil.exe'",
        '  condition: selection',
        'level: high',
        '',
      ].join('\n'),
    ),
  );
  const ARGS = [ruleDir, '--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];
  const count = (text: string, s: string) => text.split(s).length - 1;

  it('JSON recommendations: one fix requiring 12, 13 and 14, unlocking the four registry rules', () => {
    const rd = JSON.parse(runCli([...ARGS, '--format', 'json']).stdout).readiness;
    const reg = rd.recommendations.filter((f: { requires: { id: string }[] }) => f.requires.some((q) => REG.includes(q.id)));
    expect(reg).toHaveLength(1);
    expect(reg[0].requires.map((q: { id: string }) => q.id)).toEqual(REG);
    expect(reg[0].requires.every((q: { group?: string }) => q.group === 'RegistryEvent')).toBe(true);
    expect(reg[0].unlocks).toBe(4);
    expect(reg[0].rank).toBe(1);
  });

  it('table, --verbose, Markdown and HTML name the setting once', () => {
    const name = 'Sysmon RegistryEvent (EID 12, 13, 14) (unknown)';
    const table = runCli(ARGS).stdout;
    expect(count(table, name)).toBe(1);
    expect(table).toMatch(/│ 1 │ 4 +│ Sysmon RegistryEvent \(EID 12, 13, 14\) \(unknown\)/);
    expect(table).toContain('Sysmon PipeEvent (EID 17, 18) (unknown)');
    const verbose = runCli([...ARGS, '--verbose']).stdout;
    expect(count(verbose, name)).toBe(1);
    expect(verbose).not.toMatch(/\+ Sysmon EID 1[34] RegistryEvent/);
    const md = runCli([...ARGS, '--format', 'markdown']).stdout;
    expect(md).toContain(`| 1 | ${name} · volume`);
    expect(count(md, 'RegistryEvent (EID')).toBe(1);
    const html = runCli([...ARGS, '--format', 'html']).stdout;
    expect(html).toContain('<td class="n">1</td><td>Sysmon RegistryEvent (EID 12, 13, 14) <span class="st">unknown</span>');
    expect(count(html, 'RegistryEvent (EID')).toBe(1);
  });

  it('with a deployed config that filters the element (real Neo23x0 export), its "how" is one line for the element', () => {
    const cfg = 'test/fixtures/sysmon/real/neo23x0-sysmonconfig-export.xml';
    const regOnly = join(dir, 'reg-only');
    mkdirSync(regOnly);
    for (const c of ['registry_add', 'registry_set', 'registry_rename']) writeFileSync(join(regOnly, `${c}.yml`), readFileSync(join(ruleDir, `${c}.yml`)));
    const table = runCli([regOnly, '--sysmon', cfg]).stdout;
    expect(table).toMatch(/│ 1 │ 3 +│ Sysmon RegistryEvent \(EID 12, 13, 14\) \(filtered\)/);
    // On the default screen a deployed config's fixes share one "how" (cut to the width); --verbose says it in full,
    // still once for the element.
    const how = table.split('\n').filter((l) => /^ {2}fix(es)? 1\b/.test(l));
    expect(how).toHaveLength(1);
    expect(how[0]).toMatch(/the deployed Sysmon config drops, cuts or leaves out RegistryEvent/);
    const verbose = runCli([regOnly, '--sysmon', cfg, '--verbose']).stdout;
    for (const eid of [12, 13, 14]) expect(count(verbose, `RegistryEvent (EID ${eid}): include filters on TargetObject`)).toBe(1);
    const rd = JSON.parse(runCli([regOnly, '--sysmon', cfg, '--format', 'json']).stdout).readiness;
    expect(new Set(rd.recommendations[0].requires.map((q: { enable: string }) => q.enable)).size).toBe(1);
  });

  it('fix writes the element once and says which event types it turns on', () => {
    const out = join(dir, 'fix');
    const r = runCli(['fix', ...ARGS, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const xml = readFileSync(join(out, 'sysmon-additions.xml'), 'utf8');
    expect(count(xml, '<RegistryEvent ')).toBe(1);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toContain('RegistryEvent (EID 12, 13, 14; 4 rules)');
  });
});
