/**
 * Real Windows captures (test/fixtures/real/, issue 22): each expectation below was read off the file by hand
 * (see the folder's SOURCES.md) and is one the current readers already meet. What they do not meet yet is listed
 * in test/fixtures/real/FINDINGS.md under "expected, not met yet".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { decodeText } from '../../src/io/decode.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { parseGpresult } from '../../src/environment/gpresult.js';
import { parseRegFile, policyValue } from '../../src/environment/regfile.js';
import { parseScOutput, parseSysmonDashC } from '../../src/environment/services.js';
import { parseWevtutilGl } from '../../src/environment/wevtutil.js';

const raw = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/real/${p}`, import.meta.url)));
const read = (p: string) => decodeText(raw(p));
const catalog = loadCatalog();

describe('gpresult /x from real domain controllers', () => {
  it('Child.ADLAB.local DC (UTF-16 LE with BOM, CRLF, as gpresult writes it)', () => {
    const bytes = raw('gpresult/dc-child-adlab-2023.xml');
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const g = parseGpresult(decodeText(bytes), catalog);
    expect(g.computer).toBe('CHILD\\CHILDDC$');
    expect(g.computerDomain).toBe('Child.ADLAB.local');
    expect(g.role?.kind).toBe('domain-controller');
    expect(g.domainGpos).toEqual(['Default Domain Policy', 'Default Domain Controllers Policy']);
    // Its GPOs set Kerberos/password/user-rights and security options, no audit policy and no event log sizes:
    // the file proves nothing about auditing, so nothing may be read as configured.
    expect(g.advanced.size).toBe(0);
    expect(g.legacy.size).toBe(0);
    expect(g.eventLogs.size).toBe(0);
    expect(g.auditGpos).toEqual([]);
    expect(g.forceSubcategories).toBeUndefined();
    expect(g.notes).toEqual([]);
  });

  it('corp.oriontech.info DC with CIS "Local Policies DC" GPO: SCENoApplyLegacyAuditPolicy = 1, no audit settings', () => {
    const g = parseGpresult(read('gpresult/dc-oriontech-cis-2023.xml'), catalog);
    expect(g.computer).toBe('oriontech\\WIN-1CPI0V6RVEL$');
    expect(g.computerDomain).toBe('corp.oriontech.info');
    expect(g.role?.kind).toBe('domain-controller');
    expect(g.domainGpos).toEqual(['2 Local Policies DC', '1 Account Policies DC']);
    expect(g.forceSubcategories).toBe(true);
    expect(g.advanced.size).toBe(0);
    expect(g.legacy.size).toBe(0);
    expect(g.auditGpos).toEqual([]);
  });

  it('MeshClust DC1 (2019; user results first, computer in TestDomain.Local/Domain Controllers)', () => {
    const g = parseGpresult(read('gpresult/dc-meshclust-2019.xml'), catalog);
    expect(g.computer).toBe('MESHCLUST\\DC1$');
    expect(g.computerDomain).toBe('TestDomain.Local');
    expect(g.role).toEqual({ kind: 'domain-controller', evidence: 'in TestDomain.Local/Domain Controllers' });
    expect(g.domainGpos).toEqual(['Default Domain Controllers Policy', 'Default Domain Policy', 'Firewall Config']);
    expect(g.advanced.size).toBe(0);
    expect(g.eventLogs.size).toBe(0);
  });
});

describe('gpresult /x from a real member server with the CIS GPO set (CIS-MS01)', () => {
  const g = parseGpresult(read('gpresult/member-cis-ms01-2023.xml'), catalog);

  it('a member server in corp.oriontech.info/Member Servers, nine domain GPOs', () => {
    expect(g.computer).toBe('oriontech\\CIS-MS01$');
    expect(g.role?.kind).toBe('member');
    expect(g.domainGpos).toHaveLength(9);
    expect(g.domainGpos).toContain('17 Advanced Audit Policy');
    expect(g.auditGpos).toEqual(['17 Advanced Audit Policy']);
    expect(g.forceSubcategories).toBe(true);
  });

  it('the 27 advanced audit settings of "17 Advanced Audit Policy", values as listed in the file', () => {
    expect(g.advanced.size).toBe(27);
    expect(g.advanced.get('{0CCE922B-69AE-11D9-BED3-505054503030}')?.value).toBe(1); // Process Creation: Success
    expect(g.advanced.get('{0CCE9215-69AE-11D9-BED3-505054503030}')?.value).toBe(3); // Logon: Success and Failure
    expect(g.advanced.get('{0CCE9217-69AE-11D9-BED3-505054503030}')?.value).toBe(2); // Account Lockout: Failure
    expect(g.advanced.get('{0CCE9244-69AE-11D9-BED3-505054503030}')?.value).toBe(2); // Detailed File Share: Failure
    expect(g.advanced.get('{0CCE9211-69AE-11D9-BED3-505054503030}')?.value).toBe(1); // Security System Extension
    expect(g.advanced.has('{0CCE921D-69AE-11D9-BED3-505054503030}')).toBe(false); // File System: not configured
    expect(g.legacy.size).toBe(0);
  });

  it('administrative templates: command line in 4688, script block logging and transcription on', () => {
    expect(g.policies.get('process-creation-command-line')?.enabled).toBe(true);
    expect(g.policies.get('powershell-script-block-logging')?.enabled).toBe(true);
    expect(g.policies.get('powershell-transcription')?.enabled).toBe(true);
  });
});

describe('auditpol /backup with a failure-only global SACL (RIT CyberForce baseline)', () => {
  const a = parseAuditpol(read('auditpol-backup/rit-cyberforce-failure-only-global-sacl.csv'), catalog);

  it('reads it as a backup with both global SACL rows kept verbatim', () => {
    expect(a.kind).toBe('backup');
    expect(a.globalSacl.get('file')).toBe('S:(AU;FA;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)');
    expect(a.globalSacl.get('registry')).toBe('S:(AU;FA;KA;;;WD)');
  });

  it('subcategory values as written (File System failure only, Registry success only)', () => {
    expect(a.values.size).toBe(59);
    expect(a.values.get('{0CCE921D-69AE-11D9-BED3-505054503030}')).toBe(2); // Audit File System: Failure
    expect(a.values.get('{0CCE921E-69AE-11D9-BED3-505054503030}')).toBe(1); // Audit Registry: Success
    expect(a.values.get('{0CCE922B-69AE-11D9-BED3-505054503030}')).toBe(3); // Audit Process Creation
    expect(a.values.get('{0CCE9229-69AE-11D9-BED3-505054503030}')).toBe(0); // Non Sensitive Privilege Use
  });
});

describe('built-in Windows Sysmon feature (Windows 11, Portuguese sc output)', () => {
  it('sc query sysmon in pt-BR: the service is found and RUNNING', () => {
    const s = parseScOutput(read('services/sc-query-sysmon-builtin-ptbr.txt'));
    expect(s.services.get('sysmon')).toMatchObject({ name: 'sysmon', exists: true, type: 'WIN32_OWN_PROCESS', state: 'RUNNING' });
  });

  it('Sysmon.exe -c: service, driver, config file and hash, schema 4.91', () => {
    const d = parseSysmonDashC(read('sysmon-dashc/builtin-sysmon-win11.txt'));
    expect(d.serviceName).toBe('Sysmon');
    expect(d.driverName).toBe('SysmonDrv');
    expect(d.configFile).toBe('C:\\Windows\\System32\\Sysmon\\config.xml');
    expect(d.configHash).toBe('SHA256=6F5C1404DC97F2CFC72E17CCB5849C339B4AAD2D77FE36D123709219423B3E66');
    expect(d.hashAlgorithms).toEqual(['MD5', 'SHA256', 'IMPHASH']);
    expect(d.schemaVersion).toBe('4.91');
  });
});

describe('Sysmon64 11.10 -c pasted without its rule dump (MicrosoftDocs/sysinternals issue 295)', () => {
  it('options read; no rule dump, so the filters are unknown and a note says so', () => {
    const d = parseSysmonDashC(read('sysmon-dashc/sysmon64-v11.10-no-rules-sysinternals295.txt'));
    expect(d.serviceName).toBe('Sysmon64');
    expect(d.driverName).toBe('SysmonDrv');
    expect(d.hashAlgorithms).toEqual(['SHA1', 'MD5', 'SHA256', 'IMPHASH']);
    expect(d.options['DNS lookup']).toBe('disabled');
    expect(d.options['Filter archive directory']).toBe('\\Sysmon\\');
    expect(d.rules).toBeUndefined();
    expect(d.notes).toEqual(['no "Rule configuration" section: the rules are unknown']);
  });
});

describe('sc query sysmon64 piped through findstr (Chocolatey install, atomic-red-team issue 2951)', () => {
  it('the service exists; its state is not in the output and a note says so', () => {
    const s = parseScOutput(read('services/sc-query-sysmon64-findstr-choco.txt'));
    const svc = s.services.get('sysmon64');
    expect(svc?.exists).toBe(true);
    expect(svc?.state).toBeUndefined();
    expect(s.notes).toEqual(['sysmon64: no state and no configuration in the output']);
  });
});

describe('wevtutil gl System pasted with its PowerShell prompt (Yamato-Security/WELA issue 3)', () => {
  const w = parseWevtutilGl(read('wevtutil/wela-issue3-system-ps-prompt.txt'));

  it('System: 20 MB, overwrite as needed (retention false), no auto-backup, enabled', () => {
    expect(w.channels.get('system')).toMatchObject({
      name: 'System',
      enabled: true,
      type: 'Admin',
      retention: false,
      autoBackup: false,
      maxSizeBytes: 20971520,
    });
    expect([...w.channels.keys()]).toEqual(['system']);
  });

  it('the prompt line is skipped with a note, never silently', () => {
    expect(w.notes).toHaveLength(1);
    expect(w.notes[0]).toContain('PS C:\\test> wevtutil gl System');
  });
});

describe('regedit export of HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge (UTF-16 LE, CRLF)', () => {
  const bytes = raw('reg/edge-policies-hklm-subtree.reg');
  const reg = parseRegFile(decodeText(bytes));

  it('decodes the BOM file and reads the four Edge keys', () => {
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    expect(reg.version).toBe(5);
    expect([...reg.keys.keys()]).toEqual([
      'HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE',
      'HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE\\COOKIESBLOCKEDFORURLS',
      'HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE\\RECOMMENDED',
      'HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\EDGE\\TLSCIPHERSUITEDENYLIST',
    ]);
    expect(policyValue(reg, 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge', 'DnsOverHttpsMode')).toBe('automatic');
    expect(reg.notes).toEqual([]);
  });
});

describe('wevtutil error in Japanese, channel missing (Yamato-Security/EnableWindowsLogSettings issue 18)', () => {
  it('holds no channel configuration: refused with one clear message, never read as channels', () => {
    expect(() => parseWevtutilGl(read('wevtutil/ja-channel-not-found-enablewindowslogsettings18.txt'))).toThrow(
      'no channel configuration in this file (not the output of wevtutil gl); its channels are unknown',
    );
  });
});
