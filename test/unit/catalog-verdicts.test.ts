/**
 * How the shipped catalog's facts reach the requirements (data/audit.yaml and data/logsources.yaml, each fact
 * with its Microsoft / Sigma source there): producers vs enrichers, "logged regardless", Handle Manipulation,
 * SACLs, roles, file_delete and the legacy ldap_debug service.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';

const catalog = loadCatalog();
const G = {
  proc: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  reg: '{0CCE921E-69AE-11D9-BED3-505054503030}',
  file: '{0CCE921D-69AE-11D9-BED3-505054503030}',
  handle: '{0CCE9223-69AE-11D9-BED3-505054503030}',
  sam: '{0CCE9220-69AE-11D9-BED3-505054503030}',
  kerbTickets: '{0CCE9240-69AE-11D9-BED3-505054503030}',
};

function rule(logsource: string, detection: string): SigmaRule {
  const { rules, errors } = parseRuleFile('t.yml', `title: t\nlogsource: ${logsource}\ndetection:\n${detection}\n`);
  if (errors.length) throw new Error(errors[0]!.message);
  return rules[0] as SigmaRule;
}
const resolved = (r: SigmaRule) => resolveRule(r, catalog);
const alts = (r: SigmaRule) =>
  resolved(r)
    .alternatives.filter((a) => !a.supplementary)
    .map((a) => a.requires);

describe('producers and enrichers', () => {
  it('the command-line policy is needed only by rules that read CommandLine (it adds a field to 4688)', () => {
    const img = rule('{product: windows, category: process_creation}', '  s: {Image|endswith: \\certutil.exe}\n  condition: s');
    expect(alts(img)).toEqual([['sysmon:1'], [`audit:${G.proc}:success`]]);
    const cli = rule('{product: windows, category: process_creation}', '  s: {CommandLine|contains: urlcache}\n  condition: s');
    expect(alts(cli)).toContainEqual([`audit:${G.proc}:success`, 'policy:process-creation-command-line']);
    expect(resolved(cli).notes.join()).toMatch(/reads CommandLine, which policy:process-creation-command-line adds/);
  });
  it('each event a rule reads is its own branch (partial counts events, not settings)', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: [4624, 4625]}\n  condition: s');
    const alt = resolved(r).alternatives[0]!;
    expect(alt.branches).toHaveLength(2);
    expect(alt.branches.flat().sort()).toEqual(alt.requires);
  });
});

describe('Microsoft facts in the requirements', () => {
  it('4719 (system audit policy changed) is logged regardless of any audit setting', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: 4719}\n  condition: s');
    expect(alts(r)).toEqual([[]]);
  });
  it('4661 needs Audit Handle Manipulation Success besides SAM (or DS Access, on a DC)', () => {
    const r = rule('{product: windows, service: security}', '  s: {EventID: 4661}\n  condition: s');
    const a = alts(r);
    expect(a.length).toBeGreaterThan(0);
    for (const set of a) expect(set).toContain(`audit:${G.handle}:success`);
    expect(a.some((s) => s.includes(`audit:${G.sam}:success`) && !s.some((id) => id.startsWith('role:')))).toBe(true);
  });
  it('registry and file object access need an audit SACL; Kerberos service tickets a domain controller', () => {
    const reg = rule('{product: windows, service: security}', '  s: {EventID: 4657}\n  condition: s');
    expect(alts(reg)).toEqual([[`audit:${G.reg}:success`, 'sacl:registry']]);
    const file = rule('{product: windows, service: security}', '  s: {EventID: 4663, ObjectType: File}\n  condition: s');
    expect(alts(file)).toEqual([[`audit:${G.file}:success`, 'sacl:file']]);
    // Removable Storage needs no SACL but sees only files on removable devices: partial coverage, never ready
    const supp = resolved(file)
      .alternatives.filter((a) => a.supplementary)
      .map((a) => a.requires);
    expect(supp).toEqual([['audit:{0CCE9245-69AE-11D9-BED3-505054503030}:success']]);
    const kerb = rule('{product: windows, service: security}', '  s: {EventID: 4769}\n  condition: s');
    expect(alts(kerb)).toEqual([[`audit:${G.kerbTickets}:failure`, `audit:${G.kerbTickets}:success`, 'role:domain-controller']]);
  });
  it('file_delete is Sysmon 23 (FileDelete) only, never 26 alone; ldap_debug is the legacy ldap service', () => {
    const fd = rule('{product: windows, category: file_delete}', '  s: {TargetFilename|endswith: .bak}\n  condition: s');
    expect(alts(fd)).toEqual([['sysmon:23']]);
    const det = rule('{product: windows, category: file_delete_detected}', '  s: {TargetFilename|endswith: .bak}\n  condition: s');
    expect(alts(det)).toEqual([['sysmon:26']]);
    expect(catalog.logsource('windows', undefined, 'ldap_debug')).toBeDefined();
    const ldap = rule('{product: windows, service: ldap_debug}', '  s: {EventID: 30}\n  condition: s');
    expect(resolved(ldap).unknownReason).toMatch(/ETW provider Microsoft-Windows-LDAP-Client/);
  });
  it('role-bound services: the DNS server log exists only on DNS servers', () => {
    const dns = rule('{product: windows, service: dns-server}', '  s: {EventID: 541}\n  condition: s');
    for (const set of alts(dns)) expect(set).toContain('role:dns-server');
  });
});
