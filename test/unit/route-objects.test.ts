/**
 * Route coverage by object (data/audit-objects.yaml): an object-access subcategory is a route for a rule only
 * when it audits the objects the rule reads. Removable Storage covers \Device\CdRom* (an ISO mount) fully,
 * registry keys and the LSASS process not at all.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const RS = '{0CCE9245-69AE-11D9-BED3-505054503030}';
const FS = '{0CCE921D-69AE-11D9-BED3-505054503030}';
const REG = '{0CCE921E-69AE-11D9-BED3-505054503030}';
const KO = '{0CCE921F-69AE-11D9-BED3-505054503030}';

function rule(detection: string): SigmaRule {
  const { rules, errors } = parseRuleFile('t.yml', `title: t\nlogsource: {product: windows, service: security}\ndetection:\n${detection}\n`);
  if (errors.length) throw new Error(errors[0]!.message);
  return rules[0] as SigmaRule;
}
/** Subcategory GUIDs of the full and the partial alternatives. */
function routes(r: SigmaRule): { full: string[]; partial: string[] } {
  const res = resolveRule(r, catalog);
  const guids = (supp: boolean) =>
    [
      ...new Set(
        res.alternatives
          .filter((a) => Boolean(a.supplementary) === supp)
          .flatMap((a) => a.requires)
          .filter((id) => id.startsWith('audit:'))
          .map((id) => id.split(':')[1]!),
      ),
    ].sort();
  return { full: guids(false), partial: guids(true) };
}

describe('route coverage by object', () => {
  it('an ISO mount (ObjectName \\Device\\CdRom*) is fully covered by Removable Storage', () => {
    const iso = rule("  s: {EventID: 4663, ObjectType: File, ObjectName|startswith: '\\Device\\CdRom'}\n  condition: s");
    expect(routes(iso)).toEqual({ full: [FS, RS].sort(), partial: [] });
  });
  it('registry keys are covered by Audit Registry only, named by \\REGISTRY\\ or a hive path', () => {
    const key = rule(
      "  s: {EventID: [4656, 4663], ObjectName|contains: '\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager'}\n  condition: s",
    );
    expect(routes(key)).toEqual({ full: [REG], partial: [] });
    expect(resolveRule(key, catalog).notes.join()).toMatch(
      /Audit File System, Audit Kernel Object, Audit Removable Storage audit other objects than the rule reads \(registry-key\)/,
    );
    const all = rule("  s: {EventID: 4663, ObjectName|contains|all: ['\\SYSTEM\\', 'ControlSet\\Services\\']}\n  condition: s");
    expect(routes(all)).toEqual({ full: [REG], partial: [] });
  });
  it('the LSASS process is a kernel object: Kernel Object only, with or without ObjectType', () => {
    expect(routes(rule("  s: {EventID: 4656, ObjectName|endswith: '\\lsass.exe'}\n  condition: s"))).toEqual({ full: [KO], partial: [] });
    expect(routes(rule("  s: {EventID: 4663, ObjectType: Process, ObjectName|endswith: '\\lsass.exe'}\n  condition: s"))).toEqual({ full: [KO], partial: [] });
  });
  it('a file on the system volume is no removable-media object; a file the rule does not place stays partial there', () => {
    const signal = rule("  s: {EventID: 4663, ObjectType: File, ObjectName|contains: '\\AppData\\Roaming\\Signal\\'}\n  condition: s");
    expect(routes(signal)).toEqual({ full: [FS], partial: [] });
    const anyFile = rule("  s: {EventID: 4663, ObjectName|endswith: '.bluesky'}\n  condition: s");
    expect(routes(anyFile).partial).toEqual([RS]);
    expect(routes(anyFile).full).toContain(FS);
  });
  it('negated selections do not count: a filter on \\Device\\CdRom0\\setup.exe does not make a rule removable-only', () => {
    const r = rule("  s: {EventID: 4663, ObjectType: File}\n  f: {ObjectName: '\\Device\\CdRom0\\setup.exe'}\n  condition: s and not f");
    expect(routes(r)).toEqual({ full: [FS], partial: [RS] });
  });
});

describe('an MDM workstation with only Audit Removable Storage (real SigmaHQ rules)', () => {
  const sec = 'sigmahq/rules/windows/builtin/security/';
  const files = [
    ...[
      'win_security_iso_mount.yml',
      'win_security_lsass_access_non_system_account.yml',
      'win_security_susp_lsass_dump_generic.yml',
      'win_security_camera_microphone_access.yml',
    ].map((f) => sec + f),
    'sigmahq/rules-emerging-threats/2023/Exploits/CVE-2023-23397/win_security_exploit_cve_2023_23397_outlook_remote_file_query.yml',
  ];
  it.runIf(corpusOrSkip('MDM removable-storage verdicts'))('LSASS and registry object-access rules are blocked, the ISO-mount rule is ready', () => {
    const run = runCli([
      'check',
      ...files.map((f) => join(CORPUS, f)),
      '--auditpol',
      join(ROOT, 'test/fixtures/route-objects/mdm-removable-only-auditpol.csv'),
      '-f',
      'json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rules = (JSON.parse(run.stdout) as { rules: { path: string; verdict: string; why: string }[] }).rules;
    const verdict = (f: string) => rules.find((r) => f.endsWith(r.path.split('/').pop()!));
    expect(verdict('win_security_iso_mount.yml')?.verdict).toBe('ready');
    for (const f of files.slice(1)) {
      expect(verdict(f)?.verdict, f).toBe('blocked');
      expect(verdict(f)?.why).not.toMatch(/PowerShell 7|supplementary/);
    }
    expect(verdict('win_security_susp_lsass_dump_generic.yml')?.why).toMatch(new RegExp(`audit:${KO.replace(/[{}]/g, '\\$&')}`));
  });
});
