import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveAll, resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';

const catalog = loadCatalog(fileURLToPath(new URL('../fixtures/catalog/', import.meta.url)));
const G = {
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  lockout: '{0CCE9217-69AE-11D9-BED3-505054503030}',
  file: '{0CCE921D-69AE-11D9-BED3-505054503030}',
  reg: '{0CCE921E-69AE-11D9-BED3-505054503030}',
  kobj: '{0CCE921F-69AE-11D9-BED3-505054503030}',
  proc: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  kerb: '{0CCE9242-69AE-11D9-BED3-505054503030}',
};

function rule(logsource: string, detection: string): SigmaRule {
  const { rules, errors } = parseRuleFile('t.yml', `title: t\nlogsource: ${logsource}\ndetection:\n${detection}\n`);
  if (errors.length) throw new Error(errors[0]!.message);
  return rules[0] as SigmaRule;
}
const alts = (r: SigmaRule) => resolveRule(r, catalog).alternatives.map((a) => a.requires);

describe('requirement resolution', () => {
  it('process_creation with Image/CommandLine: Sysmon 1 or 4688 + command-line policy', () => {
    const r = rule('{product: windows, category: process_creation}', '  s: {Image|endswith: x, CommandLine|contains: y}\n  condition: s');
    expect(alts(r)).toEqual([['sysmon:1'], [`audit:${G.proc}:success`, 'policy:process-creation-command-line']]);
  });

  it('process_creation using Hashes: only Sysmon, and says why 4688 is not an option', () => {
    const r = rule('{product: windows, category: process_creation}', '  s: {Hashes|contains: x}\n  condition: s');
    const res = resolveRule(r, catalog);
    expect(res.alternatives.map((a) => a.requires)).toEqual([['sysmon:1']]);
    expect(res.notes.join()).toMatch(/Security 4688: does not provide field\(s\) Hashes/);
  });

  it('a field used only in a filter does not exclude a source', () => {
    const r = rule('{product: windows, category: process_creation}', '  s: {Image: x}\n  f: {Hashes: y}\n  condition: s and not f');
    expect(alts(r)).toHaveLength(2);
  });

  it('an EventID in a category rule narrows it to the matching source', () => {
    const r = rule('{product: windows, category: process_creation}', '  s: {EventID: 4688, Image: x}\n  condition: s');
    expect(alts(r)).toEqual([[`audit:${G.proc}:success`, 'policy:process-creation-command-line']]);
  });

  it('a multi-event Sysmon category needs all of its events unless the rule picks some', () => {
    expect(alts(rule('{product: windows, category: registry_event}', '  s: {TargetObject: x}\n  condition: s'))).toEqual([
      ['sysmon:12', 'sysmon:13', 'sysmon:14'],
    ]);
    expect(alts(rule('{product: windows, category: registry_event}', '  s: {EventID: 13}\n  condition: s'))).toEqual([['sysmon:13']]);
  });

  it('security 4624 + 4625 needs Logon success and (Logon or Account Lockout) failure', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: [4624, 4625]}\n  condition: s');
    expect(alts(r)).toEqual([
      [`audit:${G.logon}:failure`, `audit:${G.logon}:success`],
      [`audit:${G.logon}:success`, `audit:${G.lockout}:failure`],
    ]);
  });

  it('an event logged on both outcomes needs both', () => {
    expect(alts(rule('{product: windows, service: security}', '  s: {EventID: 4768}\n  condition: s'))).toEqual([
      [`audit:${G.kerb}:failure`, `audit:${G.kerb}:success`],
    ]);
  });

  it('4663 is narrowed by ObjectType: Key → Registry, File → File System, none → any producer', () => {
    expect(alts(rule('{product: windows, service: security}', '  s: {EventID: 4663, ObjectType: Key}\n  condition: s'))).toEqual([[`audit:${G.reg}:success`]]);
    expect(alts(rule('{product: windows, service: security}', '  s: {EventID: 4663, ObjectType: File}\n  condition: s'))).toEqual([
      [`audit:${G.file}:success`],
    ]);
    expect(alts(rule('{product: windows, service: security}', '  s: {EventID: 4663}\n  condition: s'))).toHaveLength(3);
  });

  it('a security rule without EventID is unknown: it matches any Security event, so no subcategory can be named', () => {
    const res = resolveRule(rule('{product: windows, service: security}', '  s: {TargetUserName: x}\n  condition: s'), catalog);
    expect(res).toMatchObject({ status: 'unknown', alternatives: [] });
    expect(res.unknownReason).toMatch(/any Security event, so which audit subcategory it needs cannot be told/);
  });

  it('an EventID under not never becomes a requirement', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: 4624}\n  f: {EventID: 4625}\n  condition: s and not f');
    expect(alts(r)).toEqual([[`audit:${G.logon}:success`]]);
  });

  it('events the Security log writes without audit settings need nothing', () => {
    expect(alts(rule('{product: windows, service: security}', '  s: {EventID: 1102}\n  condition: s'))).toEqual([[]]);
  });

  it('unknown Security EventIDs are noted, and the rule is unknown when none is known', () => {
    const res = resolveRule(rule('{product: windows, service: security}', '  s: {EventID: 9999}\n  condition: s'), catalog);
    expect(res.status).toBe('unknown');
    expect(res.unknownReason).toMatch(/9999/);
  });

  it('policies, disabled channels and default channels', () => {
    expect(alts(rule('{product: windows, category: ps_script}', '  s: {ScriptBlockText|contains: x}\n  condition: s'))).toEqual([
      ['policy:powershell-script-block-logging'],
    ]);
    expect(alts(rule('{product: windows, service: taskscheduler}', '  s: {EventID: 106}\n  condition: s'))).toEqual([
      ['channel:Microsoft-Windows-TaskScheduler/Operational'],
    ]);
    expect(alts(rule('{product: windows, service: system}', '  s: {EventID: 7045}\n  condition: s'))).toEqual([[]]);
  });

  it('takes the log source from Channel in the detection (hayabusa style)', () => {
    const res = resolveRule(rule('{product: windows}', '  s: {Channel: Security, EventID: 4624}\n  condition: s'), catalog);
    expect(res.alternatives.map((a) => a.requires)).toEqual([[`audit:${G.logon}:success`]]);
    expect(res.notes.join()).toMatch(/Channel in the detection/);
  });

  it('unknown: non-Windows rules, ETW-only sources and log sources not in the catalog', () => {
    expect(resolveRule(rule('{product: linux, category: process_creation}', '  s: {Image: x}\n  condition: s'), catalog).unknownReason).toBe(
      'not a Windows rule (product: linux)',
    );
    expect(resolveRule(rule('{product: windows, category: file_rename}', '  s: {TargetFilename: x}\n  condition: s'), catalog).unknownReason).toMatch(
      /ETW provider Microsoft-Windows-Kernel-File/,
    );
    expect(resolveRule(rule('{product: windows, category: nonsense}', '  s: {a: x}\n  condition: s'), catalog).unknownReason).toBe(
      'category "nonsense" is not in the catalog',
    );
    expect(resolveRule(rule('{product: windows}', '  s: {a: x}\n  condition: s'), catalog).unknownReason).toMatch(/no category or service/);
  });

  it('correlation rules need what their referenced rules need, together', () => {
    const text = `title: a
id: rule-a
logsource: {product: windows, service: security}
detection: {s: {EventID: 4625}, condition: s}
---
title: b
name: rule_b
logsource: {product: windows, category: ps_script}
detection: {s: {ScriptBlockText: x}, condition: s}
---
title: c
correlation: {type: temporal, rules: [rule-a, rule_b], timespan: 5m}
---
title: d
correlation: {type: event_count, rules: [missing-rule]}
`;
    const rules = parseRuleFile('c.yml', text).rules;
    const res = resolveAll(rules, catalog);
    const corr = res.get(rules[2]!)!;
    expect(corr.alternatives.map((a) => a.requires)).toEqual([
      [`audit:${G.logon}:failure`, 'policy:powershell-script-block-logging'],
      [`audit:${G.lockout}:failure`, 'policy:powershell-script-block-logging'],
    ]);
    expect(res.get(rules[3]!)!.unknownReason).toMatch(/missing-rule/);
  });
});

describe('ObjectType narrowing', () => {
  it('an ObjectType no subcategory lists rules out those that list other types', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: 4663, ObjectType: Process}\n  condition: s');
    expect(alts(r)).toEqual([[`audit:${G.kobj}:success`]]);
  });
});
