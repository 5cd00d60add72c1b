/**
 * Issue 22: what a host's files prove and what they do not — SACL outcomes, channel-list completeness, roles
 * from channels and gpresult, Sysmon however installed. Snapshots are the hand-written ones of
 * test/fixtures/snapshot (documented formats), changed file by file in a temporary copy.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadEnvironment } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { sddlOutcomes } from '../../src/environment/sacl-flags.js';
import { requirementState } from '../../src/assess/verdict.js';
import { CORPUS, HAVE_CORPUS, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const SNAP = join(ROOT, 'test/fixtures/snapshot');
const state = (h: HostEnvironment, id: string) => requirementState(id, h, catalog);

/** A copy of a fixture snapshot with some files replaced (undefined: removed). */
function snapshot(from: string, files: Record<string, string | undefined>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-facts-')), from);
  cpSync(join(SNAP, from), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    if (text === undefined) rmSync(join(dir, name), { force: true });
    else writeFileSync(join(dir, name), text);
  }
  return dir;
}
const hostOf = (dir: string): HostEnvironment => {
  const env = loadEnvironment({ host: [dir] }, catalog);
  expect(env.errors).toEqual([]);
  return env.hosts[0]!;
};
const gl = (name: string, enabled = true) =>
  `==== wevtutil gl "${name}"\r\nname: ${name}\r\nenabled: ${enabled}\r\ntype: Operational\r\nlogging:\r\n  logFileName: %SystemRoot%\\System32\\Winevt\\Logs\\x.evtx\r\n  retention: false\r\n  autoBackup: false\r\n  maxSize: 1052672\r\npublishing:\r\n  fileMax: 1\r\n`;

describe('global SACL outcomes', () => {
  it('SDDL audit flags: SA success, FA failure, both; no audit ACE is unread', () => {
    expect(sddlOutcomes('S:(AU;FA;FA;;;WD)')).toEqual({ success: false, failure: true });
    expect(sddlOutcomes('S:(AU;SA;FW;;;WD)')).toEqual({ success: true, failure: false });
    expect(sddlOutcomes('S:(AU;OICISAFA;KA;;;WD)')).toEqual({ success: true, failure: true });
    expect(sddlOutcomes('O:BAG:SYD:(A;;FA;;;SY)').unread).toBeTruthy();
  });

  it('a failure-only global SACL (auditpol /backup row) never satisfies a success requirement', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-sacl-'));
    const csv = join(dir, 'audit.csv');
    writeFileSync(
      csv,
      'Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value\r\n' +
        'WS-0142,System,Audit File System,{0cce921d-69ae-11d9-bed3-505054503030},Success and Failure,,3\r\n' +
        'WS-0142,,FileGlobalSacl,,,,S:(AU;FA;FA;;;WD)\r\n',
    );
    const h = loadEnvironment({ auditpol: [csv] }, catalog).hosts[0]!;
    // not on: only a per-object SACL could still audit successes, and none is in the inputs
    expect(state(h, 'sacl:file')).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/audits failed accesses only/) });
    expect(state(h, 'sacl:file:failure').state).toBe('on');
  });

  it('auditpol /resourceSACL "Flags: Failure" sets the failure side only; "Success" the success side only', () => {
    const view = (flags: string) =>
      `==== auditpol /resourceSACL /type:File /view\r\nEntry: 1\r\nResource Type: File\r\nUser: Everyone\r\nFlags: ${flags}\r\nCondition:\r\nAccesses:\r\n\tFILE_GENERIC_WRITE\r\n\r\nThe command was successfully executed.\r\n`;
    const fail = hostOf(snapshot('WS-0142', { 'auditpol-resourcesacl.txt': view('Failure') }));
    expect(state(fail, 'sacl:file').state).toBe('unknown');
    expect(state(fail, 'sacl:file:failure').state).toBe('on');
    const ok = hostOf(snapshot('WS-0142', { 'auditpol-resourcesacl.txt': view('Success') }));
    expect(state(ok, 'sacl:file').state).toBe('on');
    expect(state(ok, 'sacl:file:failure')).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/audits successful accesses only/) });
  });

  it('4656 (written on both outcomes) needs both sides of the SACL; 4663 (success) the success side', () => {
    const ids = (rule: string) => {
      const r = JSON.parse(runCli([rule, '--format', 'json']).stdout).rules[0];
      return (r.alternatives as string[][]).flat().filter((id) => id.startsWith('sacl:'));
    };
    if (!HAVE_CORPUS) return;
    const sec = join(CORPUS, 'sigmahq/rules/windows/builtin/security');
    expect(ids(join(sec, 'win_security_iso_mount.yml'))).toEqual(['sacl:file']);
    expect(new Set(ids(join(sec, 'win_security_lsass_access_non_system_account.yml')))).toEqual(new Set(['sacl:kernel-object', 'sacl:kernel-object:failure']));
  });
});

describe('channel list completeness', () => {
  it('a Security-only wevtutil-gl.txt leaves every other channel unknown, naming the input that settles it', () => {
    const sec = readFileSync(join(SNAP, 'WS-0142/wevtutil-gl.txt'), 'utf8');
    const only = sec.slice(sec.indexOf('==== wevtutil gl "Security"'), sec.indexOf('====', sec.indexOf('==== wevtutil gl "Security"') + 5));
    const h = hostOf(snapshot('WS-0142', { 'wevtutil-gl.txt': only, 'wevtutil-el.txt': undefined }));
    expect(h.channels?.complete).toBe(false);
    for (const c of [
      'Microsoft-Windows-TaskScheduler/Operational',
      'Microsoft-Windows-CAPI2/Operational',
      'Microsoft-Windows-LSA/Operational',
      'Microsoft-Windows-DNS-Client/Operational',
      'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
    ]) {
      expect(state(h, `channel:${c}`), c).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/not the full list.*wevtutil-el\.txt/) });
    }
    expect(h.notes.join('\n')).toMatch(/wevtutil-gl.txt: 1 channel only.*unknown, not absent/);
  });

  it('with wevtutil-el.txt listing what wevtutil-gl.txt holds, a missing channel is not on the host', () => {
    const h = hostOf(join(SNAP, 'WS-0142'));
    expect(h.channels?.complete).toBe(true);
    expect(state(h, 'channel:Microsoft-Windows-CAPI2/Operational')).toMatchObject({ state: 'off', reason: expect.stringMatching(/not on this host/) });
  });

  it('wevtutil-el.txt naming a channel wevtutil-gl.txt lacks: not the full list', () => {
    const el = readFileSync(join(SNAP, 'WS-0142/wevtutil-el.txt'), 'utf8') + 'Microsoft-Windows-CAPI2/Operational\r\n';
    const h = hostOf(snapshot('WS-0142', { 'wevtutil-el.txt': el }));
    expect(h.channels?.complete).toBe(false);
    expect(state(h, 'channel:Microsoft-Windows-CAPI2/Operational').state).toBe('unknown');
  });
});

describe('roles from what the host shows', () => {
  it('a DC snapshot with the DNS Server channel assesses DNS-server rules (role on, from the channel)', () => {
    const text = readFileSync(join(SNAP, 'DC01/wevtutil-gl.txt'), 'utf8') + gl('DNS Server');
    const h = hostOf(snapshot('DC01', { 'wevtutil-gl.txt': text }));
    expect(state(h, 'role:dns-server')).toMatchObject({ state: 'on', reason: expect.stringMatching(/lists the DNS Server channel/) });
    if (!HAVE_CORPUS) return;
    const rule = join(CORPUS, 'sigmahq/rules/windows/builtin/dns_server/win_dns_server_susp_server_level_plugin_dll.yml');
    const j = JSON.parse(runCli([rule, '--host', snapshot('DC01', { 'wevtutil-gl.txt': text }), '--format', 'json']).stdout);
    expect(j.rules[0].verdict).not.toBe('unknown');
  });

  it('a full channel list without a role channel proves the role absent; without the full list the advice names what settles it', () => {
    const full = hostOf(join(SNAP, 'WS-0142'));
    expect(state(full, 'role:dns-server')).toMatchObject({ state: 'off', reason: expect.stringMatching(/no DNS Server channel/) });
    const partial = hostOf(snapshot('WS-0142', { 'wevtutil-el.txt': undefined, 'systeminfo.csv': undefined }));
    expect(state(partial, 'role:dns-server')).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/--role dns.*wevtutil-el\.txt/) });
    expect(state(partial, 'role:certification-authority').reason).toMatch(/--role ca: no host input shows this role/);
  });

  it('Directory Service channel → domain controller, even without gpresult or systeminfo', () => {
    const h = hostOf(snapshot('DC01', { 'gpresult.xml': undefined, 'systeminfo.csv': undefined }));
    expect(h.role?.kind).toBe('domain-controller');
    expect(state(h, 'role:domain-controller')).toMatchObject({ state: 'on', reason: expect.stringMatching(/Directory Service/) });
  });

  it('gpresult: a workgroup computer is standalone (not a DC); the Default Domain Controllers Policy GUID makes a DC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-gp-'));
    const doc = (domain: string, gpo: string) =>
      `<?xml version="1.0" encoding="utf-8"?><Rsop xmlns="http://www.microsoft.com/GroupPolicy/Rsop"><ComputerResults><Version>1</Version><Name>DESKTOP-7Q2K\\DESKTOP-7Q2K$</Name><Domain>${domain}</Domain>${gpo}</ComputerResults></Rsop>`;
    writeFileSync(join(dir, 'wg.xml'), doc('DESKTOP-7Q2K', ''));
    const wg = loadEnvironment({ gpresult: [join(dir, 'wg.xml')] }, catalog).hosts[0]!;
    expect(wg.role?.kind).toBe('standalone');
    expect(state(wg, 'role:domain-controller')).toMatchObject({ state: 'off', reason: expect.stringMatching(/standalone \(workgroup\)/) });
    const ddcp =
      '<GPO><Name>Standardrichtlinie für Domänencontroller</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{6AC1786C-016F-11D2-945F-00C04fB984F9}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">contoso.local</Domain></Path><AccessDenied>false</AccessDenied><FilterAllowed>true</FilterAllowed></GPO>';
    writeFileSync(join(dir, 'dc.xml'), doc('CONTOSO', ddcp));
    const dc = loadEnvironment({ gpresult: [join(dir, 'dc.xml')] }, catalog).hosts[0]!;
    expect(dc.role).toMatchObject({ kind: 'domain-controller', source: expect.stringMatching(/Default Domain Controllers Policy/) });
  });
});

describe('Sysmon however it is installed', () => {
  const sc = (name: string, path: string) =>
    `==== sc query ${name}\r\n\r\nSERVICE_NAME: ${name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 4  RUNNING\r\n\r\n==== sc qc ${name}\r\n[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: ${name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        START_TYPE         : 2   AUTO_START\r\n        BINARY_PATH_NAME   : ${path}\r\n        DISPLAY_NAME       : ${name}\r\n`;
  const gp = (path: string) =>
    `==== wevtutil gp Microsoft-Windows-Sysmon\r\nname: Microsoft-Windows-Sysmon\r\nguid: 5770385f-c22a-43e0-bf4c-06f5698ffbd9\r\nmessageFileName: ${path}\r\n`;
  const absent = (name: string) =>
    `==== sc query ${name}\r\n[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n`;

  it('a renamed Sysmon (service named after the binary that registered the publisher) is found and running', () => {
    const text = gp('C:\\Windows\\svcmonx.exe') + absent('Sysmon64') + absent('Sysmon') + sc('svcmonx', 'C:\\Windows\\svcmonx.exe');
    const h = hostOf(snapshot('WS-0142', { 'sysmon-service.txt': text }));
    expect(h.sysmonService).toMatchObject({ state: 'running', source: expect.stringMatching(/svcmonx.*another name/) });
  });

  it('the Windows built-in Sysmon (service sysmon, System32) is named as such', () => {
    const text = gp('C:\\Windows\\System32\\Sysmon.exe') + absent('Sysmon64') + sc('sysmon', 'C:\\Windows\\System32\\Sysmon.exe');
    const h = hostOf(snapshot('WS-0142', { 'sysmon-service.txt': text }));
    expect(h.sysmonService).toMatchObject({ state: 'running', builtin: true, source: expect.stringMatching(/built-in Sysmon/) });
  });

  it('default names absent in an older snapshot: unknown unless the channel list settles it; an enabled Sysmon channel is a conflict', () => {
    const old = absent('Sysmon64') + absent('Sysmon');
    const unsure = hostOf(snapshot('WS-0142', { 'sysmon-service.txt': old, 'wevtutil-el.txt': undefined }));
    expect(unsure.sysmonService?.state).toBe('unknown');
    expect(state(unsure, 'sysmon:1')).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/another name is not ruled out/) });
    const full = hostOf(snapshot('WS-0142', { 'sysmon-service.txt': old }));
    expect(full.sysmonService).toMatchObject({ state: 'absent', source: expect.stringMatching(/has no Sysmon channel/) });
    const withChannel = readFileSync(join(SNAP, 'WS-0142/wevtutil-gl.txt'), 'utf8') + gl('Microsoft-Windows-Sysmon/Operational');
    const conflict = hostOf(snapshot('WS-0142', { 'sysmon-service.txt': old, 'wevtutil-gl.txt': withChannel }));
    expect(conflict.sysmonService?.state).toBe('unknown');
    expect(conflict.conflicts.join('\n')).toMatch(/Sysmon\/Operational channel enabled/);
  });

  it('publisher not registered and no minifilter at 385201: absent, however named', () => {
    const h = hostOf(join(SNAP, 'WS-0142'));
    expect(h.sysmonService).toMatchObject({ state: 'absent', source: expect.stringMatching(/publisher is not registered.*385201/) });
  });
});
