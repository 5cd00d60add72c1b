/**
 * Issue 23, catalog errors: each fact as data/audit.yaml / logsource-aliases.yaml records it (with its Microsoft
 * or ASD source there), and the verdict a rule that reads the event gets on a host because of it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { emptyHost, type HostEnvironment } from '../../src/environment/model.js';
import { assessRule, requirementState, type StateOptions } from '../../src/assess/verdict.js';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBaselines } from '../../src/catalog/baselines.js';
import { baselineAsHost } from '../../src/assess/baseline.js';

const catalog = loadCatalog();
const G = {
  authPolicy: '{0CCE9230-69AE-11D9-BED3-505054503030}',
  secGroup: '{0CCE9237-69AE-11D9-BED3-505054503030}',
  otherObject: '{0CCE9227-69AE-11D9-BED3-505054503030}',
  dsAccess: '{0CCE923B-69AE-11D9-BED3-505054503030}',
  sam: '{0CCE9220-69AE-11D9-BED3-505054503030}',
  handle: '{0CCE9223-69AE-11D9-BED3-505054503030}',
};

function rule(logsource: string, detection: string): SigmaRule {
  const { rules, errors } = parseRuleFile('t.yml', `title: t\nlogsource: ${logsource}\ndetection:\n${detection}\n`);
  if (errors.length) throw new Error(errors[0]!.message);
  return rules[0] as SigmaRule;
}
const security = (det: string) => rule('{product: windows, service: security}', det);

/** A host whose audit policy (from an auditpol-like input) turns these subcategories fully on, of this kind. */
function host(kind: 'workstation' | 'member-server' | 'domain-controller', on: string[]): HostEnvironment {
  const h = emptyHost('H1');
  h.covers.audit = true;
  for (const g of on) h.audit.set(g, { success: true, failure: true, source: 'auditpol test' });
  h.role = { kind, features: new Set(), complete: false, source: 'test role' };
  return h;
}

function verdict(r: SigmaRule, h: HostEnvironment, opts: StateOptions = {}) {
  const res = resolveRule(r, catalog);
  expect(res.status).toBe('resolved');
  const alts = res.alternatives;
  return assessRule(
    alts.filter((a) => !a.supplementary),
    alts.filter((a) => a.supplementary),
    (id) => requirementState(id, h, catalog, opts),
  );
}

const eventOf = (guid: string, id: number) => catalog.subcategories.find((s) => s.guid === guid)?.events.find((e) => e.id === id);

describe('trust and Kerberos policy events are written only on domain controllers (their event pages)', () => {
  for (const id of [4706, 4707, 4713, 4716, 4865, 4866, 4867]) {
    it(`${id}: data says domain-controller; a rule on it is not-applicable on a member server, ready on a DC`, () => {
      const ev = eventOf(G.authPolicy, id);
      expect(ev?.roles).toEqual(['domain-controller']);
      expect(ev?.source).toContain(`event-${id}`);
      const r = security(`  s: {EventID: ${id}}\n  condition: s`);
      expect(verdict(r, host('member-server', [G.authPolicy])).verdict).toBe('not-applicable');
      expect(verdict(r, host('domain-controller', [G.authPolicy])).verdict).toBe('ready');
    });
  }
  it('4739 (domain policy changed) keeps no role: its page says Required Server Roles: None', () => {
    const ev = eventOf(G.authPolicy, 4739);
    expect(ev?.roles).toBeUndefined();
    expect(ev?.note).toMatch(/Required Server Roles: None/);
    const r = security('  s: {EventID: 4739}\n  condition: s');
    expect(verdict(r, host('workstation', [G.authPolicy])).verdict).toBe('ready');
  });
});

describe('global and universal security group events', () => {
  for (const id of [4754, 4755, 4756, 4757, 4758]) {
    it(`${id} (universal group): domain-controller in data; not-applicable on a workstation, ready on a DC`, () => {
      expect(eventOf(G.secGroup, id)?.roles).toEqual(['domain-controller']);
      const r = security(`  s: {EventID: ${id}}\n  condition: s`);
      expect(verdict(r, host('workstation', [G.secGroup])).verdict).toBe('not-applicable');
      expect(verdict(r, host('domain-controller', [G.secGroup])).verdict).toBe('ready');
    });
  }
  for (const id of [4727, 4728, 4729, 4730, 4737]) {
    it(`${id} (global group): no role — a workstation's SAM has the global group None (real 4728 capture)`, () => {
      expect(eventOf(G.secGroup, id)?.roles).toBeUndefined();
      const r = security(`  s: {EventID: ${id}}\n  condition: s`);
      expect(verdict(r, host('workstation', [G.secGroup])).verdict).toBe('ready');
    });
  }
  it('the note cites the capture that contradicts a DC-only 4728', () => {
    expect(catalog.subcategories.find((s) => s.guid === G.secGroup)?.note).toMatch(/new-user-security\.evtx.*IE8Win7/);
  });
  it('local group events (4732) stay on every host', () => {
    expect(eventOf(G.secGroup, 4732)?.roles).toBeUndefined();
    const r = security('  s: {EventID: 4732}\n  condition: s');
    expect(verdict(r, host('workstation', [G.secGroup])).verdict).toBe('ready');
  });
});

describe('4662 for WMI namespaces is written on any host (Other Object Access + a namespace SACL)', () => {
  const wmi = security("  s: {EventID: 4662, ObjectType: 'WMI Namespace', ObjectName|contains: subscription}\n  condition: s");
  it('data: an Other Object Access entry for ObjectType WMI Namespace, SACL kind wmi-namespace, no role', () => {
    const ev = eventOf(G.otherObject, 4662);
    expect(ev?.objectTypes).toEqual(['WMI Namespace']);
    expect(ev?.sacl).toBe('wmi-namespace');
    expect(ev?.roles).toBeUndefined();
  });
  it('a rule on WMI Namespace 4662 needs Other Object Access and the namespace SACL, not a domain controller', () => {
    const sets = resolveRule(wmi, catalog).alternatives.map((a) => a.requires);
    expect(sets).toEqual([[`audit:${G.otherObject}:failure`, `audit:${G.otherObject}:success`, 'sacl:wmi-namespace', 'sacl:wmi-namespace:failure']]);
  });
  it('on a workstation with Other Object Access it is unknown (the namespace SACL is in no input), not not-applicable', () => {
    const v = verdict(wmi, host('workstation', [G.otherObject]));
    expect(v.verdict).toBe('unknown');
    expect(v.why).toMatch(/sacl:wmi-namespace/);
    expect(v.cause).toBe('object SACLs not visible');
  });
  it('under --assume-defaults the namespace SACL is not assumed on (no SACL at installation): never ready', () => {
    expect(verdict(wmi, host('workstation', [G.otherObject]), { assumeDefaults: true }).verdict).not.toBe('ready');
  });
  it('a 4662 rule on AD objects (no or another ObjectType) still needs Directory Service Access on a DC', () => {
    const ad = security("  s: {EventID: 4662, Properties|contains: '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2'}\n  condition: s");
    for (const set of resolveRule(ad, catalog).alternatives.map((a) => a.requires)) {
      expect(set).toContain('role:domain-controller');
      expect(set).toContain(`audit:${G.dsAccess}:success`);
    }
    expect(verdict(ad, host('workstation', [G.otherObject, G.dsAccess])).verdict).toBe('not-applicable');
    const secret = security("  s: {EventID: 4662, ObjectType: 'SecretObject'}\n  condition: s");
    for (const set of resolveRule(secret, catalog).alternatives.map((a) => a.requires)) expect(set).toContain('role:domain-controller');
  });
  it('SigmaHQ win_security_wmi_persistence resolves to the any-host route', () => {
    if (!corpusOrSkip('win_security_wmi_persistence')) return;
    const text = readFileSync(`${CORPUS}sigmahq/rules/windows/builtin/security/win_security_wmi_persistence.yml`, 'utf8');
    const r = parseRuleFile('win_security_wmi_persistence.yml', text).rules[0] as SigmaRule;
    const sets = resolveRule(r, catalog).alternatives.map((a) => a.requires);
    expect(sets.length).toBeGreaterThan(0);
    for (const s of sets) expect(s.some((id) => id.startsWith('role:'))).toBe(false);
  });
});

describe('SAM: no SACL requirement (the pages say none is needed for events)', () => {
  it('data: Audit SAM has no sacl; a SAM_USER 4661 rule needs SAM + Handle Manipulation only, ready on a workstation', () => {
    const sam = catalog.subcategories.find((s) => s.guid === G.sam);
    expect(sam?.sacl).toBeUndefined();
    const r = security('  s: {EventID: 4661, ObjectType: SAM_USER}\n  condition: s');
    const sets = resolveRule(r, catalog).alternatives.map((a) => a.requires);
    expect(sets.some((s) => s.some((id) => id.startsWith('sacl:')))).toBe(false);
    expect(verdict(r, host('workstation', [G.sam, G.handle])).verdict).toBe('ready');
  });
});

describe('4103/4104 name both PowerShell Operational channels (logsource-aliases.yaml)', () => {
  it('data lists Windows PowerShell and PowerShell 7 Operational for 4103 and 4104', () => {
    const t = catalog.aliases.eventIds.find((x) => x.ids.includes(4104));
    expect(t?.channels).toEqual(['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational']);
  });
  it('a rule naming only EventID 4103 is read from the powershell service, both routes, once', () => {
    const r = rule('{product: windows}', '  s: {EventID: 4103}\n  condition: s');
    const res = resolveRule(r, catalog);
    expect(res.status).toBe('resolved');
    expect(res.inferredFrom).toMatch(/EventID/);
    expect(res.notes.join()).toMatch(/PowerShellCore\/Operational/);
    const origins = res.alternatives.map((a) => a.origin);
    expect(origins).toContain('Windows PowerShell Operational');
    expect(origins).toContain('PowerShell 7 Operational');
    expect(new Set(origins).size).toBe(origins.length);
  });
});

describe('the Azure server baseline sets the command line in 4688 (issue 23)', () => {
  const cmd = rule('{product: windows, category: process_creation}', '  s: {CommandLine|contains: urlcache}\n  condition: s');
  it('data: microsoft-server-member and -dc record the policy; a CommandLine rule is ready through 4688 there', () => {
    for (const name of ['microsoft-server-member', 'microsoft-server-dc']) {
      const b = loadBaselines(catalog).find((x) => x.name === name)!;
      expect(b.policies.map((p) => p.id)).toContain('process-creation-command-line');
      const h = baselineAsHost(b, catalog);
      const v = verdict(cmd, h);
      expect(v.verdict).toBe('ready');
    }
  });
  it('the page also turns on script block logging: a ps_script rule is ready there', () => {
    const ps = rule('{product: windows, category: ps_script}', '  s: {ScriptBlockText|contains: Invoke-Mimikatz}\n  condition: s');
    const b = loadBaselines(catalog).find((x) => x.name === 'microsoft-server-member')!;
    expect(verdict(ps, baselineAsHost(b, catalog)).verdict).toBe('ready');
  });
  it('check --baseline microsoft-server-member counts a command-line rule ready', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-i23-'));
    writeFileSync(
      join(dir, 'cmd.yml'),
      'title: certutil urlcache\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s: {CommandLine|contains: urlcache}\n  condition: s\n',
    );
    const r = runCli(['check', dir, '--baseline', 'microsoft-server-member', '--format', 'json']);
    expect(r.status).toBe(0);
    const b = JSON.parse(r.stdout).baselines[0];
    expect(b.summary).toMatchObject({ ready: 1, applicable: 1 });
  });
  it('SigmaHQ process_creation: over 1,000 rules ready for microsoft-server-member (209 before the fix)', () => {
    if (!corpusOrSkip('SigmaHQ process_creation')) return;
    const r = runCli(['check', `${CORPUS}sigmahq/rules/windows/process_creation`, '--baseline', 'microsoft-server-member', '--format', 'json']);
    const b = JSON.parse(r.stdout).baselines[0];
    expect(b.summary.ready).toBeGreaterThan(1000);
    expect(b.summary.unknownCauses).toEqual({ 'no Sysmon input': b.summary.unknown });
  });
});

describe('Certification Services events also need the CA audit filter (CA\\AuditFilter)', () => {
  const certSvc = '{0CCE9221-69AE-11D9-BED3-505054503030}';
  const issued = security('  s: {EventID: 4887}\n  condition: s');
  const ca = (policies: boolean) => {
    const h = host('member-server', [certSvc]);
    h.role = { kind: 'member-server', features: new Set(['certification-authority']), complete: true, source: '--role server,ca' };
    h.covers.policies = policies;
    return h;
  };
  it('data: every 4868-4898 event requires policy:ca-audit-filter, a setting outside Group Policy', () => {
    const sub = catalog.subcategories.find((s) => s.guid === certSvc)!;
    expect(sub.events).toHaveLength(31);
    for (const e of sub.events) expect(e.requires).toEqual(['policy:ca-audit-filter']);
    expect(catalog.policy('ca-audit-filter')?.outsideGroupPolicy?.check).toBe('certutil -getreg CA\\AuditFilter');
    expect(catalog.policy('ca-audit-filter')?.source).toContain('dn786422');
  });
  it('a CA with Certification Services audited is unknown, not ready: no input shows the filter', () => {
    const v = verdict(issued, ca(false));
    expect(v.verdict).toBe('unknown');
    expect(v.why).toMatch(/policy:ca-audit-filter/);
  });
  it('a gpresult that does not set it says nothing of it (unknown with the certutil command, never "not configured by any GPO")', () => {
    const st = requirementState('policy:ca-audit-filter', ca(true), catalog);
    expect(st.state).toBe('unknown');
    expect(st.reason).toMatch(/not a Group Policy setting.*certutil -getreg CA\\AuditFilter/);
  });
  it('--assume-defaults takes the filter at 0 (nothing audited): blocked', () => {
    expect(verdict(issued, ca(true), { assumeDefaults: true }).verdict).toBe('blocked');
  });
  it('an input that shows the filter on makes the rule ready', () => {
    const h = ca(true);
    h.policies.set('ca-audit-filter', { state: 'on', source: 'test input' });
    expect(verdict(issued, h).verdict).toBe('ready');
  });
});

describe('fix never writes the CA audit filter into a .reg (it has no fixed registry path)', () => {
  it('gives the certutil step as a note instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-i23-ca-'));
    writeFileSync(
      join(dir, 'ca.yml'),
      'title: certificate issued\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 4887}\n  condition: s\n',
    );
    const out = join(dir, 'remediation');
    const r = runCli(['fix', dir, '--gpresult', 'test/fixtures/environment/gpresult-ps7.xml', '--role', 'server,ca', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/CA\\AuditFilter\): not written into logging-policies\.reg .*certutil -setreg CA\\AuditFilter 127/);
    expect(existsSync(join(out, 'logging-policies.reg'))).toBe(false);
  });
});
