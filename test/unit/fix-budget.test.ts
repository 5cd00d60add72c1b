/**
 * fix writes only settings up to medium event volume unless asked (--max-volume), says what it left out and what each
 * file adds, tells the Security log's size (and span, from an EVTX export), warns where high-volume settings meet a
 * small log, gives Intune (Audit Policy CSP) steps to hosts no domain GPO manages, and warns in enable-channels.cmd
 * where a policy sets a log size. Fixtures: test/fixtures/fixbudget (README.md there notes their source).
 */
import { readEvtx } from '../../src/observe/evtx.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { parseGpresult } from '../../src/environment/gpresult.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { ChunkWriter, evtxFile, systemTemplate, systemValues } from '../fixtures/evtx/write-evtx.js';
import { ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const FX = 'test/fixtures/fixbudget';
const DC = `${FX}/hosts/DC02`;
const WS = `${FX}/hosts/WS-LAB07`;
const RULES = `${FX}/rules`;
const out = () => join(mkdtempSync(join(tmpdir(), 'lsc-budget-')), 'r');
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
/** Subcategories the fixture rules need that Microsoft rates high on a domain controller. */
const HIGH_ON_DC = ['Audit Filtering Platform Connection', 'Audit Detailed File Share', 'Audit Process Creation'];
const guidOf = (name: string) => catalog.subcategories.find((s) => s.name === name)!.guid;

function fix(args: string[]): { dir: string; stdout: string } {
  const dir = out();
  const r = runCli(['fix', ...args, '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  return { dir, stdout: r.stdout };
}

// Each test runs the built CLI a few times: a generous timeout for a loaded machine (no timing is asserted).
describe('fix: volume budget', { timeout: 60_000 }, () => {
  it('on a domain controller without --max-volume: no high-volume setting is written but Process Creation (admitted by the catalog at medium), and what was left out is listed with the rules only it unlocks', () => {
    const { dir, stdout } = fix([RULES, '--host', DC]);
    const cmd = read(dir, 'enable-audit.cmd');
    const cut = HIGH_ON_DC.filter((n) => n !== 'Audit Process Creation');
    for (const name of cut) expect(cmd, name).not.toContain(`/subcategory:${guidOf(name)}`);
    // Process Creation is rated high but the default budget admits it (data/audit.yaml budget: medium, the Microsoft
    // baselines enable it everywhere); the low-volume setting is still written; the header says what the file adds.
    expect(cmd).toContain(`auditpol /set /subcategory:${guidOf('Audit Process Creation')} /success:enable`);
    expect(cmd).toContain(`auditpol /set /subcategory:${guidOf('Audit Other Object Access Events')} /success:enable`);
    expect(cmd).toMatch(/^rem adds 2 settings on each host, by event volume: 1 high \^\(Audit Process Creation\^\), 1 low\r$/m);
    // 2 rules need one of the two other high-volume subcategories each, and have no other way to be ready.
    const left =
      /^left out \(volume budget --max-volume medium\): 2 high-volume settings \(([^)]*)\), the only built-in way to make 2 more rules ready; --max-volume high writes them\. Settings of unrated volume are kept under any budget\.$/m.exec(
        stdout,
      );
    expect(left, stdout).not.toBeNull();
    expect(left![1]!.split(', ').sort()).toEqual([...cut].sort());
    expect(read(dir, 'README.txt')).toContain(left![0].split('(')[0]);
    expect(cmd).toContain('rem left out ^(volume budget --max-volume medium^): 2 high-volume settings');
    // Process Creation is still counted as high for the Security log: the 128 MB log gets its warning.
    expect(stdout).toMatch(/^WARNING: 1 high-volume setting \(Audit Process Creation\) added on DC02, whose Security log is capped at 131072 KB/m);
    expect(stdout).toMatch(
      /^Security log on DC02: maximum 131072 KB \(128 MB; wevtutil-gl\.txt \(in force\)\), recommended at least 196608 KB; how long it holds is not known: an export of this log \(--observed Security\.evtx/m,
    );
  });

  it('--max-volume high writes them, and warns (console, README.txt, .cmd header) that the 128 MB Security log is below the recommendation', () => {
    const { dir, stdout } = fix([RULES, '--host', DC, '--max-volume', 'high']);
    const cmd = read(dir, 'enable-audit.cmd');
    for (const name of HIGH_ON_DC) expect(cmd, name).toContain(`/subcategory:${guidOf(name)}`);
    expect(cmd).toMatch(
      /^rem adds 4 settings on each host, by event volume: 3 high \^\(Audit Filtering Platform Connection, Audit Process Creation, Audit Detailed File Share\^\), 1 low\r$/m,
    );
    expect(stdout).not.toMatch(/^left out/m);
    const warning = 'added on DC02, whose Security log is capped at 131072 KB, below the recommended 196608 KB';
    expect(stdout).toMatch(new RegExp(`^WARNING: 3 high-volume settings \\(.*\\) ${warning}`, 'm'));
    expect(read(dir, 'README.txt')).toMatch(new RegExp(`^WARNING: 3 high-volume settings .* ${warning}`, 'm'));
    expect(cmd).toMatch(new RegExp(`^rem WARNING: 3 high-volume settings .* ${warning}`, 'm'));
    expect(cmd).toMatch(new RegExp(`^echo WARNING: 3 high-volume settings .* ${warning}`, 'm'));
  });

  it('--max-volume low leaves out the medium ones too; check keeps no budget by default', () => {
    const { stdout } = fix(['examples/rules', '--gpresult', 'test/fixtures/environment/gpresult-dc-legacy-only.xml', '--max-volume', 'low']);
    expect(stdout).toMatch(
      /^left out \(volume budget --max-volume low\): \d+ (medium or high|high or medium)-volume settings .*--max-volume high writes them/m,
    );
    const j = JSON.parse(runCli(['examples/rules', '--gpresult', 'test/fixtures/environment/gpresult-dc-legacy-only.xml', '--format', 'json']).stdout);
    expect(j.readiness.volumeBudget).toBeUndefined();
    const b = JSON.parse(
      runCli(['examples/rules', '--gpresult', 'test/fixtures/environment/gpresult-dc-legacy-only.xml', '--format', 'json', '--max-volume', 'low']).stdout,
    ).readiness.volumeBudget;
    expect(b.settingsAbove.length).toBeGreaterThan(0);
    expect(b.onlyAbove).toBeGreaterThan(0);
  });

  it('a fleet: at most 10 Security log lines on the console, every host in README.txt', () => {
    const fleet = mkdtempSync(join(tmpdir(), 'lsc-budget-fleet-'));
    const xml = readFileSync(join(ROOT, 'test/fixtures/environment/gpresult-ps7.xml'), 'utf8');
    for (let i = 0; i < 12; i++)
      writeFileSync(join(fleet, `h${i}.xml`), xml.replace('<Name>CONTOSO\\DEV-PS-03$</Name>', `<Name>CONTOSO\\FLEET-${String(i).padStart(2, '0')}$</Name>`));
    const { dir, stdout } = fix(['examples/rules', '--gpresult', fleet]);
    expect(stdout.match(/^Security log on FLEET-\d\d: /gm)).toHaveLength(10);
    expect(stdout).toMatch(/^… 2 more Security log lines in README\.txt$/m);
    expect(read(dir, 'README.txt').match(/^ {2}Security log on FLEET-\d\d: maximum size not known/gm)).toHaveLength(12);
  });

  it('an EVTX export of the Security log (--observed) gives the time span it holds; nothing else changes', () => {
    const w = new ChunkWriter();
    const sec = { provider: 'Microsoft-Windows-Security-Auditing', channel: 'Security', computer: 'DC02.corp.contoso.com' };
    w.record(1, '2026-11-30T08:00:00Z', (x) =>
      x
        .fragment()
        .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4624, time: '2026-11-30T08:00:00Z' }))
        .eof(),
    );
    w.record(2, '2026-11-30T09:10:00Z', (x) =>
      x
        .fragment()
        .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4625, time: '2026-11-30T09:10:00Z' }))
        .eof(),
    );
    w.record(3, '2026-11-30T10:30:00Z', (x) =>
      x
        .fragment()
        .instance('sys', systemTemplate, systemValues({ ...sec, eventId: 4624, time: '2026-11-30T10:30:00Z' }))
        .eof(),
    );
    const evtx = join(mkdtempSync(join(tmpdir(), 'lsc-budget-evtx-')), 'Security.evtx');
    writeFileSync(evtx, evtxFile([w.finish()]));
    const { dir, stdout } = fix([RULES, '--host', DC, '--observed', evtx]);
    // The export's record sizes over its 2 h 30 min give bytes/day, and so how long the 128 MB log holds: three small
    // records in 2.5 hours is thousands of days (the figure is the arithmetic, not a forecast).
    const m = /^Security log on DC02: maximum 131072 KB .*; measured: ≈ ([\d,.]+) days now, with the 2 settings: not known \(none of them is measured\)$/m.exec(
      stdout,
    );
    expect(m, stdout).not.toBeNull();
    const { records, counts } = readEvtx(readFileSync(evtx), 'Security.evtx');
    expect(records).toBe(3);
    const bytes = counts.reduce((a, c) => a + (c.bytes ?? 0), 0);
    const days = (131072 * 1024) / (bytes / (2.5 / 24));
    expect(Number(m![1]!.replace(/,/g, ''))).toBeCloseTo(days, 0);
    expect(readdirSync(dir).sort()).toEqual(readdirSync(fix([RULES, '--host', DC]).dir).sort());
  });
});

describe('fix: remediation that fits how the host is managed', { timeout: 60_000 }, () => {
  it('the host model knows: a domain GPO, no domain GPO (gpresult with local policy only, systeminfo WORKGROUP), or unknown', () => {
    const env = loadEnvironment(
      { host: [WS, DC, join(ROOT, 'test/fixtures/snapshot/WS-0142')], auditpol: [join(ROOT, 'examples/hosts/lt-2207-auditpol.csv')] },
      catalog,
    );
    const by = new Map(env.hosts.map((h) => [h.name, h.management]));
    expect(by.get('WS-LAB07')).toEqual({ kind: 'workgroup', source: 'systeminfo.csv: Standalone Workstation' });
    expect(by.get('DC02')).toEqual({ kind: 'domain-gpo', source: 'systeminfo.csv: member of domain corp.contoso.com' });
    expect(by.get('WS-0142')?.kind).toBe('domain-gpo');
    expect(by.get('LT-2207')).toBeUndefined();
    const local = parseGpresult(readFileSync(join(ROOT, FX, 'gpresult-workgroup-local-only.xml'), 'utf8'), catalog);
    expect(local.domainGpos).toEqual([]);
    const domain = parseGpresult(readFileSync(join(ROOT, 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml')).subarray(2).toString('utf16le'), catalog);
    expect(domain.domainGpos.length).toBeGreaterThan(0);
  });

  it('an Intune-managed workgroup workstation: Intune steps with every audit.csv subcategory as an OMA-URI, no GPO import steps', () => {
    const { dir, stdout } = fix([RULES, 'examples/rules', '--host', WS]);
    expect(stdout).toMatch(/^wrote .*intune-audit-policy\.csv \(\d+ settings\)$/m);
    const readme = read(dir, 'README.txt');
    expect(readme).not.toMatch(/Group Policy Management Editor|Import Settings|SYSVOL|Import it into the GPO/);
    expect(readme).toContain(
      'intune-audit-policy.csv - WS-LAB07 has no domain GPO (systeminfo.csv: Standalone Workstation): set its audit policy through MDM, not a GPO.',
    );
    expect(readme).toContain('Settings catalog profile, category "Auditing"');
    // Every subcategory audit.csv sets is one Intune row with its CSP node and the same value.
    const csv = read(dir, 'audit.csv')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','));
    const rows = read(dir, 'intune-audit-policy.csv').trim().split('\r\n');
    expect(rows[0]).toBe('Subcategory,OMA-URI,Data type,Value,Meaning');
    expect(rows.length - 1).toBe(csv.length);
    for (const c of csv) {
      const sub = catalog.subcategory(c[3]!.toUpperCase())!;
      const uri = `./Device/Vendor/MSFT/Policy/Config/Audit/${sub.csp}`;
      expect(rows).toContain(`${sub.name},${uri},Integer,${c[6]},${['', 'Success', 'Failure', 'Success and Failure'][Number(c[6])]}`);
      expect(readme).toContain(`${uri}  Integer ${c[6]}  (${sub.name}:`);
    }
    expect(rows).toContain(
      'Audit Credential Validation,./Device/Vendor/MSFT/Policy/Config/Audit/AccountLogon_AuditCredentialValidation,Integer,3,Success and Failure',
    );
  });

  it('a workgroup host read from gpresult (only local policy applied) gets the Intune steps too; a domain host keeps the GPO steps and no Intune file', () => {
    const wg = fix([RULES, 'examples/rules', '--gpresult', `${FX}/gpresult-workgroup-local-only.xml`]);
    expect(readdirSync(wg.dir)).toContain('intune-audit-policy.csv');
    expect(read(wg.dir, 'README.txt')).toMatch(
      /LT-3310 has no domain GPO \(gpresult gpresult-workgroup-local-only\.xml: no domain GPO applied, only local policy \(computer in WORKGROUP\)\)/,
    );
    expect(read(wg.dir, 'README.txt')).not.toMatch(/Group Policy Management Editor/);
    // Only local policy sets audit policy there: enable-audit.cmd says where to set it, not to import into a GPO.
    expect(read(wg.dir, 'enable-audit.cmd')).toMatch(
      /^echo WARNING: Group Policy defines this host's audit policy .*local policy \^\(gpedit\.msc\^\) or, with MDM, intune-audit-policy\.csv/m,
    );
    expect(read(wg.dir, 'enable-audit.cmd')).not.toMatch(/Import audit\.csv into that GPO/);
    const dom = fix([RULES, 'examples/rules', '--gpresult', 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml']);
    expect(readdirSync(dom.dir)).not.toContain('intune-audit-policy.csv');
    expect(read(dom.dir, 'README.txt')).toMatch(/Group Policy Management Editor/);
  });

  it('every subcategory of the catalog has its Audit Policy CSP node, of the documented <Area>_Audit<Name> form', () => {
    expect(catalog.subcategories.length).toBe(59);
    for (const s of catalog.subcategories)
      expect(s.csp, s.name).toMatch(
        /^(AccountLogon|AccountLogonLogoff|AccountManagement|DSAccess|DetailedTracking|ObjectAccess|PolicyChange|PrivilegeUse|System)_Audit[A-Za-z]+$/,
      );
    expect(new Set(catalog.subcategories.map((s) => s.csp)).size).toBe(59);
  });
});

describe('enable-channels.cmd: a log whose size a policy sets', { timeout: 60_000 }, () => {
  it('a GPO (Security Settings > Event Log) sets the size: the header warns, names the GPO and says to change it there', () => {
    const { dir } = fix(['examples/rules', '--gpresult', 'test/fixtures/environment/gpresult-dc-legacy-only.xml']);
    const cmd = read(dir, 'enable-channels.cmd');
    const head = cmd.split('\r\n').slice(0, 4).join('\n');
    expect(head).toMatch(
      /^rem WARNING: Security log on [^:]+: a GPO sets this size \^\(GPO .+Event Log \^> Maximum security log size\^\)\^\): its next refresh puts it back, so the wevtutil line below does not last; change the size in that policy$/m,
    );
    expect(head).toMatch(/^echo WARNING: Security log on /m);
    expect(read(dir, 'README.txt')).toMatch(/WARNING: Security log on .*: a GPO sets this size .*change the size in that policy\./);
  });

  it('the administrative template sets the size: the warning names the policy; a locally set size gets none', () => {
    const { dir } = fix(['examples/rules', '--host', 'test/fixtures/logsize/SRV-LOGS2']);
    expect(read(dir, 'enable-channels.cmd')).toMatch(
      /^rem WARNING: Security log on SRV-LOGS2: a policy sets this size \^\(the administrative template \^"Specify the maximum log file size \^\(KB\^\)\^"/m,
    );
    const local = fix(['examples/rules', '--host', 'test/fixtures/logsize/SRV-LOGS1']);
    expect(read(local.dir, 'enable-channels.cmd')).toContain('wevtutil sl "Security" /ms:');
    expect(read(local.dir, 'enable-channels.cmd')).not.toMatch(/WARNING/);
  });
});
