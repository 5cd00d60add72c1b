/**
 * Host snapshots (--host): the folder the collection script writes, read into one Host. Fixtures and their
 * documented sources: test/fixtures/snapshot/README.md.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { requirementState } from '../../src/assess/verdict.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { loadEnvironment } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { SNAPSHOT_NAMES } from '../../src/environment/snapshot.js';
import { parseWevtutilGl } from '../../src/environment/wevtutil.js';
import { SNAPSHOT_FILES } from '../../src/generate/collect-script.js';
import { ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const SNAP = join(ROOT, 'test/fixtures/snapshot');
const host = (dir: string, extra: Parameters<typeof loadEnvironment>[0] = {}): HostEnvironment => {
  const env = loadEnvironment({ host: [dir], ...extra }, catalog);
  expect(env.hosts).toHaveLength(1);
  return env.hosts[0]!;
};
const state = (h: HostEnvironment, id: string) => requirementState(id, h, catalog).state;

describe('host snapshot', () => {
  it('the reader, the collection script and docs/host-inputs.md name the same files', () => {
    expect([...SNAPSHOT_NAMES].sort()).toEqual(SNAPSHOT_FILES.map((f) => f.file).sort());
    const doc = readFileSync(join(ROOT, 'docs/host-inputs.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Snapshot layout'), doc.indexOf('## Precedence'));
    const listed = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...SNAPSHOT_NAMES].sort());
  });

  it('MDM-managed workstation: audit as its auditpol says, policies from the registry, channels on/off, no Sysmon', () => {
    const h = host(join(SNAP, 'WS-0142'));
    expect(h.name).toBe('WS-0142');
    expect(h.role).toMatchObject({ kind: 'workstation' });
    // audit states are exactly the auditpol export's
    const ap = parseAuditpol(readFileSync(join(SNAP, 'WS-0142/auditpol.csv'), 'utf8'), catalog);
    for (const [guid, v] of ap.values) {
      expect(state(h, `audit:${guid}:success`), guid).toBe(v & 1 ? 'on' : 'off');
      expect(state(h, `audit:${guid}:failure`), guid).toBe(v & 2 ? 'on' : 'off');
    }
    // no GPO, yet the registry has the PowerShell and command-line policies
    expect(state(h, 'policy:powershell-script-block-logging')).toBe('on');
    expect(state(h, 'policy:powershell-module-logging')).toBe('on');
    expect(state(h, 'policy:process-creation-command-line')).toBe('on');
    expect(requirementState('policy:powershell-script-block-logging', h, catalog).reason).toMatch(/policies.reg \(registry\)/);
    // every channel wevtutil lists is on or off, never unknown
    const gl = parseWevtutilGl(readFileSync(join(SNAP, 'WS-0142/wevtutil-gl.txt'), 'utf8'));
    for (const c of gl.channels.values()) expect(['on', 'off'], c.name).toContain(state(h, `channel:${c.name}`));
    expect(state(h, 'channel:Microsoft-Windows-TaskScheduler/Operational')).toBe('off');
    expect(state(h, 'channel:Microsoft-Windows-PowerShell/Operational')).toBe('on');
    expect(requirementState('channel:Microsoft-Windows-Time-Service-PTP/Operational', h, catalog).reason).toMatch(/does not exist on this host/);
    // Sysmon absent: every sysmon:* is off, not unknown
    expect(state(h, 'sysmon:1')).toBe('off');
    expect(requirementState('sysmon:22', h, catalog).reason).toMatch(/Sysmon is not installed/);
    // global SACL: File yes, Key not shown
    expect(state(h, 'sacl:file')).toBe('on');
    expect(state(h, 'sacl:registry')).toBe('unknown');
    expect(h.eventLogs.get('Security')).toMatchObject({ maxSizeKB: 204800, source: 'wevtutil-gl.txt (in force)' });
  });

  it('process-creation rules fall back to 4688 + command line when Sysmon is absent', () => {
    const j = JSON.parse(runCli(['examples/rules/windows/proc_creation_certutil_download.yml', '--host', join(SNAP, 'WS-0142'), '--format', 'json']).stdout);
    expect(j.rules[0]).toMatchObject({ verdict: 'ready' });
    expect(j.requirements.find((q: { id: string }) => q.id === 'sysmon:1').state).toBe('off');
  });

  it('domain controller with Sysmon: role, the config from the snapshot, a registry global SACL', () => {
    const h = host(join(SNAP, 'DC01'));
    expect(h.role).toMatchObject({ kind: 'domain-controller' });
    expect(h.sysmonService).toMatchObject({ state: 'running' });
    expect(h.sysmon?.schemaVersion).toBeTruthy();
    expect(state(h, 'role:domain-controller')).toBe('on');
    expect(state(h, 'sacl:registry')).toBe('on');
    // a channel wevtutil could not read (access denied) exists; whether it is enabled is unknown, never "absent"
    expect(requirementState('channel:Microsoft-Windows-Security-Netlogon/Operational', h, catalog)).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/lists the channel but not whether it is enabled/),
    });
    // policies-system.reg is not in this snapshot: the command-line policy is unknown, not off
    expect(requirementState('policy:process-creation-command-line', h, catalog)).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/policies-system.reg is missing/),
    });
  });

  it('server with missing files: what is absent stays unknown and the report says which file settles it', () => {
    const h = host(join(SNAP, 'SRV-APP01'));
    expect(h.role).toMatchObject({ kind: 'member-server' });
    expect(state(h, 'sysmon:1')).toBe('off');
    expect(requirementState('audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success', h, catalog).state).toBe('unknown');
    expect(h.notes.join('\n')).toMatch(/errors.txt: the collection script reported/);
    const j = JSON.parse(runCli(['examples/rules', '--host', join(SNAP, 'SRV-APP01'), '--format', 'json']).stdout);
    const seen = j.readiness.hosts[0].seen;
    expect(seen.inputs).toContain('systeminfo.csv');
    expect(seen.unknown.find((u: { kind: string }) => u.kind === 'audit').settle).toMatch(/auditpol.csv/);
  });

  it('a bad file is reported by its path and the rest of the snapshot is used', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lsc-snap-')), 'WS-0142');
    cpSync(join(SNAP, 'WS-0142'), dir, { recursive: true });
    writeFileSync(join(dir, 'auditpol.csv'), 'this is not,an auditpol export\n1,2\n');
    writeFileSync(join(dir, 'policies.reg'), 'garbage');
    const env = loadEnvironment({ host: [dir] }, catalog);
    expect(env.errors.map((e) => e.path).sort()).toEqual([join(dir, 'auditpol.csv'), join(dir, 'policies.reg')]);
    const h = env.hosts[0]!;
    expect(state(h, 'channel:Microsoft-Windows-PowerShell/Operational')).toBe('on');
    expect(state(h, 'policy:process-creation-command-line')).toBe('on'); // policies-system.reg still read
  });

  it('a zip of a snapshot reads as the folder; a folder of snapshots is a fleet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-zip-'));
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(join(SNAP, 'DC01'))) files[`DC01/${f}`] = readFileSync(join(SNAP, 'DC01', f));
    writeFileSync(join(dir, 'DC01.zip'), zipSync(files));
    const z = host(join(dir, 'DC01.zip'));
    const d = host(join(SNAP, 'DC01'));
    expect(z.name).toBe('DC01');
    expect([...z.audit]).toEqual([...d.audit].map(([k, v]) => [k, v]));
    expect(state(z, 'sysmon:1')).toBe(state(d, 'sysmon:1'));
    const fleet = loadEnvironment({ host: [SNAP] }, catalog);
    expect(fleet.hosts.map((x) => x.name).sort()).toEqual(['DC01', 'SRV-APP01', 'WS-0142']);
  });

  it('precedence: --sysmon and --role win over the snapshot, each conflict reported', () => {
    const h = host(join(SNAP, 'DC01'), { sysmon: [join(ROOT, 'test/fixtures/sysmon/include-only.xml')], roles: ['workstation'] });
    expect(h.sysmon?.path).toMatch(/include-only.xml$/);
    expect(h.conflicts.join('\n')).toMatch(/Sysmon: the snapshot has .*sysmon-config.xml, --sysmon .*include-only.xml is used/);
    expect(h.conflicts.join('\n')).toMatch(/role: systeminfo.csv.* says domain-controller, --role says workstation/);
  });

  it('the CLI: npm start -- --host examples/hosts/WS-0142', () => {
    const r = runCli(['examples/rules', '--host', 'examples/hosts/WS-0142']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/host WS-0142, workstation — seen:/);
    expect(r.stdout).toMatch(/seen: auditpol-resourcesacl.txt, auditpol.csv, errors.txt, gpresult.xml/);
    expect(runCli(['examples/rules', '--host', 'examples/rules']).stderr).toMatch(/no usable environment input: .*no host snapshot here/);
  });

  it('collect-script prints the script; --out writes it', () => {
    const r = runCli(['collect-script', '--format', 'cmd']);
    expect(r.status).toBe(0);
    for (const f of SNAPSHOT_FILES) if (f.file !== 'errors.txt' && !f.readOnly) expect(r.stdout).toContain(f.file);
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-cs-')), 'collect.ps1');
    expect(runCli(['collect-script', '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/gpresult/);
  });
});
