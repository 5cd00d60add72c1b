/** Event volume facts in the catalog: every subcategory, Sysmon type and policy is rated or says why not. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, loadCatalog } from '../../src/catalog/load.js';
import { subcategoryClass } from '../../src/catalog/volume.js';

const catalog = loadCatalog();
const sub = (name: string) => catalog.subcategories.find((s) => s.name === name)!;

describe('event volume in the catalog', () => {
  it("all 59 subcategories carry a volume: a class with the page's words, or the reason it is unrated", () => {
    expect(catalog.subcategories).toHaveLength(59);
    for (const s of catalog.subcategories) {
      const v = s.volume;
      const classes = [v.general, v['domain-controller'], v['member-server'], v.workstation].filter(Boolean);
      expect(classes.length > 0 ? v.stated : v.unrated, s.name).toBeTruthy();
    }
    // The documented exceptions: no page rates them.
    expect(
      catalog.subcategories
        .filter((s) => s.volume.unrated)
        .map((s) => s.auditpolName)
        .sort(),
    ).toEqual([
      'Application Generated',
      'Application Group Management',
      'Central Policy Staging',
      'File System',
      'Filtering Platform Policy Change',
      'IPsec Extended Mode',
      'IPsec Quick Mode',
      'Other Account Logon Events',
      'Other Privilege Use Events',
      'Removable Storage',
    ]);
  });

  it('the values Microsoft documents, per computer type where the page distinguishes', () => {
    const cv = sub('Audit Credential Validation').volume;
    expect([cv['domain-controller'], cv['member-server'], cv.workstation]).toEqual(['high', 'low', 'low']);
    expect(sub('Audit Logon').volume).toMatchObject({ 'domain-controller': 'medium', 'member-server': 'medium', workstation: 'low' });
    expect(sub('Audit Process Creation').volume.general).toBe('high'); // "Medium to High": the upper bound
    expect(sub('Audit Kerberos Service Ticket Operations').volume['domain-controller']).toBe('high'); // "Very High"
    expect(sub('Audit Security Group Management').volume.general).toBe('low');
    expect(sub('Audit Filtering Platform Connection').volume.general).toBe('high');
    // From the 2016 revision of the page, which says so.
    expect(sub('Audit IPsec Driver').volume).toMatchObject({ general: 'medium', source: expect.stringContaining('keep-secure') });
  });

  it("a subcategory's class follows the host's kind; an unknown kind takes the highest candidate", () => {
    const cv = sub('Audit Credential Validation');
    expect(subcategoryClass(cv.volume, 'workstation', false)).toBe('low');
    expect(subcategoryClass(cv.volume, 'domain-controller', false)).toBe('high');
    expect(subcategoryClass(cv.volume, 'member', false)).toBe('low');
    expect(subcategoryClass(cv.volume, undefined, false)).toBe('high');
    // SAM is rated for domain controllers only: unrated on a workstation.
    expect(subcategoryClass(sub('Audit SAM').volume, 'workstation', false)).toBeUndefined();
    expect(subcategoryClass(sub('Audit Kerberos Authentication Service').volume, undefined, true)).toBe('high');
  });

  it('all 30 Sysmon types are rated with basis and source, or say why not', () => {
    expect(catalog.sysmonEvents).toHaveLength(30);
    for (const e of catalog.sysmonEvents) {
      if (e.volume) {
        expect(['documented', 'reported'], String(e.id)).toContain(e.volumeBasis);
        expect(e.volumeSource, String(e.id)).toMatch(/^https:\/\//);
      } else expect(e.volumeNote, String(e.id)).toMatch(/unrated/);
    }
    const ev = (id: number) => catalog.sysmonEvent(id)!;
    expect([ev(7).volume, ev(7).volumeBasis]).toEqual(['high', 'documented']);
    expect([ev(10).volume, ev(10).volumeBasis]).toEqual(['high', 'documented']);
    expect([ev(1).volume, ev(1).volumeBasis]).toEqual(['medium', 'reported']);
    expect([ev(3).volume, ev(22).volume, ev(17).volume]).toEqual(['high', 'high', 'low']);
    expect(ev(13).volume).toBeUndefined();
  });

  it('policies: script block, module logging and the 4688 command line are rated where a source says so', () => {
    expect(catalog.policy('powershell-script-block-logging')?.volume).toBe('high');
    expect(catalog.policy('powershell-module-logging')?.volume).toBe('high');
    expect(catalog.policy('process-creation-command-line')?.volume).toBe('medium');
    expect(catalog.policy('powershell-core-script-block-logging')?.volume).toBeUndefined();
    for (const p of catalog.policies) expect(p.volume ?? p.volumeNote, p.id).toBeTruthy();
  });

  it('the loader rejects a volume without its basis, a class with "unrated", and an entry with neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-vol-'));
    cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
    const sys = readFileSync(join(dir, 'sysmon.yaml'), 'utf8');
    writeFileSync(join(dir, 'sysmon.yaml'), sys.replace('    volumeBasis: reported\n', ''));
    expect(() => loadCatalog(dir)).toThrow(/volume needs volumeBasis/);
    writeFileSync(join(dir, 'sysmon.yaml'), sys);
    const audit = readFileSync(join(dir, 'audit.yaml'), 'utf8');
    writeFileSync(join(dir, 'audit.yaml'), audit.replace('      general: low\n', '      general: low\n      unrated: "x"\n'));
    expect(() => loadCatalog(dir)).toThrow(/has both a class and "unrated"/);
    writeFileSync(join(dir, 'audit.yaml'), audit.replace('      general: high\n', '      general: huge\n'));
    expect(() => loadCatalog(dir)).toThrow(/general "huge" is not one of low, medium, high/);
  });
});
