/** `baseline` and `check --baseline` as a user runs them (the built CLI; `npm test` builds it first). */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const FLEET = 'test/fixtures/baselines/fleet';
const WS1101 = `${FLEET}/ws-1101-auditpol.csv`;

describe('logsource-check baseline', () => {
  it('--list and `list` print every baseline with title, version and source', () => {
    const r = runCli(['baseline', '--list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^microsoft-client\n {2}Microsoft security baseline for Windows clients \(Intune/m);
    expect(r.stdout).toContain('https://github.com/Yamato-Security/EnableWindowsLogSettings');
    expect(runCli(['baseline', 'list']).stdout).toBe(r.stdout);
    const json = JSON.parse(runCli(['baseline', '--list', '--format', 'json']).stdout) as { name: string; source: string }[];
    expect(json.map((b) => b.name)).toContain('microsoft-server-dc');
  });

  it('one host: setting by setting, with the share met', () => {
    const r = runCli(['baseline', 'microsoft-client', '--auditpol', WS1101]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Host WS-1101: 11 of 27 required settings met (40.7%) — meets 10 · stronger 1 · weaker 2 · missing 10 · unknown 4');
    expect(r.stdout).toMatch(/Audit Process Creation\s+│ Success\s+│ Success and Failure\s+│ stronger/);
    expect(r.stdout).toMatch(/Audit Logon\s+│ Success and Failure\s+│ Success\s+│ weaker/);
  });

  it('a fleet (a directory): one row per host, and no control character or formula from a host name survives', () => {
    const table = runCli(['baseline', 'microsoft-client', '--auditpol', FLEET]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('WS-1101');
    expect(table.stdout).not.toMatch(/\u001b|\u0007/);
    const csv = runCli(['baseline', 'microsoft-client', '--auditpol', FLEET, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('host,baseline,kind,setting,name,baseline_wants,host_has,status,required,detail');
    expect(csv.stdout).not.toMatch(/^"?=SUM/m);
    expect(csv.stdout).toMatch(/^"?'=SUM/m);
    expect(csv.stderr).toBe('');
    const md = runCli(['baseline', 'microsoft-client', '--auditpol', FLEET, '--format', 'markdown']);
    expect(md.stdout).toMatch(/^\| Host \| Met \|/m);
    expect(md.stdout).not.toMatch(/\u001b/);
    const json = JSON.parse(runCli(['baseline', 'microsoft-client', '--auditpol', FLEET, '--format', 'json']).stdout) as {
      hosts: { host: string; metPercent: number }[];
    };
    expect(json.hosts.map((h) => h.metPercent)).toEqual([40.7, 29.6]);
  });

  it('--fail-under exits 1 when a host meets less, 0 otherwise', () => {
    const low = runCli(['baseline', 'microsoft-client', '--auditpol', WS1101, '--fail-under', '50']);
    expect(low.status).toBe(1);
    expect(low.stderr).toContain('baseline microsoft-client met below 50% on 1 host(s): WS-1101 40.7%');
    expect(runCli(['baseline', 'microsoft-client', '--auditpol', WS1101, '--fail-under', '40']).status).toBe(0);
  });

  it('unusable invocations exit 2 with one line', () => {
    const unknown = runCli(['baseline', 'cis-level-1', '--auditpol', WS1101]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown baseline "cis-level-1" \(known: asd, mdi-adcs, /);
    expect(runCli(['baseline', 'yamato']).stderr).toMatch(/needs a host input/);
    expect(runCli(['baseline', 'yamato', '--auditpol', 'no/such.csv']).status).toBe(2);
    expect(runCli(['baseline']).status).toBe(2);
  });
});

describe('logsource-check check --baseline', () => {
  it('assesses the rules against each baseline, side by side', () => {
    const r = runCli(['examples/rules', '--baseline', 'yamato', '--baseline', 'microsoft-client', '--no-cache']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^yamato {2}Yamato Security recommended/m);
    expect(r.stdout).toMatch(/^ {2}\d+ rules ready \([\d.]+%\) of \d+ applicable/m);
    expect(r.stdout).toMatch(/Log source \(ready\/applicable\)\s+│ yamato\s+│ microsoft-client/);
    const lacks = r.stdout.slice(r.stdout.indexOf('microsoft-client lacks (rules not ready for want of it):'));
    expect(lacks).toMatch(/^ +\d+ {2}Include command line in process creation events {2}\(not set by the baseline: disabled by default\)$/m);
  });

  it('JSON names each baseline with its counts per log source', () => {
    const r = runCli(['examples/rules', '--baseline', 'microsoft-general-workstation', '--format', 'json', '--no-cache']);
    const j = JSON.parse(r.stdout) as {
      baselines: { baseline: { name: string }; summary: { applicable: number; ready: number }; logsources: { logsource: string }[] }[];
    };
    expect(j.baselines[0]?.baseline.name).toBe('microsoft-general-workstation');
    expect(j.baselines[0]?.logsources.length).toBeGreaterThan(0);
  });

  it('--fail-under gates on the baselines; bad combinations exit 2', () => {
    expect(runCli(['examples/rules', '--baseline', 'microsoft-client', '--fail-under', '100', '--no-cache']).status).toBe(1);
    expect(runCli(['examples/rules', '--baseline', 'nope', '--no-cache']).stderr).toMatch(/unknown baseline "nope"/);
    const mixed = runCli(['examples/rules', '--baseline', 'yamato', '--auditpol', WS1101, '--no-cache']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/logsource-check baseline NAME --gpresult/);
    expect(runCli(['examples/rules', '--baseline', 'yamato', '--format', 'sarif', '--no-cache']).status).toBe(2);
  });
});
