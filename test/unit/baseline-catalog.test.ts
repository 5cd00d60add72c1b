/**
 * data/baselines/*.yaml: the shipped baselines load, carry their sources, and hold the values read from the
 * published documents; broken files are refused with the file named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBaseline, loadBaselines, type Baseline } from '../../src/catalog/baselines.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { CatalogError } from '../../src/catalog/validate.js';

const catalog = loadCatalog();
const all = loadBaselines(catalog);
const get = (name: string): Baseline => {
  const b = findBaseline(all, name);
  if (!b) throw new Error(`no baseline ${name}`);
  return b;
};
const audit = (b: Baseline, name: string) => b.audit.find((a) => a.name === name);

const PROCESS_CREATION = '{0CCE922B-69AE-11D9-BED3-505054503030}';

describe('shipped baselines', () => {
  it('are the documented ones, each with a title, an https source and a version', () => {
    expect(all.map((b) => b.name)).toEqual([
      'asd',
      'mdi-adcs',
      'mdi-adfs',
      'mdi-dc',
      'mdi-entraconnect',
      'microsoft-client',
      'microsoft-general-dc',
      'microsoft-general-member',
      'microsoft-general-workstation',
      'microsoft-server-dc',
      'microsoft-server-member',
      'microsoft-stronger-dc',
      'microsoft-stronger-member',
      'microsoft-stronger-workstation',
      'windows-default-client',
      'windows-default-dc',
      'windows-default-server',
      'yamato',
    ]);
    for (const b of all) {
      expect(b.title).not.toBe('');
      expect(b.version).not.toBe('');
      expect(b.source).toMatch(/^https:\/\//);
      for (const s of [...b.audit, ...b.logs, ...b.policies, ...b.channels]) {
        expect(s.source, `${b.name}`).toMatch(/^https:\/\//);
        expect(s.version, `${b.name}`).not.toBe('');
      }
    }
  });

  it('name every subcategory by a GUID of audit.yaml, each at most once', () => {
    for (const b of all) {
      const guids = b.audit.map((a) => a.guid);
      expect(new Set(guids).size, b.name).toBe(guids.length);
      for (const a of b.audit) expect(catalog.subcategory(a.guid)?.name, b.name).toBe(a.name);
    }
  });

  it("Microsoft per-subcategory tables: all 59 subcategories per computer type, with the pages' values", () => {
    for (const level of ['general', 'stronger'])
      for (const type of ['dc', 'member', 'workstation']) expect(get(`microsoft-${level}-${type}`).audit).toHaveLength(59);
    // audit-credential-validation: DC IF/Yes (General), member server and workstation Yes/Yes.
    expect(audit(get('microsoft-general-dc'), 'Audit Credential Validation')).toMatchObject({ success: 'any', failure: 'on' });
    expect(audit(get('microsoft-general-workstation'), 'Audit Credential Validation')).toMatchObject({ success: 'on', failure: 'on' });
    // audit-logoff: General No/No, Stronger Yes/No.
    expect(audit(get('microsoft-general-member'), 'Audit Logoff')).toMatchObject({ success: 'off', failure: 'off' });
    expect(audit(get('microsoft-stronger-member'), 'Audit Logoff')).toMatchObject({ success: 'on', failure: 'off' });
    // audit-kerberos-authentication-service: only DCs.
    expect(audit(get('microsoft-general-dc'), 'Audit Kerberos Authentication Service')).toMatchObject({ success: 'on', failure: 'on' });
    expect(audit(get('microsoft-general-workstation'), 'Audit Kerberos Authentication Service')).toMatchObject({ success: 'off', failure: 'off' });
    // audit-sam: "-" (no recommendation) everywhere.
    expect(audit(get('microsoft-stronger-dc'), 'Audit SAM')).toMatchObject({ success: 'any', failure: 'any' });
  });

  it('Intune client baseline: the November 2021 values, log sizes and script block logging', () => {
    const b = get('microsoft-client');
    expect(b.role).toBe('workstation');
    expect(audit(b, 'Audit Process Creation')).toMatchObject({ guid: PROCESS_CREATION, success: 'on', failure: 'off' });
    expect(audit(b, 'Audit Account Lockout')).toMatchObject({ success: 'off', failure: 'on' });
    expect(audit(b, 'Audit Kerberos Authentication Service')).toMatchObject({ success: 'off', failure: 'off' });
    expect(Object.fromEntries(b.logs.map((l) => [l.log, l.maxSizeKB]))).toEqual({ Application: 32768, Security: 196608, System: 32768 });
    expect(b.policies.map((p) => p.id)).toEqual(['powershell-script-block-logging']);
  });

  it('Azure server baseline: domain-controller-only rows only in the DC variant', () => {
    const dc = get('microsoft-server-dc');
    const member = get('microsoft-server-member');
    expect(audit(dc, 'Audit Kerberos Authentication Service')).toBeDefined();
    expect(audit(member, 'Audit Kerberos Authentication Service')).toBeUndefined();
    // Credential Validation: "Server Type: Domain Member, Workgroup Member".
    expect(audit(member, 'Audit Credential Validation')).toMatchObject({ success: 'on', failure: 'on' });
    expect(audit(dc, 'Audit Credential Validation')).toBeUndefined();
    // ">= Success" asks for Success and allows Failure.
    expect(audit(member, 'Audit Process Creation')).toMatchObject({ success: 'on', failure: 'any' });
    // Issue 23: the page's "Include command line in process creation events" and "Turn on PowerShell Script Block
    // Logging" (= 1, DC / member / workgroup) and its four "Specify the maximum log file size" rows are recorded.
    expect(dc.covers).toEqual(['audit', 'logs', 'policies']);
    for (const b of [dc, member]) {
      expect(b.policies.map((p) => p.id)).toEqual(['process-creation-command-line', 'powershell-script-block-logging']);
      expect(Object.fromEntries(b.logs.map((l) => [l.log, l.maxSizeKB]))).toEqual({ Application: 32768, Security: 196608, Setup: 32768, System: 32768 });
    }
    expect(audit(dc, 'Audit Computer Account Management')).toMatchObject({ success: 'on', failure: 'off' });
    expect(audit(member, 'Audit Computer Account Management')).toBeUndefined();
  });

  it("Yamato: the script's settings, log sizes in KB, policies and channels", () => {
    const b = get('yamato');
    expect(b.role).toBeUndefined();
    expect(audit(b, 'Audit Other System Events')).toMatchObject({ success: 'off', failure: 'on' });
    expect(audit(b, 'Audit Kernel Object')).toBeUndefined();
    expect(Object.fromEntries(b.logs.map((l) => [l.log, l.maxSizeKB]))).toEqual({ Security: 1048576, System: 131072, Application: 131072 });
    expect(b.policies.map((p) => p.id).sort()).toEqual(['powershell-module-logging', 'powershell-script-block-logging', 'process-creation-command-line']);
    expect(b.channels.map((c) => c.name)).toEqual(['Microsoft-Windows-TaskScheduler/Operational', 'Microsoft-Windows-DriverFrameworks-UserMode/Operational']);
  });

  it('finds a baseline whatever the case of its name', () => {
    expect(findBaseline(all, ' Yamato ')?.name).toBe('yamato');
    expect(findBaseline(all, 'cis')).toBeUndefined();
  });
});

/** One baseline file in a fresh directory, loaded; the CatalogError message when it is refused. */
function load(text: string, file = 'site.yaml'): Baseline[] | string {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-baselines-'));
  writeFileSync(join(dir, file), text);
  try {
    return loadBaselines(catalog, dir);
  } catch (e) {
    if (e instanceof CatalogError) return e.message;
    throw e;
  }
}

const HEAD = `baselines:
  - name: site-standard
    title: Contoso workstation logging standard
publisher: Contoso
version: "2025-03"
source: https://intranet.contoso.example/logging-standard
covers: [audit]
audit:
`;

describe('baseline files are validated', () => {
  it("a valid file loads with the file's source and version inherited by each setting", () => {
    const r = load(`${HEAD}  - { guid: "${PROCESS_CREATION.toLowerCase()}", name: "Process Creation", success: true, failure: false }\n`);
    expect(typeof r).not.toBe('string');
    const b = (r as Baseline[])[0] as Baseline;
    expect(b.audit[0]).toMatchObject({
      guid: PROCESS_CREATION,
      name: 'Audit Process Creation',
      success: 'on',
      failure: 'off',
      source: 'https://intranet.contoso.example/logging-standard',
      version: '2025-03',
    });
  });

  it('refuses an unknown subcategory, naming the file', () => {
    expect(load(`${HEAD}  - { guid: "{0CCE9999-69AE-11D9-BED3-505054503030}", name: "Audit Nothing", success: true, failure: true }\n`, 'broken.yaml')).toMatch(
      /baselines\/broken\.yaml: audit\[0\] unknown audit subcategory \{0CCE9999/,
    );
  });

  it("refuses a name that is not the GUID's subcategory", () => {
    expect(load(`${HEAD}  - { guid: "${PROCESS_CREATION}", name: "Audit Logon", success: true, failure: true }\n`)).toMatch(
      /name "Audit Logon" is not the name of \{0CCE922B/,
    );
  });

  it('refuses a bad value, a missing side and a per-variant map in a one-baseline file', () => {
    expect(load(`${HEAD}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: yes, failure: true }\n`)).toMatch(
      /success "yes" is not true, false or any/,
    );
    expect(load(`${HEAD}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: true }\n`)).toMatch(/lacks "failure"/);
    expect(load(`${HEAD}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: { dc: true }, failure: true }\n`)).toMatch(
      /per-variant values but the file defines one baseline/,
    );
  });

  it('refuses a file without source or version, and a source that is not an https URL', () => {
    expect(load(HEAD.replace(/source: .*\n/, '') + '  []\n')).toMatch(/top level lacks "source"/);
    expect(load(HEAD.replace(/version: .*\n/, '') + '  []\n')).toMatch(/top level lacks "version"/);
    expect(load(HEAD.replace('https://intranet', 'javascript://intranet') + '  []\n')).toMatch(/is not an https URL/);
  });

  it('refuses logs, policies and channels the catalog does not know, and settings outside "covers"', () => {
    const head = HEAD.replace('covers: [audit]', 'covers: [audit, logs, policies, channels]').replace(/audit:\n$/, '');
    expect(load(`${head}logs:\n  - { log: Setupx, maxSizeKB: 32768 }\n`)).toMatch(/log "Setupx" is not in eventlog.yaml/);
    expect(load(`${head}logs:\n  - { log: Security, maxSizeKB: 12.5 }\n`)).toMatch(/maxSizeKB 12.5 is not a whole number/);
    expect(load(`${head}policies:\n  - { id: powershell-everything }\n`)).toMatch(/unknown policy "powershell-everything"/);
    expect(load(`${head}channels:\n  - { name: Microsoft-Windows-Sysmon/Operational }\n`)).toMatch(/is not a disabled-by-default channel/);
    expect(load(`${HEAD}  []\npolicies:\n  - { id: powershell-script-block-logging }\n`)).toMatch(/lists policies but "covers" does not name them/);
  });

  it('variants: each needs a value, "only" must name a variant, names must be unique slugs', () => {
    const two = `baselines:
  - { name: site-dc, title: DCs, variant: dc, role: domain-controller }
  - { name: site-ws, title: Workstations, variant: ws }
publisher: Contoso
version: "1"
source: https://intranet.contoso.example/std
covers: [audit]
audit:
`;
    const ok = load(
      `${two}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: { dc: true, ws: any }, failure: false }\n  - { guid: "{0CCE9242-69AE-11D9-BED3-505054503030}", name: "Audit Kerberos Authentication Service", success: true, failure: true, only: [dc] }\n`,
    ) as Baseline[];
    expect(ok.map((b) => [b.name, b.audit.length, b.audit[0]?.success])).toEqual([
      ['site-dc', 2, 'on'],
      ['site-ws', 1, 'any'],
    ]);
    expect(load(`${two}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: { dc: true }, failure: false }\n`)).toMatch(
      /must give a value for each variant \(dc, ws\)/,
    );
    expect(load(`${two}  - { guid: "${PROCESS_CREATION}", name: "Audit Process Creation", success: true, failure: false, only: [member] }\n`)).toMatch(
      /only names "member"/,
    );
    expect(load(two.replace('name: site-dc', 'name: Site DC') + '  []\n')).toMatch(/is not a lower-case slug/);
  });

  it('a shipped name defined twice across files is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-baselines-'));
    writeFileSync(join(dir, 'a.yaml'), `${HEAD}  []\n`);
    writeFileSync(join(dir, 'b.yaml'), `${HEAD}  []\n`);
    expect(() => loadBaselines(catalog, dir)).toThrow(/baselines\/b\.yaml: baseline name "site-standard" is defined twice/);
  });

  it('YAML that does not parse is named, not thrown raw', () => {
    expect(load('baselines: [\n', 'torn.yaml')).toMatch(/baselines\/torn\.yaml: cannot load/);
  });
});
