import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const FX = 'test/fixtures/environment';
const json = (args: string[]) => {
  const r = runCli([...args, '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('policy diff from the CLI', () => {
  it('gpresult: verdict per rule, requirement states, summary and ranked fixes', () => {
    const j = json(['examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`]);
    const rule = (t: string) => j.rules.find((r: { title: string }) => r.title.startsWith(t));
    // 4624 + 4625: Logon is Success and Failure on this host
    expect(rule('Failed And Successful').verdict).toBe('ready');
    // 4769 exists only on domain controllers; WS-0142 is a member of Domain Computers
    expect(rule('Kerberos Service Ticket').verdict).toBe('not-applicable');
    expect(rule('Kerberos Service Ticket').why).toMatch(/only on a domain controller; this host is a member/);
    // 4663 on a Run key: Audit Registry is off (cleared by the advanced GPO), so it is blocked whatever the SACL
    expect(rule('Run Key Modified').verdict).toBe('blocked');
    // script block logging on
    expect(rule('PowerShell Script Block').verdict).toBe('ready');
    // process creation: 4688 + command line on, Sysmon unknown → ready through the 4688 alternative
    expect(rule('Certutil').verdict).toBe('ready');
    // hash rule needs Sysmon, which no input describes
    expect(rule('Known Tool Started').verdict).toBe('unknown');
    expect(rule('Known Tool Started').why).toMatch(/no Sysmon configuration given/);
    expect(j.requirements.find((q: { id: string }) => q.id === 'sysmon:1').state).toBe('unknown');
    expect(j.requirements.find((q: { id: string }) => q.id === 'policy:process-creation-command-line').state).toBe('on');
    const v = j.readiness.verdicts;
    // the honest denominator: every applicable Windows rule, unknown included; N/A and other products apart
    expect(v.ready + v.partial + v.blocked + v.unknown + v.notApplicable).toBe(12);
    expect(v.applicable).toBe(11);
    expect(v.outOfScope).toBe(1);
    expect(v.unknownCauses).toEqual({ 'no Sysmon input': 4 });
    expect(v.readiness).toBe(Math.round((1000 * v.ready) / v.applicable) / 10);
    expect(j.readiness.hosts[0].role).toBe('member (not a DC)');
    expect(j.readiness.hosts[0].name).toBe('WS-0142');
    expect(j.readiness.hosts[0].warnings[0]).toMatch(/Security log is capped at 20480 KB .* below the recommended 196608 KB/);
    const first = j.readiness.recommendations[0];
    expect(first.rank).toBe(1);
    expect(first.unlocks).toBeGreaterThanOrEqual(j.readiness.recommendations[1].unlocks);
    for (const r of j.readiness.recommendations) for (const q of r.requires) expect(q.enable).toBeTruthy();
  });

  it('a Security log set never to overwrite is a warning; verdict counts also sit in summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-ret-'));
    const text = readFileSync(`${FX}/gpresult-utf16le-multi-gpo.xml`).subarray(2).toString('utf16le');
    const changed = text.replace(/(<q2:Name>AuditLogRetentionPeriod<\/q2:Name>\s*<q2:Log>Security<\/q2:Log>\s*<q2:SettingNumber>)0/, '$12');
    expect(changed).not.toBe(text);
    writeFileSync(join(dir, 'h.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(changed, 'utf16le')]));
    const j = json(['examples/rules', '--gpresult', join(dir, 'h.xml')]);
    expect(j.readiness.hosts[0].warnings.join('\n')).toMatch(/Security log is set never to overwrite events/);
    expect(j.summary.verdicts).toEqual(j.readiness.verdicts);
  });

  it('PowerShell 7 logging alone makes a ps_script rule partial', () => {
    const j = json(['examples/rules/windows/ps_script_encoded_download.yml', '--gpresult', `${FX}/gpresult-ps7.xml`]);
    expect(j.rules[0].verdict).toBe('partial');
    expect(j.rules[0].missing).toEqual(['policy:powershell-script-block-logging']);
  });

  it("auditpol wins over gpresult; conflicts are reported; another computer's auditpol is another host", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-same-'));
    writeFileSync(join(dir, 'ws-0142.csv'), readFileSync(`${FX}/auditpol-win10-default.csv`, 'utf8').replace(/LT-2207/g, 'WS-0142'));
    const j = json(['examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`, '--auditpol', join(dir, 'ws-0142.csv')]);
    expect(j.readiness.hosts).toHaveLength(1);
    expect(j.readiness.hosts[0].conflicts.length).toBe(3);
    const two = runCli(['examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`, '--auditpol', `${FX}/auditpol-win10-default.csv`]);
    expect(two.stdout).toMatch(/hosts: auditpol auditpol-win10-default.csv names LT-2207, which no gpresult names \(WS-0142\)/);
    expect(two.stdout).toMatch(/WS-0142[\s\S]*LT-2207/);
    expect(j.rules.find((r: { title: string }) => r.title.startsWith('Certutil')).verdict).not.toBe('ready'); // 4688 off per auditpol
  });

  it('--fail-under: exit 1 below, 0 at or above, 2 without an environment', () => {
    const below = runCli(['examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`, '--fail-under', '99']);
    expect(below.status).toBe(1);
    expect(below.stderr).toMatch(/readiness below 99% on 1 host\(s\): WS-0142/);
    expect(runCli(['examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`, '--fail-under', '10']).status).toBe(0);
    const none = runCli(['examples/rules', '--fail-under', '50']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--fail-under needs an environment input/);
    expect(runCli(['examples/rules', '--gpresult', `${FX}/gpresult-ps7.xml`, '--fail-under', 'lots']).status).toBe(2);
  });

  it('bad environment inputs: listed when others are usable, exit 2 when none is', () => {
    const mixed = json(['examples/rules', '--gpresult', `${FX}/gpresult-truncated.xml`, '--gpresult', `${FX}/gpresult-ps7.xml`]);
    expect(mixed.errors.map((e: { path: string }) => e.path)).toContain(`${FX}/gpresult-truncated.xml`);
    expect(mixed.readiness.hosts).toHaveLength(1);
    const bad = runCli(['examples/rules', '--gpresult', `${FX}/gpresult-no-computer.xml`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no usable environment input: .*no <ComputerResults>/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(runCli(['examples/rules', '--gpresult', 'nope.xml']).stderr).toMatch(/no such file or directory: nope.xml/);
  });

  it('a directory of gpresult files is a fleet: host matrix in table, JSON and CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-fleet-'));
    for (const f of ['gpresult-utf16le-multi-gpo.xml', 'gpresult-utf16be.xml', 'gpresult-utf8-legacy-only.xml', 'gpresult-truncated.xml'])
      cpSync(join(FX, f), join(dir, f));
    const j = json(['examples/rules', '--gpresult', dir]);
    expect(j.readiness.hosts.map((h: { name: string }) => h.name).sort()).toEqual(['FS-07', 'WS-0142', 'WS-0388']);
    expect(j.errors.some((e: { path: string }) => e.path.endsWith('gpresult-truncated.xml'))).toBe(true);
    const rule = j.rules.find((r: { title: string }) => r.title.startsWith('Failed And Successful'));
    expect(rule.verdicts.ready + rule.verdicts.partial + rule.verdicts.blocked + rule.verdicts.unknown).toBe(3);
    expect(j.readiness.recommendations[0].hosts).toBeGreaterThanOrEqual(1);
    const csv = runCli(['examples/rules', '--gpresult', dir, '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('host,files,ready,degraded,partial,blocked,unknown,ready_percent,not_applicable,applicable,role');
    expect(csv).toHaveLength(4);
    const table = runCli(['examples/rules', '--gpresult', dir]).stdout;
    expect(table).toMatch(/Unlocks \(rules × hosts\)/);
  });

  it('fix writes only missing settings, never weakens, only inside --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-fix-')), 'remediation');
    const r = runCli(['fix', 'examples/rules', '--gpresult', `${FX}/gpresult-utf16le-multi-gpo.xml`, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    // Both plans: the built-in files, and the Sysmon plan's new config (no Sysmon config in the inputs).
    expect(readdirSync(out).sort()).toEqual([
      'README.txt',
      'audit.csv',
      'enable-audit.cmd',
      'enable-channels.cmd',
      'set-audit-sacls.ps1',
      'sysmon-additions.xml',
    ]);
    // The GPO caps the Security log at 20480 KB, below the recommendation: raised (never lowered), the GPO named
    const logs = readFileSync(join(out, 'enable-channels.cmd'), 'utf8');
    expect(logs).toContain('wevtutil sl "Security" /ms:201326592');
    expect(logs).toMatch(/rem a GPO sets this size/);
    // 4663 on a key needs an audit SACL on it: the script names the key the rule watches (ObjectName|contains)
    const ps1 = readFileSync(join(out, 'set-audit-sacls.ps1'), 'utf8');
    expect(ps1).toContain("Add-RegistryAudit 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'");
    expect(ps1).toContain('AddAuditRule');
    expect(ps1).not.toMatch(/RemoveAuditRule|SetAuditRule|PurgeAuditRules/);
    const cmd = readFileSync(join(out, 'enable-audit.cmd'), 'utf8');
    expect(cmd).toMatch(/\r\n/);
    expect(cmd).not.toMatch(/:disable/);
    // Audit Registry is off (the Run-key rule): enabled; a GPO sets audit policy, so the script warns
    expect(cmd).toContain('auditpol /set /subcategory:{0CCE921E-69AE-11D9-BED3-505054503030} /success:enable');
    expect(cmd).toMatch(/echo WARNING: Group Policy defines this host's audit policy \^\(GPO Default Domain Policy, SOC Audit Baseline\^\)/);
    // Kerberos Service Ticket Operations: DC-only, not applicable on this workstation, so never in its fixes
    expect(cmd).not.toContain('{0CCE9240-');
    // Logon is already Success and Failure: nothing to write for it
    expect(cmd).not.toContain('{0CCE9215-');
    const csv = readFileSync(join(out, 'audit.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value');
    // the complete policy: what is on today stays (Logon S+F, Process Creation S) next to what is added
    expect(csv).toContain(',System,Audit Logon,{0cce9215-69ae-11d9-bed3-505054503030},Success and Failure,,3');
    expect(csv).toContain(',System,Audit Registry,{0cce921e-69ae-11d9-bed3-505054503030},Success,,1');
    expect(csv.some((l) => l.includes('{0cce9240-'))).toBe(false);
    expect(r.stdout).toMatch(/note: object access: sacl:registry/);
    // The Sysmon event types are no longer a note that no file carries them: the Sysmon plan writes the config.
    expect(r.stdout).not.toMatch(/no file here carries a Sysmon configuration/);
    expect(r.stdout).toMatch(
      /^projected: now 54\.5 % · built-in plan [\d.]+ % \(\d+ settings?, volume ≤ medium\) · with Sysmon [\d.]+ % \(\+ 1 Sysmon element\)$/m,
    );
    expect(readFileSync(join(out, 'sysmon-additions.xml'), 'utf8')).toMatch(/<Sysmon schemaversion="[\d.]+">/);
  });

  it('fix keeps what a subcategory already audits and writes policies as .reg', () => {
    const out = mkdtempSync(join(tmpdir(), 'lsc-fix2-'));
    // Script block logging is high volume: fix writes it only when asked (the default budget is medium).
    const r = runCli(['fix', 'examples/rules', '--gpresult', `${FX}/gpresult-ps7.xml`, '--max-volume', 'high', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const reg = readFileSync(join(out, 'logging-policies.reg'));
    expect([...reg.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = reg.subarray(2).toString('utf16le');
    expect(text).toMatch(/^Windows Registry Editor Version 5.00\r\n/);
    expect(text).toContain(
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging]\r\n"EnableScriptBlockLogging"=dword:00000001',
    );
    expect(existsSync(join(out, 'enable-channels.cmd'))).toBe(false);
    expect(runCli(['fix', 'examples/rules', '--out', out]).status).toBe(2); // needs an environment
  });

  it('fix: a subcategory auditing Success that needs Failure gets Success and Failure in audit.csv', () => {
    const out = mkdtempSync(join(tmpdir(), 'lsc-fix3-'));
    const r = runCli(['fix', 'examples/rules/windows/security_brute_force_then_success.yml', '--gpresult', `${FX}/gpresult-utf16be.xml`, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'enable-audit.cmd'), 'utf8')).toContain(
      'auditpol /set /subcategory:{0CCE9215-69AE-11D9-BED3-505054503030} /failure:enable\r\n',
    );
    expect(readFileSync(join(out, 'audit.csv'), 'utf8')).toContain(',System,Audit Logon,{0cce9215-69ae-11d9-bed3-505054503030},Success and Failure,,3');
  });
});

describe('remediation never weakens', () => {
  it('keeps an audited outcome the rule set does not ask for', async () => {
    const { buildRemediation } = await import('../../src/generate/remediation.js');
    const { loadCatalog } = await import('../../src/catalog/load.js');
    const { emptyHost } = await import('../../src/environment/model.js');
    const catalog = loadCatalog();
    const host = emptyHost('h');
    const logon = '{0CCE9215-69AE-11D9-BED3-505054503030}';
    const proc = '{0CCE922B-69AE-11D9-BED3-505054503030}';
    const result = {
      rules: [],
      readiness: { recommendations: [{ requires: [{ id: `audit:${logon}:failure`, state: 'off' }] }] },
    } as unknown as Parameters<typeof buildRemediation>[0];
    // Only Logon known: a GPO audit.csv would clear the other 58 subcategories, so none is written.
    host.covers.audit = true;
    host.audit.set(logon, { success: true, failure: false, source: 'test' });
    const partial = buildRemediation(result, catalog, [host]);
    expect(partial.files.map((f) => f.name)).toEqual(['enable-audit.cmd', 'README.txt']);
    expect(partial.notes.join()).toMatch(/audit.csv not written: the current setting of 58 subcategories/);
    // Everything known: the file is the whole policy, what is on today included (Process Creation).
    for (const sub of catalog.subcategories) if (sub.guid !== logon) host.audit.set(sub.guid, { success: sub.guid === proc, failure: false, source: 'test' });
    const { files } = buildRemediation(result, catalog, [host]);
    const csv = files.find((f) => f.name === 'audit.csv')!.content.toString();
    expect(csv).toContain(',System,Audit Logon,{0cce9215-69ae-11d9-bed3-505054503030},Success and Failure,,3');
    expect(csv).toContain(',System,Audit Process Creation,{0cce922b-69ae-11d9-bed3-505054503030},Success,,1');
    expect(csv.trim().split('\r\n')).toHaveLength(3);
    expect(files.find((f) => f.name === 'enable-audit.cmd')!.content.toString()).toContain(`auditpol /set /subcategory:${logon} /failure:enable\r\n`);
  });
});

describe('the table stays readable', () => {
  it('--top N limits the ranked fixes shown (default 10), and says how many more there are', () => {
    const r = runCli(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml', '--top', '2']);
    expect(r.status).toBe(0);
    const j = JSON.parse(runCli(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml', '--format', 'json']).stdout);
    const n = j.readiness.recommendations.length;
    expect(n).toBeGreaterThan(2);
    expect(r.stdout).toContain(`… ${n - 2} more (--top N, --verbose)`);
    expect(r.stdout).toMatch(/│ 2\s+│/);
    expect(r.stdout).not.toMatch(/│ 3\s+│/);
    expect(runCli(['examples/rules', '--top', 'many']).status).toBe(2);
  });
});
