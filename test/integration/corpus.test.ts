import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

const have = corpusOrSkip('corpus integration tests');
const SIGMA = join(CORPUS, 'sigmahq');
const MAIN = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'].map((d) => join(SIGMA, d));

interface Row {
  path: string;
  logsourceKey: string;
  logsource: { product?: string } | null;
  alternatives: string[][];
  unknownReason?: string;
  eventIds: number[];
}

describe.skipIf(!have)('SigmaHQ corpus', () => {
  // One CLI run over the five main rule folders, shared by the assertions below.
  const run = have ? runCli([...MAIN, '--format', 'json']) : undefined;
  const report = run && run.status === 0 ? JSON.parse(run.stdout) : undefined;
  const rules: Row[] = report?.rules ?? [];
  const byFile = (name: string) => rules.find((r) => r.path.endsWith(`/${name}`));

  it('scans every file without a crash or a file error', () => {
    expect(run?.status).toBe(0);
    expect(run?.stderr).toBe('');
    expect(report.summary.filesRead).toBeGreaterThanOrEqual(3700);
    expect(report.errors).toEqual([]);
    expect(report.summary.windowsRules).toBeGreaterThan(2500);
  });

  it('resolves every Windows rule, or says why not', () => {
    for (const r of rules) {
      if (r.logsource?.product !== 'windows') continue;
      if (r.unknownReason) expect(r.alternatives).toEqual([]);
      else expect(r.alternatives.length, r.path).toBeGreaterThan(0);
    }
    const unknownWindows = rules.filter((r) => r.logsource?.product === 'windows' && r.unknownReason);
    // ETW-only sources (file_access, file_rename, ldap debug) and a handful of undocumented Security events.
    expect(unknownWindows.length).toBeLessThan(40);
  });

  it('≥ 1,000 rules need Sysmon 1 or the 4688 alternative', () => {
    const n = rules.filter((r) => r.alternatives.some((a) => a.includes('sysmon:1') || a.includes('audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success'))).length;
    expect(n).toBeGreaterThanOrEqual(1000);
    const req = report.requirements.find((q: { id: string }) => q.id === 'sysmon:1');
    expect(req.rules).toBeGreaterThan(1400);
  });

  it('resolves real rules as a detection engineer would by hand', () => {
    // certutil download: Image / CommandLine only → Sysmon 1 or 4688 + command line
    expect(byFile('proc_creation_win_certutil_download.yml')!.alternatives).toEqual([
      ['sysmon:1'],
      ['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success', 'policy:process-creation-command-line'],
    ]);
    // member added to local Administrators: 4732 → Security Group Management success
    expect(byFile('win_security_user_added_to_local_administrators.yml')!.alternatives).toEqual([['audit:{0CCE9237-69AE-11D9-BED3-505054503030}:success']]);
    // LSASS handle (4656/4663, ObjectType Process) → Kernel Object
    const lsass = byFile('win_security_lsass_access_non_system_account.yml')!;
    expect(lsass.eventIds).toEqual([4656, 4663]);
    expect(lsass.alternatives).toContainEqual(['audit:{0CCE921F-69AE-11D9-BED3-505054503030}:failure', 'audit:{0CCE921F-69AE-11D9-BED3-505054503030}:success']);
    expect(lsass.alternatives.flat().some((id) => id.startsWith('audit:{0CCE921D-') || id.startsWith('audit:{0CCE921E-'))).toBe(false);
    // service installed (System 7045) → on by default
    expect(byFile('win_system_service_install_anydesk.yml')!.alternatives).toEqual([[]]);
    // Sysmon-only categories
    expect(byFile('dns_query_win_anonymfiles_com.yml')!.alternatives).toEqual([['sysmon:22']]);
    expect(byFile('image_load_clfs_load.yml')!.alternatives).toEqual([['sysmon:7']]);
    // script block logging for Windows PowerShell; PowerShell 7's covers only pwsh.exe (partial)
    const ps = byFile('posh_ps_aadinternals_cmdlets_execution.yml') as Row & { supplementary: string[][] };
    expect(ps.alternatives).toEqual([['policy:powershell-script-block-logging']]);
    expect(ps.supplementary).toEqual([['policy:powershell-core-script-block-logging']]);
  });

  it('deprecated and unsupported rules are skipped by default and kept with --all-statuses', () => {
    const dep = [join(SIGMA, 'deprecated'), join(SIGMA, 'unsupported')];
    const def = JSON.parse(runCli([...dep, '--format', 'json']).stdout);
    expect(def.summary.skipped.status).toBeGreaterThan(200);
    expect(def.summary.rulesScanned).toBeLessThan(20); // only the few whose own status is neither
    const all = JSON.parse(runCli([...dep, '--all-statuses', '--format', 'json']).stdout);
    expect(all.summary.rulesScanned).toBeGreaterThan(200);
  });

  it('covers every Windows category and service of the Sigma field list', () => {
    const list = JSON.parse(readFileSync(join(CORPUS, 'sigma-tests', 'logsource.json'), 'utf8'));
    const catalog = loadCatalog();
    for (const c of Object.keys(list.legit.windows.category)) expect(catalog.logsource('windows', c), c).toBeDefined();
    for (const s of Object.keys(list.legit.windows.service)) expect(catalog.logsource('windows', undefined, s), s).toBeDefined();
  });
});
