import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, loadCatalog } from '../../src/catalog/load.js';
import { CatalogError } from '../../src/catalog/validate.js';

const catalog = loadCatalog();
const sub = (name: string) => catalog.subcategories.find((s) => s.auditpolName === name)!;
const producers = (id: number) =>
  catalog
    .auditProducers(id)
    .map((p) => `${p.subcategory.auditpolName}:${p.outcome}`)
    .sort();

describe('data catalog', () => {
  it('validates and has every source noted', () => {
    for (const e of catalog.logsources) expect(e.source, e.category ?? e.service).toBeTruthy();
    for (const s of catalog.subcategories) expect(s.source, s.name).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    for (const s of catalog.sysmonEvents) expect(s.source, String(s.id)).toMatch(/^https:\/\//);
    for (const p of catalog.policies) expect(p.source, p.id).toMatch(/^https:\/\//);
  });

  it('has the 9 legacy categories and all 59 advanced audit subcategories', () => {
    expect(catalog.auditCategories).toHaveLength(9);
    expect(catalog.subcategories).toHaveLength(59);
    expect(new Set(catalog.subcategories.map((s) => s.guid)).size).toBe(59);
    expect(catalog.auditCategories.map((c) => c.legacySetting).sort()).toEqual(
      [
        'AuditAccountLogon',
        'AuditAccountManage',
        'AuditDSAccess',
        'AuditLogonEvents',
        'AuditObjectAccess',
        'AuditPolicyChange',
        'AuditPrivilegeUse',
        'AuditProcessTracking',
        'AuditSystemEvents',
      ].sort(),
    );
  });

  it('knows the audit facts detection engineers rely on', () => {
    expect(sub('Process Creation').guid).toBe('{0CCE922B-69AE-11D9-BED3-505054503030}');
    expect(sub('Logon').guid).toBe('{0CCE9215-69AE-11D9-BED3-505054503030}');
    expect(producers(4688)).toEqual(['Process Creation:success']);
    expect(producers(4624)).toEqual(['Logon:success']);
    expect(producers(4625)).toEqual(['Account Lockout:failure', 'Logon:failure']);
    expect(producers(4771)).toEqual(['Kerberos Authentication Service:failure']);
    expect(producers(4768)).toEqual(['Kerberos Authentication Service:both']);
    expect(producers(4663).map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['File System', 'Registry', 'Kernel Object', 'Removable Storage']));
    expect(sub('File System').objectTypes).toContain('File');
    expect(sub('Registry').objectTypes).toContain('Key');
  });

  it('has Sysmon event types 1–29 and 255 with their config elements', () => {
    expect(catalog.sysmonEvents.map((e) => e.id).sort((a, b) => a - b)).toEqual([...Array.from({ length: 29 }, (_, i) => i + 1), 255]);
    const el = (id: number) => catalog.sysmonEvent(id)!.element;
    expect([el(1), el(2), el(22), el(23), el(24), el(25), el(26), el(27), el(28), el(29)]).toEqual([
      'ProcessCreate',
      'FileCreateTime',
      'DnsQuery',
      'FileDelete',
      'ClipboardChange',
      'ProcessTampering',
      'FileDeleteDetected',
      'FileBlockExecutable',
      'FileBlockShredding',
      'FileExecutableDetected',
    ]);
    expect([el(12), el(13), el(14)]).toEqual(['RegistryEvent', 'RegistryEvent', 'RegistryEvent']);
    for (const id of [4, 16, 255]) expect(catalog.sysmonEvent(id)!.filterable).toBe(false);
    expect(catalog.sysmonEvent(22)!.minSchema).toBe('4.21');
  });

  it('has the logging policies with GPO path and registry value', () => {
    const ids = catalog.policies.map((p) => p.id);
    for (const id of [
      'powershell-module-logging',
      'powershell-script-block-logging',
      'powershell-transcription',
      'powershell-core-module-logging',
      'powershell-core-script-block-logging',
      'powershell-core-transcription',
      'process-creation-command-line',
    ]) {
      expect(ids).toContain(id);
    }
    const cmd = catalog.policy('process-creation-command-line')!;
    expect(cmd.registry[0]).toMatchObject({ value: 'ProcessCreationIncludeCmdLine_Enabled', data: 1 });
    expect(catalog.policy('powershell-script-block-logging')!.registry[0]!.value).toBe('EnableScriptBlockLogging');
  });

  it('maps Sigma log sources to channels and producers', () => {
    const pc = catalog.logsource('windows', 'process_creation')!;
    expect(pc.sources.map((s) => `${s.producer}:${(s.events ?? []).join(',')}`)).toEqual(['sysmon:1', 'audit:4688']);
    expect(catalog.logsource('windows', undefined, 'security')!.sources[0]!.channel).toBe('Security');
    expect(catalog.logsource('windows', undefined, 'taskscheduler')!.sources[0]).toMatchObject({
      producer: 'channel',
      channel: 'Microsoft-Windows-TaskScheduler/Operational',
    });
    expect(catalog.logsource('windows', 'ps_script')!.sources[0]!.eventRequires).toEqual({ 4104: ['policy:powershell-script-block-logging'] });
    expect(catalog.serviceForChannel('microsoft-windows-sysmon/operational')!.service).toBe('sysmon');
  });

  it('reports every problem of a broken catalog', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-cat-'));
    cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
    const ls = readFileSync(join(dir, 'logsources.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'logsources.yaml'),
      ls.replace("800: ['policy:powershell-module-logging']", "800: ['policy:no-such-policy']").replace('producer: sysmon', 'producer: sysmonn'),
    );
    try {
      loadCatalog(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogError);
      expect((e as CatalogError).message).toMatch(/producer "sysmonn" is not one of/);
    }
    writeFileSync(join(dir, 'logsources.yaml'), ls.replace("800: ['policy:powershell-module-logging']", "800: ['policy:no-such-policy']"));
    expect(() => loadCatalog(dir)).toThrow(/unknown policy "no-such-policy"/);
    // an enricher is checked like any other requirement
    writeFileSync(join(dir, 'logsources.yaml'), ls.replace("- requires: 'policy:process-creation-command-line'", "- requires: 'policy:no-such-enricher'"));
    expect(() => loadCatalog(dir)).toThrow(/unknown policy "no-such-enricher"/);
    writeFileSync(join(dir, 'logsources.yaml'), ls.replace("- requires: 'policy:process-creation-command-line'", "- requires: 'sacl:nonsense'"));
    expect(() => loadCatalog(dir)).toThrow(/unknown SACL kind "nonsense"/);
  });
});

describe('Sysmon filtering facts', () => {
  it('the operators the parser accepts (data) are exactly those the evaluator implements (code)', async () => {
    const { SYSMON_OPERATORS } = await import('../../src/environment/sysmon.js');
    expect(catalog.sysmonConditions.map((c) => c.name).sort()).toEqual([...SYSMON_OPERATORS].sort());
    expect(
      catalog.sysmonConditions
        .filter((c) => c.multi)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['contains all', 'contains any', 'excludes all', 'excludes any', 'is any']);
  });
});
