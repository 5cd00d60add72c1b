/** Shipped baselines asd (third-party transcriptions of ASD's publication) and mdi (Defender for Identity, per role). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineAsHost } from '../../src/assess/baseline.js';
import { baselineFamilies, baselineFamily, familyMember, findBaseline, loadBaselines } from '../../src/catalog/baselines.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { CatalogError } from '../../src/catalog/validate.js';
import { runCli } from '../helpers.js';

const catalog = loadCatalog();
const all = loadBaselines(catalog);
const G = {
  credentialValidation: '{0CCE923F-69AE-11D9-BED3-505054503030}',
  lockout: '{0CCE9217-69AE-11D9-BED3-505054503030}',
  securityGroup: '{0CCE9237-69AE-11D9-BED3-505054503030}',
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  certServices: '{0CCE9221-69AE-11D9-BED3-505054503030}',
  tokenRight: '{0CCE924A-69AE-11D9-BED3-505054503030}',
};
const DC = 'test/fixtures/baselines/gpresult-dc01-mdi.xml';

describe('asd baseline', () => {
  const asd = findBaseline(all, 'asd')!;

  it('is labelled as third-party transcriptions and every row names a commit-pinned source', () => {
    expect(asd.title).toMatch(/transcribed by third parties/);
    expect(asd.publisher).toMatch(/third-party transcriptions/);
    for (const row of [...asd.audit, ...asd.logs, ...asd.policies])
      expect(row.source).toMatch(/^https:\/\/github\.com\/Yamato-Security\/(WELA|EventLog-Baseline-Guide)\/blob\/[0-9a-f]{40}\//);
    // Where WELA and ASD.bat disagree the outcome is not asserted: any, and the note gives both readings.
    const lockout = asd.audit.find((a) => a.guid === G.lockout)!;
    expect([lockout.success, lockout.failure]).toEqual(['any', 'any']);
    expect(lockout.note).toMatch(/WELA Failure; ASD\.bat Success/);
    const group = asd.audit.find((a) => a.guid === G.securityGroup)!;
    expect([group.success, group.failure]).toEqual(['on', 'any']);
    const logon = asd.audit.find((a) => a.guid === G.logon)!;
    expect([logon.success, logon.failure]).toEqual(['on', 'on']);
    // WELA's Token Right Adjusted row carries RPC Events' GUID: recorded under its own GUID, with a note.
    expect(asd.audit.find((a) => a.guid === G.tokenRight)?.note).toMatch(/RPC Events GUID/);
  });

  it('records ASD repository WMI SACLs and WEF subscriptions with their sources, not compared', () => {
    expect(asd.sacls?.filter((s) => s.kind === 'wmi-namespace').map((s) => s.object)).toContain('root\\subscription');
    expect(asd.sacls?.every((s) => s.source.includes('AustralianCyberSecurityCentre/windows_event_logging/blob/59041b5'))).toBe(true);
    expect(asd.forwards?.find((f) => f.subscription === 'process_tracking')).toMatchObject({ channel: 'Security', enabled: false });
  });

  it('as a host, a disputed outcome stays unknown rather than ready', () => {
    const h = baselineAsHost(asd, catalog);
    expect(h.audit.get(G.lockout)).toBeUndefined();
    expect(h.audit.get(G.securityGroup)).toMatchObject({ success: true });
    expect(h.audit.get(G.securityGroup)?.failure).toBeUndefined();
  });
});

describe('mdi baseline family', () => {
  it('has one member per server kind; a member server gets the member of its role, or none', () => {
    const f = baselineFamily(all, 'mdi')!;
    expect(f.map((b) => b.name).sort()).toEqual(['mdi-adcs', 'mdi-adfs', 'mdi-dc', 'mdi-entraconnect']);
    expect(familyMember(f, 'domain-controller')?.name).toBe('mdi-dc');
    expect(familyMember(f, 'member-server', new Set(['certification-authority']))?.name).toBe('mdi-adcs');
    expect(familyMember(f, 'member-server', new Set(['adfs']))?.name).toBe('mdi-adfs');
    expect(familyMember(f, 'member-server')).toBeUndefined();
    expect(familyMember(f, 'workstation')).toBeUndefined();
    const adcs = findBaseline(all, 'mdi-adcs')!;
    expect(adcs.audit.map((a) => a.guid)).toEqual([G.certServices]);
    expect(adcs.policies.map((p) => p.id)).toEqual(['ca-audit-filter']);
    // policies `only: [adcs]`: the CA filter is not asked of a DC
    expect(findBaseline(all, 'mdi-dc')!.policies).toEqual([]);
    expect(findBaseline(all, 'mdi-entraconnect')!.audit.map((a) => a.guid)).toEqual([G.logon]);
    expect(findBaseline(all, 'mdi-dc')!.source).toMatch(/^https:\/\/learn\.microsoft\.com\/en-us\/defender-for-identity\//);
    expect(baselineFamilies(all).map((x) => x.name)).toContain('mdi');
  });

  it('baseline --list shows asd and mdi with their sources', () => {
    const r = runCli(['baseline', '--list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^asd\n {2}ASD Windows Event Logging and Forwarding, as transcribed by third parties .*\n {2}.*8 SACL entries recorded, 20 forwarding subscriptions recorded\n {2}https:\/\/github\.com\/Yamato-Security\/WELA\/blob\/d2d85d7d813685b89f324f21d67839db66f5f75a\/WELA\.ps1/m,
    );
    expect(r.stdout).toMatch(
      /^mdi-dc\n {2}Microsoft Defender for Identity auditing, domain controller\n.*\n {2}https:\/\/learn\.microsoft\.com\/en-us\/defender-for-identity\/deploy\/configure-windows-event-collection$/m,
    );
    expect(r.stdout).toMatch(/^mdi\n {2}one variant per computer type, picked for each host by its role: mdi-adcs \(member-server, certification-authority\)/m);
    const j = JSON.parse(runCli(['baseline', '--list', '--format', 'json']).stdout) as { name: string; source: string; feature?: string }[];
    expect(j.find((b) => b.name === 'mdi-adfs')).toMatchObject({ feature: 'adfs' });
  });

  it('a DC gpresult against mdi (the family picks mdi-dc): meets 4, weaker 2, missing 2', () => {
    const r = runCli(['baseline', 'mdi', '--gpresult', DC, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.baseline.name ?? j.baseline).toMatch(/mdi-dc/);
    const host = j.hosts[0];
    expect(host.counts).toMatchObject({ meets: 4, weaker: 2, missing: 2, unknown: 0 });
    const status = Object.fromEntries(host.settings.map((s: { name: string; status: string }) => [s.name, s.status]));
    expect(status['Audit Computer Account Management']).toBe('weaker');
    expect(status['Audit Directory Service Access']).toBe('missing');
    expect(status['Audit Credential Validation']).toBe('meets');
  });

  it('a member server of no known role is not compared with mdi, and the message names the roles that settle it', () => {
    const r = runCli(['baseline', 'mdi', '--gpresult', 'test/fixtures/real/gpresult/member-cis-ms01-2023.xml', '--role', 'server']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/one of certification-authority, adfs, settles it; or name the variant/);
  });
});

/** One baseline file in a fresh directory: the CatalogError message when it is refused, else the names. */
function load(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-baselines-'));
  writeFileSync(join(dir, 'x.yaml'), text);
  try {
    return loadBaselines(catalog, dir)
      .map((b) => b.name)
      .join(',');
  } catch (e) {
    if (e instanceof CatalogError) return e.message;
    throw e;
  }
}

const FILE = `baselines:
  - { name: x-a, variant: a, title: A, role: member-server, feature: adfs }
  - { name: x-b, variant: b, title: B, role: member-server }
publisher: P
version: "1"
source: https://example.org/p
covers: [audit, policies]
audit:
  - { guid: "{0CCE9215-69AE-11D9-BED3-505054503030}", name: "Audit Logon", success: true, failure: true, only: [b] }
policies:
  - { id: ca-audit-filter, only: [a] }
`;

describe('the additions to the baseline schema are validated', () => {
  it('feature must be a catalog role; policies take only; sacls and forwards need a known kind and an https source', () => {
    expect(load(FILE)).toBe('x-a,x-b');
    expect(load(FILE.replace('feature: adfs', 'feature: wizardry'))).toMatch(/feature "wizardry" is not a role of the catalog/);
    expect(load(FILE.replace('only: [a] }', 'only: [z] }'))).toMatch(/only names "z"/);
    expect(load(`${FILE}sacls:\n  - { kind: teapot, object: o, trustee: t, access: a, inherit: false, source: https://example.org/s }\n`)).toMatch(
      /kind "teapot" is not one of/,
    );
    expect(load(`${FILE}forwards:\n  - { subscription: s, channel: Security, query: q, enabled: true, source: http://example.org/s }\n`)).toMatch(
      /source "http:\/\/example.org\/s" is not an https URL/,
    );
    expect(load(`${FILE}forwards:\n  - { subscription: s, channel: Security, query: q, enabled: true, source: https://example.org/s, extra: 1 }\n`)).toMatch(
      /unknown key "extra"/,
    );
  });
});
