/**
 * A host against a baseline (meets / stronger / weaker / missing / unknown per setting), a baseline taken as a
 * host, and the rule set assessed against baselines. Hosts are built here or read from
 * test/fixtures/baselines/fleet (auditpol exports derived from the Windows 10 default fixture, see its README).
 */
import { describe, expect, it } from 'vitest';
import { assessBaselines } from '../../src/assess/baseline-check.js';
import { baselineAsHost, compareHost, describeWant, type SettingComparison } from '../../src/assess/baseline.js';
import type { AssessRule } from '../../src/assess/counts.js';
import { requirementState } from '../../src/assess/verdict.js';
import { findBaseline, loadBaselines, type Baseline } from '../../src/catalog/baselines.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { emptyHost, type HostEnvironment } from '../../src/environment/model.js';

const catalog = loadCatalog();
const all = loadBaselines(catalog);
const baseline = (name: string): Baseline => findBaseline(all, name) as Baseline;

const G = {
  processCreation: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  lockout: '{0CCE9217-69AE-11D9-BED3-505054503030}',
  kerberosAs: '{0CCE9242-69AE-11D9-BED3-505054503030}',
  fileSystem: '{0CCE921D-69AE-11D9-BED3-505054503030}',
};

/** A hand-built baseline: what the statuses are tested against, independent of the shipped data. */
const site: Baseline = {
  name: 'site',
  title: 'Site standard',
  publisher: 'Contoso',
  version: '1',
  source: 'https://intranet.contoso.example/std',
  file: 'site.yaml',
  role: 'workstation',
  covers: ['audit', 'logs', 'policies', 'channels'],
  audit: [
    { guid: G.processCreation, name: 'Audit Process Creation', success: 'on', failure: 'off', source: 's', version: '1' },
    { guid: G.logon, name: 'Audit Logon', success: 'on', failure: 'on', source: 's', version: '1' },
    { guid: G.lockout, name: 'Audit Account Lockout', success: 'any', failure: 'on', source: 's', version: '1' },
    { guid: G.kerberosAs, name: 'Audit Kerberos Authentication Service', success: 'off', failure: 'off', source: 's', version: '1' },
  ],
  logs: [{ log: 'Security', maxSizeKB: 196608, source: 's', version: '1' }],
  policies: [{ id: 'process-creation-command-line', name: 'Include command line in process creation events', source: 's', version: '1' }],
  channels: [{ name: 'Microsoft-Windows-TaskScheduler/Operational', source: 's', version: '1' }],
};

function host(audit: Record<string, [boolean | undefined, boolean | undefined]>, more: (h: HostEnvironment) => void = () => {}): HostEnvironment {
  const h = emptyHost('WS-0001');
  h.covers = { audit: true, policies: true };
  for (const [guid, [success, failure]] of Object.entries(audit)) h.audit.set(guid, { success, failure, source: 'gpresult test.xml' });
  more(h);
  return h;
}

const byName = (settings: SettingComparison[]) => Object.fromEntries(settings.map((s) => [s.name, s.status]));

describe('compareHost: one status per setting', () => {
  it('meets, stronger, weaker, missing — and a setting that asks nothing is not counted', () => {
    const h = host(
      {
        [G.processCreation]: [true, true], // baseline: Success → the host audits more
        [G.logon]: [true, false], // baseline: Success and Failure → half of it
        [G.lockout]: [false, false], // baseline: Failure → none of it
        [G.kerberosAs]: [false, false], // baseline: No Auditing → exactly that
      },
      (x) => {
        x.eventLogs.set('Security', { log: 'Security', maxSizeKB: 1048576, source: 'gpresult test.xml' });
        x.policies.set('process-creation-command-line', { state: 'on', source: 'gpresult test.xml' });
      },
    );
    const c = compareHost(site, h, catalog);
    expect(byName(c.settings)).toEqual({
      'Audit Process Creation': 'stronger',
      'Audit Logon': 'weaker',
      'Audit Account Lockout': 'missing',
      'Audit Kerberos Authentication Service': 'meets',
      'Security log': 'stronger',
      'Include command line in process creation events': 'meets',
      'Microsoft-Windows-TaskScheduler/Operational': 'unknown',
    });
    expect(c.settings.find((s) => s.name === 'Audit Kerberos Authentication Service')?.required).toBe(false);
    expect(c.required).toBe(6);
    expect(c.counts).toEqual({ meets: 1, stronger: 2, weaker: 1, missing: 1, unknown: 1 });
    expect(c.met).toBe(3);
    expect(c.metPercent).toBe(50);
  });

  it('Failure only where Success is asked is missing, not weaker; an outcome the baseline leaves open counts as more', () => {
    const c = compareHost(site, host({ [G.processCreation]: [false, true], [G.lockout]: [true, true] }), catalog);
    expect(byName(c.settings)['Audit Process Creation']).toBe('missing');
    expect(byName(c.settings)['Audit Account Lockout']).toBe('stronger');
  });

  it('audits a subcategory the baseline says not to: stronger, but still not counted', () => {
    const c = compareHost(site, host({ [G.kerberosAs]: [true, false] }), catalog);
    const k = c.settings.find((s) => s.key === G.kerberosAs);
    expect(k).toMatchObject({ status: 'stronger', required: false, have: 'Success' });
  });

  it('unknown when the inputs do not say: no audit input, an unconfigured side, no size in force', () => {
    const none = emptyHost('LT-1');
    const c = compareHost(site, none, catalog);
    expect(c.settings.filter((s) => s.kind === 'audit').every((s) => s.status === 'unknown')).toBe(true);
    expect(c.settings.find((s) => s.kind === 'log')).toMatchObject({ status: 'unknown' });
    // Success configured, Failure not: an asked-for side is open.
    expect(byName(compareHost(site, host({ [G.logon]: [true, undefined] }), catalog).settings)['Audit Logon']).toBe('unknown');
    // A subcategory no input configures.
    expect(compareHost(site, host({}), catalog).settings.find((s) => s.key === G.processCreation)).toMatchObject({ status: 'unknown', have: 'not configured' });
  });

  it("log size: smaller is weaker; not set by the host's policy is missing; --assume-defaults compares the Windows default", () => {
    const small = host({}, (x) => x.eventLogs.set('Security', { log: 'Security', maxSizeKB: 20480, source: 'wevtutil-gl.txt' }));
    expect(compareHost(site, small, catalog).settings.find((s) => s.kind === 'log')).toMatchObject({ status: 'weaker', have: '20480 KB' });
    const unset = host({});
    expect(compareHost(site, unset, catalog).settings.find((s) => s.kind === 'log')?.status).toBe('missing');
    const assumed = compareHost(
      site,
      host({}, (x) => (x.covers.policies = false)),
      catalog,
      { assumeDefaults: true },
    ).settings.find((s) => s.kind === 'log');
    expect(assumed).toMatchObject({ status: 'weaker', have: '20480 KB' });
    expect(assumed?.detail).toMatch(/assumed Windows default 20480 KB/);
  });

  it('policies and channels: on meets, off is missing', () => {
    const h = host({}, (x) => {
      x.channels = {
        list: new Map([['microsoft-windows-taskscheduler/operational', { name: 'Microsoft-Windows-TaskScheduler/Operational', exists: true, enabled: true }]]),
        complete: true,
        source: 'wevtutil-gl.txt',
      };
    });
    const c = compareHost(site, h, catalog);
    // No GPO configures the command line: Windows' default (disabled) applies.
    expect(byName(c.settings)['Include command line in process creation events']).toBe('missing');
    expect(byName(c.settings)['Microsoft-Windows-TaskScheduler/Operational']).toBe('meets');
  });

  it('describes what a baseline wants in words', () => {
    expect(describeWant('on', 'on')).toBe('Success and Failure');
    expect(describeWant('on', 'any')).toBe('Success (Failure: any)');
    expect(describeWant('off', 'off')).toBe('No Auditing');
    expect(describeWant('any', 'any')).toBe('no requirement');
    expect(describeWant('any', 'off')).toBe('Failure not audited (Success: any)');
  });
});

describe('compareHost over a real export (test/fixtures/baselines/fleet/ws-1101-auditpol.csv)', () => {
  it('WS-1101 against the Intune client baseline', () => {
    const env = loadEnvironment({ auditpol: ['test/fixtures/baselines/fleet/ws-1101-auditpol.csv'] }, catalog);
    const c = compareHost(baseline('microsoft-client'), env.hosts[0] as HostEnvironment, catalog);
    const s = byName(c.settings);
    expect(s['Audit Process Creation']).toBe('stronger'); // Success and Failure where Success is asked
    expect(s['Audit Logon']).toBe('weaker'); // Success where Success and Failure are asked
    expect(s['Audit Removable Storage']).toBe('weaker'); // Failure only
    expect(s['Audit Account Lockout']).toBe('missing');
    expect(s['Audit Credential Validation']).toBe('meets');
    // auditpol says nothing of log sizes or policies.
    expect(s['Security log']).toBe('unknown');
    expect(s['Turn on PowerShell Script Block Logging']).toBe('unknown');
    expect(c.counts).toEqual({ meets: 10, stronger: 1, weaker: 2, missing: 10, unknown: 4 });
    expect(c.metPercent).toBe(40.7);
  });
});

describe('baselineAsHost', () => {
  it('sets what the baseline lists and leaves the rest not configured', () => {
    const h = baselineAsHost(baseline('microsoft-client'), catalog);
    expect(h.audit.get(G.processCreation)).toMatchObject({ success: true, failure: false });
    expect(requirementState(`audit:${G.processCreation}:success`, h, catalog).state).toBe('on');
    // Not in the Intune baseline: not configured, so unknown; under --assume-defaults, Windows' client default
    // (windows-default-client: File System No Auditing) is taken and said to be assumed.
    expect(h.audit.has(G.fileSystem)).toBe(false);
    expect(requirementState(`audit:${G.fileSystem}:success`, h, catalog).state).toBe('unknown');
    expect(requirementState(`audit:${G.fileSystem}:success`, h, catalog, { assumeDefaults: true })).toMatchObject({
      state: 'off',
      assumed: true,
      reason: expect.stringMatching(/on a client/),
    });
    // Policies: the one it sets is on; the others stay at their disabled default.
    expect(requirementState('policy:powershell-script-block-logging', h, catalog).state).toBe('on');
    expect(requirementState('policy:process-creation-command-line', h, catalog)).toMatchObject({
      state: 'off',
      reason: expect.stringMatching(/not set by baseline microsoft-client/),
    });
    expect(h.eventLogs.get('Security')?.maxSizeKB).toBe(196608);
    expect(h.role?.kind).toBe('workstation');
  });

  it('"any" sides stay unset; a baseline recording no policies leaves them unknown, not off', () => {
    const h = baselineAsHost(baseline('microsoft-server-member'), catalog);
    expect(h.audit.get(G.processCreation)).toEqual({ success: true, source: expect.any(String) });
    expect(requirementState(`audit:${G.processCreation}:failure`, h, catalog).state).toBe('unknown');
    // The Azure file records its logging policies (issue 23); the General recommendation records none.
    expect(requirementState('policy:process-creation-command-line', h, catalog).state).toBe('on');
    const general = baselineAsHost(baseline('microsoft-general-member'), catalog);
    expect(requirementState('policy:process-creation-command-line', general, catalog)).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/holds no logging policies/),
    });
  });

  it('channels the baseline enables are on; Sysmon stays unknown unless --assume-defaults', () => {
    const h = baselineAsHost(baseline('yamato'), catalog);
    expect(requirementState('channel:Microsoft-Windows-TaskScheduler/Operational', h, catalog).state).toBe('on');
    expect(requirementState('channel:Microsoft-Windows-DNS-Client/Operational', h, catalog).state).toBe('unknown');
    expect(requirementState('sysmon:1', h, catalog).state).toBe('unknown');
    expect(requirementState('sysmon:1', h, catalog, { assumeDefaults: true }).state).toBe('off');
  });
});

describe('assessBaselines (check --baseline)', () => {
  // Two rules: process creation with the command line (4688 + policy, or Sysmon 1), and Kerberos TGT failures on DCs.
  const rule = (title: string, logsourceKey: string, branches: string[][][]): AssessRule => ({
    path: `${title}.yml`,
    title,
    kind: 'rule',
    windows: true,
    logsourceKey,
    eventIds: [],
    origins: branches.map((_, i) => `o${i}`),
    branches,
    supplementaryBranches: [],
  });
  const rules = [
    rule('cmd', 'windows/category/process_creation', [[['sysmon:1']], [[`audit:${G.processCreation}:success`, 'policy:process-creation-command-line']]]),
    rule('tgt', 'windows/service/security', [[[`audit:${G.kerberosAs}:failure`, 'role:domain-controller']]]),
  ];
  const input = { rules, requirements: [...new Set(rules.flatMap((r) => r.branches.flat(2)))].map((id) => ({ id })) };

  it('Yamato makes the command-line rule ready; the Intune baseline lacks the command line; roles decide the DC rule', () => {
    const check = assessBaselines(input, [baseline('yamato'), baseline('microsoft-client'), baseline('microsoft-server-dc')], catalog);
    const [yamato, client, dc] = check.baselines;
    expect(yamato?.summary).toMatchObject({ ready: 1, unknown: 1 }); // the DC rule: Yamato names no role
    expect(client?.summary).toMatchObject({ ready: 0, notApplicable: 1 }); // a workstation never logs 4768/4771
    expect(client?.lacks).toContainEqual({ id: 'policy:process-creation-command-line', rules: 1, state: 'off' });
    // Kerberos Authentication Service Success and Failure on DCs, and the command line (Azure: = 1 on DCs too)
    expect(dc?.summary.ready).toBe(2);
    expect(dc?.lacks.filter((l) => l.id.startsWith('policy:'))).toEqual([]);
    expect(client?.logsources.map((l) => l.logsource)).toEqual(['windows/category/process_creation', 'windows/service/security']);
  });
});
