/**
 * Real Windows captures (test/fixtures/real/, issue 22): each expectation below was read off the file by hand
 * (see the folder's SOURCES.md) and is one the current readers already meet. What they do not meet yet is listed
 * in test/fixtures/real/FINDINGS.md under "expected, not met yet".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { decodeText } from '../../src/decode.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { parseGpresult } from '../../src/environment/gpresult.js';
import { parseScOutput, parseSysmonDashC } from '../../src/environment/services.js';

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
