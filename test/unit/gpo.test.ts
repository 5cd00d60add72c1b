import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { requirementState } from '../../src/assess/verdict.js';
import { parseGptTmpl } from '../../src/environment/gpttmpl.js';
import { loadEnvironment } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { parseRegistryPol } from '../../src/environment/registry-pol.js';

const catalog = loadCatalog();
const REAL = fileURLToPath(new URL('../fixtures/real/gpo/t0x01-win11/', import.meta.url));
/** "Windows 11 - Audit" and "Windows 11 - Computer": real GPMC backups (test/fixtures/real/gpo/SOURCES.md). */
const AUDIT = join(REAL, '{C225A014-F2A4-482B-9C30-0F3A6BA90A5C}');
const COMPUTER = join(REAL, '{CAB5F8A2-E42D-4512-89BD-75CCFA453790}');
const LEGACY = fileURLToPath(new URL('../fixtures/gpo/handmade-legacy/{5A1E0C3B-7D21-4C55-9E0A-1B2C3D4E5F60}', import.meta.url));
const POL = (dir: string) => join(dir, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol');
const CSV = (dir: string) => join(dir, 'DomainSysvol', 'GPO', 'Machine', 'microsoft', 'windows nt', 'Audit', 'audit.csv');
const G = {
  proc: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  fs: '{0CCE921D-69AE-11D9-BED3-505054503030}',
  dpapi: '{0CCE922D-69AE-11D9-BED3-505054503030}',
  policyChange: '{0CCE922F-69AE-11D9-BED3-505054503030}',
};

const gpoHost = (gpo: string[]): { host: HostEnvironment; errors: { path: string; message: string }[] } => {
  const env = loadEnvironment({ gpo }, catalog);
  expect(env.missing).toEqual([]);
  expect(env.hosts).toHaveLength(1);
  return { host: env.hosts[0]!, errors: env.errors };
};
const state = (host: HostEnvironment, id: string) => requirementState(id, host, catalog);

/** A registry.pol of the given entries, written as the documented format says. */
function pol(entries: { key: string; value: string; type: number; data: Buffer }[], version = 1): Buffer {
  const u = (s: string) => Buffer.from(`${s}\0`, 'utf16le');
  const c = (ch: string) => Buffer.from(ch, 'utf16le');
  const dw = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const parts: Buffer[] = [Buffer.from('PReg', 'latin1'), dw(version)];
  for (const e of entries) parts.push(c('['), u(e.key), c(';'), u(e.value), c(';'), dw(e.type), c(';'), dw(e.data.length), c(';'), e.data, c(']'));
  return Buffer.concat(parts);
}
const dword = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const CMDLINE_KEY = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit';

/** A copy of a backup in a temporary folder, renamed (bkupInfo.xml) so that two copies are told apart. */
function copyBackup(src: string, name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-gpo-')), '{COPY}');
  cpSync(src, dir, { recursive: true });
  const info = join(dir, 'bkupInfo.xml');
  writeFileSync(info, readFileSync(info, 'utf8').replace(/GPODisplayName><!\[CDATA\[[^\]]*\]\]>/, `GPODisplayName><![CDATA[${name}]]>`));
  return dir;
}

describe('registry.pol reader', () => {
  it('reads the real Windows 11 - Audit registry.pol entry by entry', () => {
    const r = parseRegistryPol(readFileSync(POL(AUDIT)));
    expect(r.partial).toBeUndefined();
    expect(r.entries).toHaveLength(14);
    expect(r.entries[0]).toEqual({ key: CMDLINE_KEY, value: 'ProcessCreationIncludeCmdLine_Enabled', type: 4, size: 4, data: 1 });
    expect(r.entries.find((e) => e.key.endsWith('EventLog\\Security') && e.value === 'MaxSize')?.data).toBe(1024000);
    expect(r.entries.find((e) => e.value === '**delvals.')?.key).toBe('Software\\Policies\\Microsoft\\Windows\\PowerShell\\ModuleLogging\\ModuleNames');
  });

  it('refuses a file without the PReg signature or with another version', () => {
    expect(() => parseRegistryPol(Buffer.from('REGEDIT4\r\n'))).toThrow(/not a registry.pol file/);
    expect(() => parseRegistryPol(pol([], 2))).toThrow(/version 2/);
    expect(() => parseRegistryPol(Buffer.alloc(0))).toThrow(/PReg/);
  });

  it('a file cut short is partial: the entries before the cut are kept, the cut is named', () => {
    const whole = readFileSync(POL(AUDIT));
    // Entry 1 ends with "]" at bytes 234-235 (hexdump of the file); byte 300 falls inside entry 2's key.
    const r = parseRegistryPol(whole.subarray(0, 300));
    expect(r.entries).toHaveLength(1);
    expect(r.partial).toBe('entry 2 (from byte 236): the key name is cut off; it and the entries after it are not read');
  });

  it('never trusts a size beyond the buffer', () => {
    const good = pol([{ key: CMDLINE_KEY, value: 'ProcessCreationIncludeCmdLine_Enabled', type: 4, data: dword(1) }]);
    const bad = Buffer.from(good);
    // The size DWORD sits after "[key\0;value\0;type;": overwrite it with 4 GB - 1.
    const at = bad.length - 2 - 4 - 2 - 4;
    bad.writeUInt32LE(0xffffffff, at);
    const r = parseRegistryPol(bad);
    expect(r.entries).toEqual([]);
    expect(r.partial).toMatch(/declared as 4294967295 bytes but only 6 remain/);
  });

  it('a partial registry.pol is one error naming the file, and the policies it may still set are unknown', () => {
    const dir = copyBackup(AUDIT, 'Cut');
    writeFileSync(POL(dir), readFileSync(POL(AUDIT)).subarray(0, 100));
    const { host, errors } = gpoHost([dir]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe(POL(dir));
    expect(errors[0]!.message).toBe(
      'entry 1 (from byte 8): the key name is cut off; it and the entries after it are not read; read as partial: a policy it does not set before that point is unknown',
    );
    expect(state(host, 'policy:process-creation-command-line')).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/registry.pol of GPO Cut was read only in part/),
    });
    // The audit policy comes from audit.csv, which was read whole.
    expect(state(host, `audit:${G.proc}:success`).state).toBe('on');
  });

  it('a registry.pol that is something else is one error naming it; the rest of the backup still counts', () => {
    const dir = copyBackup(AUDIT, 'Broken');
    writeFileSync(POL(dir), 'not a policy file');
    const { host, errors } = gpoHost([dir]);
    expect(errors).toEqual([{ path: POL(dir), message: 'not a registry.pol file (it does not start with the "PReg" signature)' }]);
    expect(state(host, `audit:${G.proc}:success`).state).toBe('on');
  });
});

describe('GptTmpl.inf', () => {
  it('reads legacy categories, log settings and registry values (hand-made UTF-16LE file)', () => {
    const t = parseGptTmpl(readFileSync(join(LEGACY, 'DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf')).subarray(2).toString('utf16le'));
    expect([...t.legacy]).toEqual([
      ['AuditSystemEvents', { success: false, failure: false }],
      ['AuditLogonEvents', { success: true, failure: true }],
      ['AuditProcessTracking', { success: true, failure: false }],
      ['AuditPolicyChange', { success: false, failure: true }],
    ]);
    expect(t.eventLogs.get('Security')).toEqual({ maxSizeKB: 196608, retention: 0 });
    expect(t.eventLogs.get('System')).toEqual({ maxSizeKB: 32768 });
    expect(t.registry.map((r) => `${r.key}\\${r.value}=${String(r.data)}`)).toEqual([
      'HKLM\\System\\CurrentControlSet\\Control\\Lsa\\SCENoApplyLegacyAuditPolicy=0',
      'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit\\ProcessCreationIncludeCmdLine_Enabled=1',
    ]);
    expect(t.notes).toEqual([]);
  });

  it('says which lines it could not use', () => {
    const t = parseGptTmpl('[Event Audit]\nAuditLogonEvents = 7\n[Security Log]\nMaximumLogSize = big\n');
    expect(t.legacy.size).toBe(0);
    expect(t.notes).toEqual([
      'line 2: [Event Audit] line "AuditLogonEvents = 7" is not Name = 0..3; ignored',
      'line 4: MaximumLogSize = "big" in [Security Log] is not a whole number; ignored',
    ]);
    expect(() => parseGptTmpl('just text')).toThrow(/no \[section\]/);
  });
});

describe('--gpo: what a GPO gives, as a virtual host', () => {
  it('the real Windows 11 - Audit backup: audit.csv, the command-line policy, log sizes; the rest is not set by the GPO', () => {
    const { host, errors } = gpoHost([AUDIT]);
    expect(errors).toEqual([]);
    expect(host.name).toBe('GPO: Windows 11 - Audit');
    expect(state(host, `audit:${G.proc}:success`)).toEqual({ state: 'on', reason: '--gpo (GPO Windows 11 - Audit)' });
    expect(state(host, `audit:${G.dpapi}:failure`).state).toBe('off'); // DPAPI Activity: Success only
    // Audit File System is not in its audit.csv: advanced audit from Group Policy clears it.
    expect(state(host, `audit:${G.fs}:success`)).toMatchObject({ state: 'off', reason: expect.stringMatching(/^not set by GPO Windows 11 - Audit: /) });
    expect(state(host, 'policy:process-creation-command-line')).toMatchObject({
      state: 'on',
      reason: expect.stringContaining('GPO Windows 11 - Audit, registry.pol'),
    });
    expect(state(host, 'policy:powershell-script-block-logging').state).toBe('on');
    // Module logging names only Microsoft.Powershell.* (the real file), not "*".
    expect(state(host, 'policy:powershell-module-logging')).toMatchObject({
      state: 'off',
      reason: expect.stringContaining('covers only microsoft.powershell.*'),
    });
    expect(state(host, 'policy:powershell-transcription')).toMatchObject({ state: 'off', reason: expect.stringMatching(/^not set by GPO Windows 11 - Audit/) });
    expect(host.eventLogs.get('Security')).toMatchObject({ maxSizeKB: 1024000, policy: expect.stringContaining('GPO Windows 11 - Audit') });
    // A GPO says nothing of channels, Sysmon or the role.
    expect(state(host, 'sysmon:1').state).toBe('unknown');
    expect(state(host, 'role:domain-controller').state).toBe('unknown');
  });

  it('file and folder names are matched case-insensitively, as Windows does', () => {
    const dir = copyBackup(AUDIT, 'Windows 11 - Audit');
    renameSync(join(dir, 'DomainSysvol'), join(dir, 'DOMAINSYSVOL'));
    renameSync(join(dir, 'DOMAINSYSVOL', 'GPO', 'Machine', 'registry.pol'), join(dir, 'DOMAINSYSVOL', 'GPO', 'Machine', 'Registry.pol'));
    const { host } = gpoHost([dir]);
    expect(state(host, 'policy:process-creation-command-line').state).toBe('on');
    expect(state(host, `audit:${G.proc}:success`).state).toBe('on');
  });

  it('the same GPO as a Get-GPOReport XML (its gpreport.xml) gives the same states', () => {
    const { host, errors } = gpoHost([join(AUDIT, 'gpreport.xml')]);
    expect(errors).toEqual([]);
    expect(host.name).toBe('GPO: Windows 11 - Audit');
    for (const id of [
      `audit:${G.proc}:success`,
      `audit:${G.fs}:success`,
      `audit:${G.dpapi}:failure`,
      'policy:process-creation-command-line',
      'policy:powershell-script-block-logging',
      'policy:powershell-transcription',
    ]) {
      expect([id, state(host, id).state]).toEqual([id, state(gpoHost([AUDIT]).host, id).state]);
    }
  });

  it('a folder of backups is read as several GPOs in folder-name order; the force option comes from the Computer GPO', () => {
    const { host, errors } = gpoHost([REAL]);
    expect(errors).toEqual([]);
    expect(host.name).toBe('GPO: Windows 11 - Audit + Windows 11 - Computer');
    expect(host.auditOrigin?.force).toBe(true); // GptTmpl.inf [Registry Values] SCENoApplyLegacyAuditPolicy=4,1
    expect(host.files.filter((f) => f.startsWith(COMPUTER)).map((f) => f.slice(COMPUTER.length + 1))).toEqual([
      'bkupInfo.xml',
      'Backup.xml',
      'DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf',
      'DomainSysvol/GPO/Machine/registry.pol',
    ]);
    expect(host.notes).toContain(
      '--gpo: 2 GPOs in link order (first given = link order 1 = highest precedence): 1. Windows 11 - Audit, 2. Windows 11 - Computer',
    );
  });

  it('link order: the first --gpo wins a setting both define', () => {
    const off = copyBackup(AUDIT, 'No Process Audit');
    writeFileSync(
      CSV(off),
      readFileSync(CSV(AUDIT), 'utf8').replace(/Audit Process Creation,(\{[^}]+\}),Success,,1/, 'Audit Process Creation,$1,No Auditing,,0'),
    );
    writeFileSync(POL(off), pol([{ key: CMDLINE_KEY, value: '**del.ProcessCreationIncludeCmdLine_Enabled', type: 1, data: Buffer.from(' \0', 'utf16le') }]));

    const first = gpoHost([off, AUDIT]).host;
    expect(state(first, `audit:${G.proc}:success`)).toEqual({ state: 'off', reason: '--gpo (GPO No Process Audit)' });
    expect(state(first, 'policy:process-creation-command-line')).toMatchObject({
      state: 'off',
      reason: expect.stringContaining('GPO No Process Audit, registry.pol deletes ProcessCreationIncludeCmdLine_Enabled'),
    });
    expect(first.notes).toContain(
      '--gpo: Audit Process Creation: No Process Audit (higher precedence) sets No Auditing, Windows 11 - Audit sets Success; No Process Audit wins',
    );

    const second = gpoHost([AUDIT, off]).host;
    expect(state(second, `audit:${G.proc}:success`).state).toBe('on');
    expect(state(second, 'policy:process-creation-command-line').state).toBe('on');
  });

  it('legacy categories from GptTmpl.inf apply when no advanced audit policy is set (hand-made GPO)', () => {
    const { host, errors } = gpoHost([LEGACY]);
    expect(errors).toEqual([]);
    expect(state(host, `audit:${G.proc}:success`)).toEqual({
      state: 'on',
      reason: '--gpo (legacy AuditProcessTracking, GPO Legacy Audit Categories (hand-made))',
    });
    expect(state(host, `audit:${G.logon}:failure`).state).toBe('on');
    expect(state(host, `audit:${G.policyChange}:success`).state).toBe('off');
    expect(state(host, `audit:${G.fs}:success`).state).toBe('unknown'); // Object Access: not set, the Windows default applies
    expect(host.auditOrigin).toMatchObject({
      legacy: ['AuditSystemEvents', 'AuditLogonEvents', 'AuditProcessTracking', 'AuditPolicyChange'],
      advancedGpo: false,
      force: false,
    });
    expect(state(host, 'policy:process-creation-command-line')).toMatchObject({ state: 'on', reason: expect.stringContaining('GptTmpl.inf') });
    expect(host.eventLogs.get('Security')).toMatchObject({ maxSizeKB: 196608, retention: 0 });
  });

  it('a GPO report given to --gpresult is refused with the option to use; a gpresult given to --gpo likewise', () => {
    const env = loadEnvironment({ gpresult: [join(AUDIT, 'gpreport.xml')] }, catalog);
    expect(env.errors[0]?.message).toMatch(/this is a GPO report .*give it with --gpo/);
    const gp = fileURLToPath(new URL('../fixtures/environment/gpresult-utf16le-multi-gpo.xml', import.meta.url));
    const env2 = loadEnvironment({ gpo: [gp] }, catalog);
    expect(env2.errors).toEqual([{ path: gp, message: 'this is gpresult output (<Rsop> root): give it with --gpresult' }]);
    expect(env2.hosts).toEqual([]);
  });

  it('a folder with no GPO in it is one error; a missing path is a missing input', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lsc-gpo-empty-'));
    const env = loadEnvironment({ gpo: [empty, join(empty, 'nope')] }, catalog);
    expect(env.errors).toEqual([{ path: empty, message: expect.stringMatching(/^no GPO here/) }]);
    expect(env.missing).toEqual([join(empty, 'nope')]);
  });
});

describe('registry.pol deletions across GPOs', () => {
  const SBL = 'Software\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging';
  it('a higher GPO clearing a key (**delvals.) turns off what a lower one set, and is named as the reason', () => {
    const higher = copyBackup(AUDIT, 'Clear Script Block');
    writeFileSync(
      POL(higher),
      pol([
        { key: SBL, value: '**delvals.', type: 1, data: Buffer.from(' \0', 'utf16le') },
        { key: SBL, value: '**Frobnicate', type: 1, data: Buffer.from('\0', 'utf16le') },
      ]),
    );
    const { host } = gpoHost([higher, AUDIT]);
    expect(state(host, 'policy:powershell-script-block-logging')).toMatchObject({
      state: 'off',
      reason: expect.stringContaining('GPO Clear Script Block, registry.pol deletes EnableScriptBlockLogging'),
    });
    expect(host.notes).toContain(
      `--gpo: Clear Script Block registry.pol: 1 entry with a special name logsource-check does not know (${SBL}\\**Frobnicate); ignored`,
    );
    // Given after (lower precedence), the same GPO's deletion is undone by the higher one's value.
    expect(state(gpoHost([AUDIT, higher]).host, 'policy:powershell-script-block-logging').state).toBe('on');
  });

  it('many key deletions cost a pass over the few keys read, not over every key set', () => {
    const dir = copyBackup(AUDIT, 'Many Deletions');
    const del = { key: 'Software\\Policies', value: '**DeleteKeys', type: 1, data: Buffer.from('Vendor\\Thing;Other\0', 'utf16le') };
    writeFileSync(POL(dir), pol(Array.from({ length: 50_000 }, () => del)));
    const t = Date.now();
    const { host, errors } = gpoHost([dir]);
    expect(errors).toEqual([]);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(state(host, 'policy:process-creation-command-line').state).toBe('off');
  });
});

describe('a GPO file that cannot be read leaves what it sets unknown, never off', () => {
  it('audit.csv unreadable: every subcategory the GPO could set is unknown with the file named; a higher GPO still decides its own', () => {
    const broken = copyBackup(AUDIT, 'Broken Audit');
    writeFileSync(CSV(broken), 'this,is,not\nan,audit,csv\n');
    const alone = gpoHost([broken]);
    expect(alone.errors).toEqual([{ path: CSV(broken), message: expect.stringMatching(/^not an auditpol CSV/) }]);
    expect(state(alone.host, `audit:${G.proc}:success`)).toEqual({
      state: 'unknown',
      reason: 'the audit.csv of GPO Broken Audit could not be read, and it may set this subcategory',
    });
    expect(state(alone.host, `audit:${G.fs}:success`).state).toBe('unknown');

    // Windows 11 - Audit first (higher precedence): what it sets stands; what it leaves out is unknown, not cleared.
    const both = gpoHost([AUDIT, broken]).host;
    expect(state(both, `audit:${G.proc}:success`).state).toBe('on');
    expect(state(both, `audit:${G.fs}:success`).state).toBe('unknown');
  });

  it('registry.pol unreadable: the policies are unknown with the file named', () => {
    const broken = copyBackup(AUDIT, 'Broken Pol');
    writeFileSync(POL(broken), Buffer.from('PReg\x02\0\0\0', 'latin1'));
    const { host, errors } = gpoHost([broken]);
    expect(errors).toEqual([{ path: POL(broken), message: 'registry.pol version 2 is not the documented version 1' }]);
    expect(state(host, 'policy:powershell-transcription')).toEqual({
      state: 'unknown',
      reason: 'the registry.pol of GPO Broken Pol could not be read, and what it sets for EnableTranscripting is unknown',
    });
  });
});

it('a backup folder holding only bkupInfo.xml and gpreport.xml is read through its report', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-gpo-report-')), '{ONLY-REPORT}');
  cpSync(join(AUDIT, 'gpreport.xml'), join(dir, 'gpreport.xml'));
  cpSync(join(AUDIT, 'bkupInfo.xml'), join(dir, 'bkupInfo.xml'));
  const { host, errors } = gpoHost([dir]);
  expect(errors).toEqual([]);
  expect(host.name).toBe('GPO: Windows 11 - Audit');
  expect(state(host, `audit:${G.proc}:success`).state).toBe('on');
  expect(state(host, 'policy:process-creation-command-line')).toMatchObject({ state: 'on', reason: '--gpo (GPO Windows 11 - Audit, report)' });
});

it('registry.pol: 500 seeded mutations of the real file (flipped bytes, cuts, huge sizes) never crash or read past the buffer', () => {
  const whole = readFileSync(POL(AUDIT));
  let seed = 20261206;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 500; i++) {
    const b = Buffer.from(whole.subarray(0, 8 + rnd(whole.length - 8) + 1));
    for (let k = rnd(4); k > 0; k--) b[8 + rnd(b.length - 8)] = rnd(256);
    if (rnd(3) === 0 && b.length > 40) b.writeUInt32LE(rnd(2) ? 0xffffffff : rnd(1 << 20), 8 + rnd(b.length - 12));
    const r = parseRegistryPol(b);
    // Every entry read is a whole one: its data came from inside the buffer.
    let bytes = 8;
    for (const e of r.entries) bytes += 2 + (e.key.length + 1) * 2 + 2 + (e.value.length + 1) * 2 + 2 + 4 + 2 + 4 + 2 + e.size + 2;
    // Read to the end: every byte belongs to a whole entry. Stopped: the entries kept lie before the stop.
    if (r.partial) expect(bytes).toBeLessThan(b.length);
    else expect(bytes).toBe(b.length);
  }
});
