import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadEnvironment } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';

const catalog = loadCatalog();
const F = (name: string) => fileURLToPath(new URL(`../fixtures/environment/${name}`, import.meta.url));
const G = {
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  logoff: '{0CCE9216-69AE-11D9-BED3-505054503030}',
  proc: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  sgm: '{0CCE9237-69AE-11D9-BED3-505054503030}',
  kas: '{0CCE9242-69AE-11D9-BED3-505054503030}',
  fs: '{0CCE921D-69AE-11D9-BED3-505054503030}',
  cred: '{0CCE923F-69AE-11D9-BED3-505054503030}',
  special: '{0CCE921B-69AE-11D9-BED3-505054503030}',
  procEnd: '{0CCE922C-69AE-11D9-BED3-505054503030}',
  uam: '{0CCE9235-69AE-11D9-BED3-505054503030}',
  kobj: '{0CCE921F-69AE-11D9-BED3-505054503030}',
};
const one = (gpresult: string[], auditpol: string[] = []): HostEnvironment => {
  const env = loadEnvironment({ gpresult, auditpol }, catalog);
  expect(env.errors).toEqual([]);
  expect(env.hosts).toHaveLength(1);
  return env.hosts[0]!;
};
const audit = (h: HostEnvironment, guid: string) => {
  const v = h.audit.get(guid);
  return v ? { s: v.success, f: v.failure } : undefined;
};

describe('gpresult /x', () => {
  it('UTF-16 LE, several GPOs: the Precedence 1 entry wins, lower-case GUIDs, only ComputerResults', () => {
    const h = one([F('gpresult-utf16le-multi-gpo.xml')]);
    expect(h.name).toBe('WS-0142');
    expect(audit(h, G.logon)).toEqual({ s: true, f: true }); // 3 at precedence 1 beats 1 at precedence 2
    expect(audit(h, G.proc)).toEqual({ s: true, f: false }); // 1 at precedence 1 beats 0 at precedence 2
    expect(audit(h, G.sgm)).toEqual({ s: true, f: false });
    expect(audit(h, G.kas)).toEqual({ s: false, f: true });
    expect(audit(h, G.fs)).toEqual({ s: true, f: false });
    // advanced policy from Group Policy clears the rest: a subcategory no GPO names is off
    expect(audit(h, G.logoff)).toEqual({ s: false, f: false });
    expect(h.audit.get(G.logoff)!.inferred).toBe(true);
    // legacy AuditLogonEvents is ignored: force-subcategory option enabled
    expect(h.notes.join('\n')).toMatch(/legacy audit categories \(AuditLogonEvents\) are ignored/);
    expect(h.policies.get('powershell-script-block-logging')!.state).toBe('on');
    expect(h.policies.get('powershell-module-logging')!.state).toBe('on'); // module list has "*"
    expect(h.policies.get('process-creation-command-line')!.state).toBe('on');
    // the user-side transcription policy is in UserResults and must not count
    expect(h.policies.has('powershell-transcription')).toBe(false);
    expect(h.notes.join('\n')).toMatch(/"Turn on Script Execution" in "Windows Components\/Windows PowerShell" is not one logsource-check knows/);
    expect(h.eventLogs.get('Security')!.maxSizeKB).toBe(20480);
  });

  it('UTF-16 BE with upper- and mixed-case GUIDs', () => {
    const h = one([F('gpresult-utf16be.xml')]);
    expect(audit(h, G.cred)).toEqual({ s: true, f: true });
    expect(audit(h, G.logon)).toEqual({ s: true, f: false });
    expect(audit(h, G.special)).toEqual({ s: true, f: false });
  });

  it('legacy categories alone expand to every subcategory of their category', () => {
    const h = one([F('gpresult-utf8-legacy-only.xml')]);
    expect(audit(h, G.logon)).toEqual({ s: true, f: true });
    expect(audit(h, G.logoff)).toEqual({ s: true, f: true });
    expect(audit(h, G.proc)).toEqual({ s: true, f: false });
    expect(audit(h, G.procEnd)).toEqual({ s: true, f: false });
    expect(audit(h, G.uam)).toEqual({ s: true, f: false });
    expect(audit(h, G.kas)).toBeUndefined(); // Account Logon not configured: the Windows default applies
  });

  it('force-subcategory option disabled: the legacy category overrides its subcategories', () => {
    const h = one([F('gpresult-legacy-and-advanced-no-force.xml')]);
    expect(audit(h, G.proc)).toEqual({ s: false, f: true }); // AuditProcessTracking failure-only beats advanced success
    expect(h.notes.join()).toMatch(/is disabled: legacy categories \(AuditProcessTracking\) override/);
  });

  it('PowerShell 7 policies, and a module list without "*" does not count', () => {
    const h = one([F('gpresult-ps7.xml')]);
    expect(h.policies.get('powershell-core-script-block-logging')!.state).toBe('on');
    expect(h.policies.get('powershell-core-module-logging')).toMatchObject({
      state: 'off',
      detail: expect.stringMatching(/covers only Microsoft.PowerShell.\*, ActiveDirectory/),
    });
    expect(h.policies.get('powershell-module-logging')!.state).toBe('off');
    expect(h.policies.has('powershell-script-block-logging')).toBe(false);
  });

  it('truncated, user-only, wrong and UTF-16 files without BOM: one clear error each, other files still read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-env-'));
    const text = readFileSync(F('gpresult-utf8-legacy-only.xml'), 'utf8');
    writeFileSync(join(dir, 'nobom-utf16.xml'), Buffer.from(text.replace('encoding="utf-8"', 'encoding="utf-16"'), 'utf16le'));
    writeFileSync(join(dir, 'not-gpresult.xml'), '<Sysmon schemaversion="4.50"/>');
    writeFileSync(join(dir, 'empty.xml'), '');
    const env = loadEnvironment({ gpresult: [F('gpresult-truncated.xml'), F('gpresult-no-computer.xml'), dir] }, catalog);
    expect(env.hosts.map((h) => h.name)).toEqual(['WS-0388']);
    const msgs = env.errors.map((e) => `${e.path.split('/').pop()}: ${e.message}`);
    expect(msgs).toContainEqual(expect.stringMatching(/^gpresult-truncated.xml: XML error at line \d+: the file is incomplete or malformed/));
    expect(msgs).toContainEqual(expect.stringMatching(/^gpresult-no-computer.xml: no <ComputerResults>/));
    expect(msgs).toContainEqual(expect.stringMatching(/^not-gpresult.xml: not a gpresult \/x file/));
    expect(msgs).toContainEqual(expect.stringMatching(/^empty.xml: /));
  });
});

describe('auditpol CSV', () => {
  it('auditpol /get /r of a default Windows 10: every subcategory, English inclusion strings', () => {
    const h = one([], [F('auditpol-win10-default.csv')]);
    expect(h.name).toBe('LT-2207');
    expect(h.audit.size).toBe(59);
    expect(audit(h, G.logon)).toEqual({ s: true, f: true });
    expect(audit(h, G.proc)).toEqual({ s: false, f: false });
    expect(h.covers).toEqual({ audit: true, policies: false });
  });

  it('GPO backup audit.csv: Setting Value wins over a foreign inclusion string; options skipped; unreadable rows noted', () => {
    const h = one([], [F('gpo-backup-audit.csv')]);
    expect(audit(h, G.uam)).toEqual({ s: true, f: false }); // "Erfolg", Setting Value 1
    expect(audit(h, G.cred)).toEqual({ s: true, f: true });
    // A GPO's audit.csv replaces the whole advanced policy: what it leaves out is No Auditing once applied.
    expect(audit(h, G.kobj)).toEqual({ s: false, f: false });
    expect(h.audit.get(G.kobj)!.source).toMatch(/not in this audit.csv/);
    expect(h.notes.join()).toMatch(/line 10: .* is not understood and there is no numeric Setting Value/);
    expect([...h.audit.keys()].some((k) => k.includes('OPTION'))).toBe(false);
  });

  it('inputs naming different computers are two hosts, never merged, and the report says so', () => {
    const env = loadEnvironment({ gpresult: [F('gpresult-utf16le-multi-gpo.xml')], auditpol: [F('auditpol-win10-default.csv')] }, catalog);
    expect(env.hosts.map((h) => h.name)).toEqual(['WS-0142', 'LT-2207']);
    expect(env.identity.join()).toMatch(/names LT-2207, which no gpresult names \(WS-0142\): assessed as a host of its own/);
    expect(env.hosts[0]!.files).toHaveLength(1);
  });

  it('auditpol (in force) wins over gpresult (configured) and every disagreement is reported', () => {
    // the same computer's auditpol export (the fixture renamed to the gpresult's host)
    const dir = mkdtempSync(join(tmpdir(), 'lsc-same-'));
    writeFileSync(join(dir, 'ws-0142.csv'), readFileSync(F('auditpol-win10-default.csv'), 'utf8').replace(/LT-2207/g, 'WS-0142'));
    const h = one([F('gpresult-utf16le-multi-gpo.xml')], [join(dir, 'ws-0142.csv')]);
    expect(audit(h, G.proc)).toEqual({ s: false, f: false });
    expect(h.conflicts).toHaveLength(3);
    expect(h.conflicts.join('\n')).toMatch(/Audit Process Creation: gpresult .* configures Success, auditpol .* shows No Auditing/);
  });

  it('rejects a CSV that is not auditpol output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-csv-'));
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n');
    const env = loadEnvironment({ auditpol: [join(dir, 'x.csv')] }, catalog);
    expect(env.errors[0]!.message).toMatch(/not an auditpol CSV/);
  });
});

describe('host role', () => {
  it('gpresult: Domain Controllers group (RID 516) → domain controller; Domain Computers (RID 515) → member', () => {
    const dc = one([F('gpresult-dc-legacy-only.xml')]);
    expect(dc.role).toMatchObject({ kind: 'domain-controller', complete: false });
    expect(dc.role!.source).toMatch(/member of S-1-5-21-.*-516/);
    expect(dc.auditOrigin).toMatchObject({
      legacy: expect.arrayContaining(['AuditLogonEvents', 'AuditProcessTracking']),
      advancedGpo: false,
      gpos: ['Default Domain Controllers Policy'],
    });
    const ws = one([F('gpresult-utf16le-multi-gpo.xml')]);
    expect(ws.role).toMatchObject({ kind: 'member' });
    expect(ws.auditOrigin!.advancedGpo).toBe(true);
  });
  it('--role: complete roles per host, winning over gpresult with a conflict; bad words refused', async () => {
    const { parseRoleOption } = await import('../../src/environment/load.js');
    expect(parseRoleOption('WS-0142=workstation')).toEqual({ host: 'WS-0142', kind: 'workstation', features: [] });
    expect(parseRoleOption('dc,dns')).toEqual({ host: undefined, kind: 'domain-controller', features: ['dns-server'] });
    expect(() => parseRoleOption('dc,mainframe')).toThrow(/unknown role "mainframe"/);
    expect(() => parseRoleOption('=dc')).toThrow(/expected \[HOST=\]ROLE/);
    const env = loadEnvironment(
      { gpresult: [F('gpresult-utf16le-multi-gpo.xml'), F('gpresult-dc-legacy-only.xml')], roles: ['DC01=dc,ca', 'ws-0142=workstation', 'NOPE=dc'] },
      catalog,
    );
    const [ws, dc] = env.hosts;
    expect(ws!.role).toMatchObject({ kind: 'workstation', complete: true });
    expect(dc!.role).toMatchObject({ kind: 'domain-controller', complete: true });
    expect([...dc!.role!.features]).toEqual(['certification-authority']);
    expect(env.errors).toEqual([{ path: '--role', message: expect.stringMatching(/no host named NOPE/) }]);
  });
});

describe('hosts streamed one at a time (streamEnvironment)', () => {
  it('fleet-wide inputs apply to every host; problems are listed per kind of input, in argument order', async () => {
    const { streamEnvironment } = await import('../../src/environment/load.js');
    const dir = mkdtempSync(join(tmpdir(), 'lsc-stream-'));
    const text = readFileSync(F('gpresult-utf8-legacy-only.xml'), 'utf8');
    for (const n of ['A1', 'A2', 'A3', 'A4']) writeFileSync(join(dir, `${n}.xml`), text.replace('WS-0388', n));
    writeFileSync(join(dir, 'broken.xml'), text.slice(0, 500));
    writeFileSync(join(dir, 'bad-audit.csv'), 'not,an,auditpol\n');
    const sysmon = fileURLToPath(new URL('../fixtures/snapshot/DC01/sysmon-config.xml', import.meta.url));
    const s = streamEnvironment(
      { gpresult: [dir], auditpol: [F('auditpol-win10-default.csv'), join(dir, 'bad-audit.csv')], sysmon: [sysmon, join(dir, 'nope.xml')], roles: ['NOPE=dc'] },
      catalog,
    );
    // Nothing is read until the hosts are asked for; then one host at a time, each complete.
    expect(s.env.hostCount).toBe(0);
    const names: string[] = [];
    for (const h of s.hosts) {
      names.push(h.name);
      expect(h.sysmon?.path).toBe(sysmon);
      expect(s.env.errors).toEqual([]); // problems are gathered per kind and listed at the end
    }
    expect(names).toEqual(['A1', 'A2', 'A3', 'A4', 'LT-2207']);
    expect(s.env.hostCount).toBe(5);
    // The export naming a computer no gpresult names: its own host, said once with the first names and a count.
    expect(s.env.identity).toEqual([
      expect.stringMatching(/auditpol auditpol-win10-default.csv names LT-2207, which no gpresult names \(A1, A2, A3, … 1 more\)/),
    ]);
    // gpresult, then auditpol, then --role, then Sysmon: the order loadEnvironment has always listed them in.
    expect(s.env.errors.map((e) => e.path.split('/').pop())).toEqual(['broken.xml', 'bad-audit.csv', '--role']);
    expect(s.env.missing.map((m) => m.split('/').pop())).toEqual(['nope.xml']);
  });
});
