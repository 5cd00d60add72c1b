/**
 * The findings of test/fixtures/real/FINDINGS.md ("expected, not met yet" when the real captures were first run),
 * each now asserted on the real file it came from. Expectations were read off the files by hand (SOURCES.md).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { requirementState } from '../../src/assess/verdict.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { parseScOutput, parseSysmonDashC } from '../../src/environment/services.js';
import { CORPUS, HAVE_CORPUS, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const REAL = join(ROOT, 'test/fixtures/real');
const SNAP = join(ROOT, 'test/fixtures/snapshot');
const text = (p: string) => readFileSync(join(REAL, p), 'utf8');

/** The WS-0142 fixture snapshot with files replaced by real captures (undefined: removed). */
function snapshot(files: Record<string, string | Buffer | undefined>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-real-')), 'WS-0142');
  cpSync(join(SNAP, 'WS-0142'), dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) {
    if (body === undefined) rmSync(join(dir, name), { force: true });
    else writeFileSync(join(dir, name), body);
  }
  return dir;
}

describe('E1: the real failure-only global SACL (RIT CyberForce auditpol /backup)', () => {
  const csv = join(REAL, 'auditpol-backup/rit-cyberforce-failure-only-global-sacl.csv');

  it('S:(AU;FA;…) sets the failure side only: success events through the SACL are not on', () => {
    const h = loadEnvironment({ auditpol: [csv] }, catalog).hosts[0]!;
    for (const kind of ['file', 'registry']) {
      expect(requirementState(`sacl:${kind}`, h, catalog), kind).toMatchObject({
        state: 'unknown',
        reason: expect.stringMatching(/audits failed accesses only/),
      });
      expect(requirementState(`sacl:${kind}:failure`, h, catalog).state, kind).toBe('on');
    }
  });

  it.runIf(HAVE_CORPUS)('the six rules that read success events through a SACL are no longer ready', () => {
    const sec = join(CORPUS, 'sigmahq/rules/windows/builtin/security');
    const rules = [
      'win_security_dot_net_etw_tamper.yml',
      'win_security_net_ntlm_downgrade.yml',
      'win_security_windows_defender_exclusions_registry_modified.yml',
      'win_security_sysmon_channel_reference_deletion.yml',
      'win_security_registry_permissions_weakness_check.yml',
      'win_security_teams_suspicious_objectaccess.yml',
    ];
    const j = JSON.parse(runCli([...rules.map((r) => join(sec, r)), '--auditpol', csv, '--format', 'json']).stdout);
    expect(j.rules).toHaveLength(6);
    for (const r of j.rules) expect(r.verdict, r.path).not.toBe('ready');
  });
});

describe('E2: a reg export of a subtree (real Edge policies export, UTF-16)', () => {
  it('leaves the PowerShell policies outside it unknown, not off, and says which export settles it', () => {
    const dir = snapshot({ 'policies.reg': readFileSync(join(REAL, 'reg/edge-policies-hklm-subtree.reg')) });
    const h = loadEnvironment({ host: [dir] }, catalog).hosts[0]!;
    expect(requirementState('policy:powershell-script-block-logging', h, catalog)).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/outside what policies.reg exports \(rooted at HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE\)/),
    });
    expect(h.notes.join('\n')).toMatch(
      /policies.reg: the export is rooted at HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE.*reg export HKLM\\SOFTWARE\\POLICIES settles it/,
    );
  });
});

describe('E4/E5: the built-in Sysmon (Windows 11 optional feature) sysmon -c', () => {
  it('the "Sysmon is running." trailer is a status line: the 26 rule blocks are kept', () => {
    const d = parseSysmonDashC(text('sysmon-dashc/builtin-sysmon-win11.txt'));
    expect(d.rules).toHaveLength(26);
    expect(d.rules![0]).toMatchObject({ element: 'ProcessCreate', onmatch: 'include' });
    expect(d.rules![0]!.conditions).toHaveLength(35);
    expect(d.rules![0]!.conditions[0]).toEqual({ field: 'ParentImage', condition: 'image', value: 'sethc.exe' });
    expect(d.rules!.at(-1)).toMatchObject({ element: 'FileExecutableDetected', onmatch: 'include' });
    expect(d.rules!.at(-1)!.conditions).toHaveLength(2);
    expect(d.notes.join('\n')).toMatch(/status line "Sysmon is running\."/);
    expect(d.configFile).toBe('C:\\Windows\\System32\\Sysmon\\config.xml');
  });

  it('in a snapshot: the pt-BR sc capture + fltmc + this -c: the built-in Sysmon, running, named; sysmon.txt notes reach the host', () => {
    const sc = `==== sc query sysmon\r\n${text('services/sc-query-sysmon-builtin-ptbr.txt')}\r\n==== fltmc filters\r\n${text('services/fltmc-sysmondrv-builtin.txt')}`;
    const dir = snapshot({ 'sysmon-service.txt': sc, 'sysmon.txt': text('sysmon-dashc/builtin-sysmon-win11.txt'), 'sysmon-config.xml': undefined });
    const h = loadEnvironment({ host: [dir] }, catalog).hosts[0]!;
    expect(h.sysmonService).toMatchObject({ state: 'running', builtin: true, source: expect.stringMatching(/sysmon RUNNING \(the Windows built-in Sysmon/) });
    expect(h.notes.join('\n')).toMatch(/sysmon.txt: line \d+: status line/);
  });
});

describe('E6/E7: localized sc output and fltmc', () => {
  it('Portuguese sc labels: state read by its symbol, with a note saying so', () => {
    const set = parseScOutput(`==== sc query sysmon\r\n${text('services/sc-query-sysmon-builtin-ptbr.txt')}`);
    expect(set.services.get('sysmon')).toMatchObject({ exists: true, state: 'RUNNING' });
    expect(set.notes.join('\n')).toMatch(/sc output is not in English \("NOME_DO_SERVI/);
  });

  it('the minifilter at altitude 385201 is found by the fltmc section; without the header it is not sc output and is noted', () => {
    const fl = text('services/fltmc-sysmondrv-builtin.txt');
    const quiet = parseScOutput(`==== fltmc filters\r\n${fl}`);
    expect(quiet.notes).toEqual([]);
    expect(quiet.services.size).toBe(0);
  });
});

describe('E9: a service listed without its state (findstr-cut sc query)', () => {
  it('is installed, but Sysmon rules are unknown: running is not proven', () => {
    const dir = snapshot({
      'sysmon-service.txt': `==== sc query sysmon64\r\n${text('services/sc-query-sysmon64-findstr-choco.txt')}`,
      'sysmon-config.xml': readFileSync(join(SNAP, 'DC01/sysmon-config.xml')),
    });
    const h = loadEnvironment({ host: [dir] }, catalog).hosts[0]!;
    expect(h.sysmonService?.state).toBe('installed');
    expect(requirementState('sysmon:1', h, catalog)).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/whether it runs is not in the inputs/) });
  });
});

describe('E8: a gpresult that declares UTF-16 but is 8-bit text (real, re-saved)', () => {
  it('is read, with a note saying so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-enc-'));
    cpSync(join(REAL, 'gpresult/dc-meshclust-2019.xml'), join(dir, 'dc1.xml'));
    const h = loadEnvironment({ gpresult: [join(dir, 'dc1.xml')] }, catalog).hosts[0]!;
    expect(h.role?.kind).toBe('domain-controller');
    expect(h.notes.join('\n')).toMatch(/gpresult dc1.xml: declares encoding="utf-16" but its bytes are 8-bit text/);
    const utf16 = loadEnvironment({ gpresult: [join(REAL, 'gpresult/dc-child-adlab-2023.xml')] }, catalog).hosts[0]!;
    expect(utf16.notes.join('\n')).not.toMatch(/declares encoding/);
  });
});

describe('E3: event log sizes set by the administrative template (real CIS member server gpresult)', () => {
  it('Application, Security, Setup and System sizes and overwrite behaviour are read, naming the template', () => {
    const h = loadEnvironment({ gpresult: [join(REAL, 'gpresult/member-cis-ms01-2023.xml')] }, catalog).hosts[0]!;
    expect(h.eventLogs.get('Security')).toMatchObject({
      maxSizeKB: 196608,
      retention: 0,
      policy: expect.stringMatching(/administrative template .*Event Log Service > Security/),
    });
    for (const log of ['Application', 'Setup', 'System']) expect(h.eventLogs.get(log), log).toMatchObject({ maxSizeKB: 32768, retention: 0 });
  });
});

describe('sc captures pasted with their prompt', () => {
  it('a PowerShell prompt and a chcp line before the real pt-BR sc output are skipped with a note, not read as a service', () => {
    const set = parseScOutput(
      `Página de código ativa: 850\r\nPS C:\\Windows\\system32> sc.exe query sysmon\r\n${text('services/sc-query-sysmon-builtin-ptbr.txt')}`,
    );
    expect([...set.services.keys()]).toEqual(['sysmon']);
    expect(set.services.get('sysmon')?.state).toBe('RUNNING');
    expect(set.notes.join('\n')).toMatch(/is a prompt or chcp line, not sc output; skipped/);
  });
});

describe('E10: a localized "channel not found" (real Japanese wevtutil output)', () => {
  it('is read as "not on this host" (data/channels.yaml notFound), not left unknown', () => {
    const lines = text('wevtutil/ja-channel-not-found-enablewindowslogsettings18.txt').split(/\r?\n/).slice(1).join('\r\n');
    const gl = readFileSync(join(SNAP, 'WS-0142/wevtutil-gl.txt'), 'utf8') + `==== wevtutil gl "PowerShellCore/Operational"\r\n${lines}\r\n`;
    const h = loadEnvironment({ host: [snapshot({ 'wevtutil-gl.txt': gl })] }, catalog).hosts[0]!;
    expect(requirementState('channel:PowerShellCore/Operational', h, catalog)).toMatchObject({
      state: 'off',
      reason: expect.stringMatching(/does not exist on this host/),
    });
  });
});
