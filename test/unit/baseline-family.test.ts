/** Baseline families (issue 23: `windows-default`): one name, a variant per computer type picked per host. */
import { describe, expect, it } from 'vitest';
import { baselineFamilies, baselineFamily, familyMember, loadBaselines } from '../../src/catalog/baselines.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCli } from '../helpers.js';

const all = loadBaselines(loadCatalog());
const GP = 'test/fixtures/environment/gpresult-ps7.xml';

describe('baseline families', () => {
  it('windows-default is a family of client, server and dc; the member follows the host kind', () => {
    const f = baselineFamily(all, 'windows-default')!;
    expect(f.map((b) => b.name).sort()).toEqual(['windows-default-client', 'windows-default-dc', 'windows-default-server']);
    expect(familyMember(f, 'workstation')?.name).toBe('windows-default-client');
    expect(familyMember(f, 'member-server')?.name).toBe('windows-default-server');
    expect(familyMember(f, 'domain-controller')?.name).toBe('windows-default-dc');
    // joined, client or server not told; a workgroup computer: no variant is picked
    expect(familyMember(f, 'member')).toBeUndefined();
    expect(familyMember(f, 'standalone')).toBeUndefined();
    expect(baselineFamily(all, 'windows')).toBeUndefined();
    expect(baselineFamilies(all).map((x) => x.name)).toContain('windows-default');
  });

  it('baseline --list lists windows-default; baseline windows-default compares each host with its variant, or says which input settles an unknown type (exit 2)', () => {
    expect(runCli(['baseline', '--list']).stdout).toMatch(
      /^windows-default\n {2}one variant per computer type, picked for each host by its role: windows-default-client \(workstation\)/m,
    );
    const ws = runCli(['baseline', 'windows-default', '--gpresult', GP, '--role', 'workstation', '--assume-defaults']);
    expect(ws.status).toBe(0);
    expect(ws.stdout).toMatch(/^Baseline windows-default-client /m);
    const unknown = runCli(['baseline', 'windows-default', '--gpresult', GP]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/this host's type is not known \(--role workstation\|server\|dc settles it\)/);
  });

  it('check --baseline windows-default takes every variant as a host', () => {
    const j = JSON.parse(runCli(['examples/rules', '--baseline', 'windows-default', '--format', 'json']).stdout);
    expect(j.baselines.map((b: { baseline: { name: string } }) => b.baseline.name).sort()).toEqual([
      'windows-default-client',
      'windows-default-dc',
      'windows-default-server',
    ]);
  });
});
