/**
 * fix's two plans (issue 30). The projected readiness is checked against a re-run: the written files are read back
 * as inputs — audit.csv as the host's auditpol (it is the complete policy in auditpol /r form), the written Sysmon
 * config as the host's config (--sysmon, or the snapshot's sysmon-config.xml) — and logging-policies.reg and
 * enable-channels.cmd applied to the host model from their text, then the hosts are assessed again. This test
 * parses the files itself: it never uses projection.ts, so a projection that claims more than the files give fails.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/assess/assess.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCheck, type CheckRun } from '../../src/check.js';
import { loadEnvironment, type EnvironmentInputs } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { fixPlans, type FixPlans } from '../../src/generate/fix-plans.js';
import type { RemediationFile } from '../../src/generate/remediation.js';
import type { VolumeClass } from '../../src/catalog/volume.js';
import { planLine } from '../../src/generate/plans-text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { corpusOrSkip, CORPUS, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const WIN10 = join(ROOT, 'test/fixtures/environment/auditpol-win10-default.csv');
const DC01 = join(ROOT, 'test/fixtures/snapshot/DC01');
const PROCESS_CREATION = '{0CCE922B-69AE-11D9-BED3-505054503030}';

async function plan(
  rules: string[],
  env: EnvironmentInputs,
  o: { assumeDefaults?: boolean; maxVolume?: VolumeClass } = {},
): Promise<{ run: CheckRun; plans: FixPlans }> {
  const maxVolume = o.maxVolume ?? 'medium';
  const run = await runCheck(rules, {
    cacheDir: false,
    workers: false,
    keepHosts: true,
    environment: env,
    assumeDefaults: o.assumeDefaults,
    volume: { maxVolume },
  });
  const plans = fixPlans(run.result, run.assessment!, catalog, run.environment!.hosts, run.load.rules, {
    plan: 'both',
    maxVolume,
    vol: { maxVolume },
    state: { assumeDefaults: o.assumeDefaults },
  });
  return { run, plans };
}

const text = (files: RemediationFile[], name: string) => files.find((f) => f.name === name)?.content;

/** logging-policies.reg and enable-channels.cmd, read from their text into the host. */
function applyRegAndCmd(host: HostEnvironment, files: RemediationFile[], cat: Catalog): HostEnvironment {
  const next: HostEnvironment = { ...host, policies: new Map(host.policies) };
  const reg = text(files, 'logging-policies.reg')?.subarray(2).toString('utf16le') ?? '';
  for (const p of cat.policies)
    if (p.registry.length && p.registry.every((r) => reg.includes(`"${r.value}"=`)))
      next.policies.set(p.id, { state: 'on', source: 'read back: logging-policies.reg' });
  const cmd = text(files, 'enable-channels.cmd')?.toString('utf8') ?? '';
  const enabled = [...cmd.matchAll(/^wevtutil sl "([^"]+)" \/e:true\r?$/gm)].map((m) => m[1]!);
  if (enabled.length) {
    const list = new Map(host.channels?.list ?? []);
    for (const c of enabled)
      if (list.get(c.toLowerCase())?.exists !== false && !(host.channels?.complete && !list.has(c.toLowerCase())))
        list.set(c.toLowerCase(), { name: c, exists: true, enabled: true });
    next.channels = { list, complete: host.channels?.complete ?? false, source: 'read back: enable-channels.cmd' };
  }
  return next;
}

/** The hosts re-read from the written files, assessed again: ready and applicable (rule × host). */
function rerun(run: CheckRun, inputs: EnvironmentInputs, files: RemediationFile[], assumeDefaults?: boolean) {
  const env = loadEnvironment(inputs, catalog);
  expect(env.errors).toEqual([]);
  const hosts = env.hosts.map((h) => applyRegAndCmd(h, files, catalog));
  const a = assess(run.result, hosts, catalog, run.load.rules, { assumeDefaults });
  let ready = 0;
  let applicable = 0;
  for (const { weight, host } of a.groups) {
    ready += weight * host.summary.ready;
    applicable += weight * host.summary.applicable;
  }
  return { ready, applicable, hosts: a.hosts };
}

/** Requirements on before the plan's files and not after them: applying a plan never turns anything off. */
function lost(run: CheckRun, after: ReturnType<typeof rerun>['hosts']): string[] {
  const out: string[] = [];
  run.assessment!.hosts.forEach((h, i) => {
    for (const [id, st] of h.states) if (st.state === 'on' && after[i]!.states.get(id)?.state !== 'on') out.push(`${h.name}: ${id}`);
  });
  return out;
}

/** A folder with the written files under the given names (the re-run reads them from disk, as a user's check would). */
function written(files: RemediationFile[], names: Record<string, string>, from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-plans-'));
  if (from) cpSync(from, dir, { recursive: true });
  for (const [src, dst] of Object.entries(names)) {
    const c = text(files, src);
    expect(c, `${src} written`).toBeDefined();
    writeFileSync(join(dir, dst), c!);
  }
  return dir;
}

const sigma = (dirs: string[]) => dirs.map((d) => join(CORPUS, 'sigmahq/rules/windows', d));
const RULES = ['process_creation', 'builtin', 'pipe_created', 'create_remote_thread', 'registry/registry_set'];

describe.runIf(corpusOrSkip('fix plans over SigmaHQ rules'))('fix: built-in plan, Sysmon plan, projected readiness', () => {
  it('Windows 10 default auditpol, --assume-defaults: the built-in plan enables Process Creation and the command-line policy even though Sysmon EID 1 covers the same rules; projected == re-run', async () => {
    const { run, plans } = await plan(sigma(RULES), { auditpol: [WIN10] }, { assumeDefaults: true, maxVolume: 'high' });
    const p = plans.projection;
    expect(p.builtin.requires).toContain(`audit:${PROCESS_CREATION}:success`);
    expect(p.builtin.requires).toContain('policy:process-creation-command-line');
    expect(p.builtin.requires.some((id) => id.startsWith('sysmon:'))).toBe(false);
    expect(text(plans.files, 'enable-audit.cmd')!.toString()).toContain(`auditpol /set /subcategory:${PROCESS_CREATION} /success:enable`);
    expect(text(plans.files, 'logging-policies.reg')!.subarray(2).toString('utf16le')).toContain('"ProcessCreationIncludeCmdLine_Enabled"=dword:00000001');
    // The Sysmon plan adds what the built-in plan cannot reach (pipes, remote threads, and process creation rules
    // that test a field 4688 lacks, such as Hashes or OriginalFileName).
    expect(p.sysmon.types).toEqual(expect.arrayContaining([17, 8]));
    expect(p.sysmon.added).toBe(p.sysmon.ready - p.builtin.ready);
    expect(planLine(p)).toMatch(/^now [\d.]+ % · built-in plan [\d.]+ % \(\d+ settings, volume ≤ high\) · with Sysmon [\d.]+ % \(\+ \d+ Sysmon elements\)$/);
    expect(p.builtin.ready).toBeGreaterThan(p.now.ready + 500);
    expect(p.sysmon.ready).toBeGreaterThan(p.builtin.ready);

    // Re-run: audit.csv as the host's auditpol; the Sysmon plan with sysmon-additions.xml as its config.
    const dir = written(plans.files, { 'audit.csv': 'audit.csv', 'sysmon-additions.xml': 'sysmon-additions.xml' });
    const b = rerun(run, { auditpol: [join(dir, 'audit.csv')] }, plans.files, true);
    expect({ ready: b.ready, applicable: b.applicable }).toEqual({ ready: p.builtin.ready, applicable: p.builtin.applicable });
    expect(lost(run, b.hosts)).toEqual([]);
    const s = rerun(run, { auditpol: [join(dir, 'audit.csv')], sysmon: [join(dir, 'sysmon-additions.xml')] }, plans.files, true);
    expect({ ready: s.ready, applicable: s.applicable }).toEqual({ ready: p.sysmon.ready, applicable: p.sysmon.applicable });
    // The comparison can fail: without the command-line policy file the process_creation rules stay blocked.
    const short = rerun(
      run,
      { auditpol: [join(dir, 'audit.csv')] },
      plans.files.filter((f) => f.name !== 'logging-policies.reg'),
      true,
    );
    expect(short.ready).toBeLessThan(p.builtin.ready - 500);
  }, 120_000);

  it('under the default budget (medium) Process Creation (rated high, admitted at medium by the catalog: the Microsoft baselines enable it) is written; a setting the catalog does not admit is still left out and named', async () => {
    const { plans } = await plan(sigma(['process_creation', 'builtin']), { auditpol: [WIN10] }, { assumeDefaults: true });
    expect(plans.projection.builtin.requires).toContain(`audit:${PROCESS_CREATION}:success`);
    expect(text(plans.files, 'enable-audit.cmd')!.toString()).toContain(`auditpol /set /subcategory:${PROCESS_CREATION} /success:enable`);
    expect(text(plans.files, 'logging-policies.reg')!.subarray(2).toString('utf16le')).toContain('"ProcessCreationIncludeCmdLine_Enabled"=dword:00000001');
    const left = plans.summary.find((s) => s.startsWith('left out'));
    expect(left).not.toMatch(/Audit Process Creation/);
    expect(left).toMatch(/Audit Kernel Object/);
    expect(left).toMatch(/the only built-in way to make \d+ more rules ready; --max-volume high writes them/);
    // The Security log warning still counts it as the high-volume setting it is.
    expect(plans.warnings.join('\n')).toMatch(/high-volume setting.*Audit Process Creation/);
  }, 120_000);

  it('DC01 with Sysmon: the Sysmon plan merges into its deployed config (nothing removed), says how many rules it adds; projected == re-run with sysmon-merged.xml', async () => {
    const { run, plans } = await plan(sigma(RULES), { host: [DC01] });
    const p = plans.projection;
    const merged = p.sysmon.files.find((f) => f.name === 'sysmon-merged.xml');
    expect(merged?.base).toBe(join(DC01, 'sysmon-config.xml'));
    expect(merged?.hosts).toEqual(['DC01']);
    expect(merged!.added.length).toBeGreaterThan(0);
    const xml = text(plans.files, 'sysmon-merged.xml')!.toString('utf8');
    const base = readFileSync(join(DC01, 'sysmon-config.xml'), 'utf8');
    // The merge inserts before </EventFiltering>: the deployed config's text is kept whole up to there.
    const cut = base.lastIndexOf('</EventFiltering>');
    expect(xml.startsWith(base.slice(0, cut).replace(/schemaversion="[^"]*"/, (m) => xml.match(/schemaversion="[^"]*"/)?.[0] ?? m))).toBe(true);
    expect(p.sysmon.added).toBe(p.sysmon.ready - p.builtin.ready);
    expect(p.sysmon.added).toBeGreaterThan(0);

    // Re-run: a copy of the snapshot with audit.csv as its auditpol.csv, then with sysmon-merged.xml as its config.
    const names: Record<string, string> = text(plans.files, 'audit.csv') ? { 'audit.csv': 'auditpol.csv' } : {};
    const b = rerun(run, { host: [written(plans.files, names, DC01)] }, plans.files);
    expect({ ready: b.ready, applicable: b.applicable }).toEqual({ ready: p.builtin.ready, applicable: p.builtin.applicable });
    expect(lost(run, b.hosts)).toEqual([]);
    const s = rerun(run, { host: [written(plans.files, { ...names, 'sysmon-merged.xml': 'sysmon-config.xml' }, DC01)] }, plans.files);
    expect({ ready: s.ready, applicable: s.applicable }).toEqual({ ready: p.sysmon.ready, applicable: p.sysmon.applicable });
    // Per host (one here) the same figures.
    expect(p.hosts).toEqual([{ name: 'DC01', now: p.now.readiness, builtin: p.builtin.readiness, sysmon: p.sysmon.readiness }]);
  }, 120_000);

  it('a fleet: per-host projection, and the reports render it (JSON has it in readiness.plans)', async () => {
    const { plans } = await plan(sigma(['pipe_created', 'builtin/security']), { host: [DC01], auditpol: [WIN10] }, { assumeDefaults: true });
    const p = plans.projection;
    expect(p.hosts.map((h) => h.name).sort()).toEqual(['DC01', 'LT-2207']);
    expect(plans.result.readiness?.plans).toBe(p);
    expect(renderMarkdown(plans.result)).toContain(`**${planLine(p).replace(/([*_|])/g, '\\$1')}**`);
    const html = renderHtml(plans.result);
    expect(html).toContain('<h2>Remediation plans (projected)</h2>');
    expect(html).toContain('<td>LT-2207</td>');
    expect(JSON.parse(JSON.stringify(plans.result)).readiness.plans.builtin.ready).toBe(p.builtin.ready);
  }, 120_000);
});

describe('fix --plan and --report', () => {
  const out = () => join(mkdtempSync(join(tmpdir(), 'lsc-plan-cli-')), 'r');
  it('prints both plans whatever --plan writes; builtin writes no Sysmon file, sysmon only Sysmon files and README.txt', () => {
    const both = out();
    const r = runCli(['fix', 'examples/rules', '--auditpol', WIN10, '--assume-defaults', '--out', both]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^projected: now 36\.4 % · built-in plan [\d.]+ % \(\d+ settings?, volume ≤ medium(; [\d.]+ % with \d+ settings? under --max-volume high)?\) · with Sysmon [\d.]+ % \(\+ \d+ Sysmon elements?\)$/m,
    );
    expect(readdirSync(both)).toEqual(expect.arrayContaining(['enable-audit.cmd', 'sysmon-additions.xml', 'README.txt']));
    const readme = readFileSync(join(both, 'README.txt'), 'utf8');
    expect(readme).toMatch(/Plan 1, built-in:/);
    expect(readme).toMatch(/Plan 2, with Sysmon:/);
    expect(readme).toMatch(/Order to apply:\r?\n {2}1\. audit policy:/);
    const builtin = out();
    const b = runCli(['fix', 'examples/rules', '--auditpol', WIN10, '--assume-defaults', '--plan', 'builtin', '--out', builtin]);
    expect(b.stdout.split('\n').find((l) => l.startsWith('projected:'))).toBe(r.stdout.split('\n').find((l) => l.startsWith('projected:')));
    expect(readdirSync(builtin).filter((f) => f.startsWith('sysmon-'))).toEqual([]);
    expect(readFileSync(join(builtin, 'README.txt'), 'utf8')).toMatch(/plan 2 files not written here/);
    const sysmon = out();
    runCli(['fix', 'examples/rules', '--auditpol', WIN10, '--assume-defaults', '--plan', 'sysmon', '--out', sysmon]);
    expect(readdirSync(sysmon).sort()).toEqual(['README.txt', 'sysmon-additions.xml']);
  });

  it('--report writes Markdown and HTML with the projection; a name without a known extension is refused (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-plan-rep-'));
    const r = runCli(['fix', 'examples/rules', '--host', DC01, '--out', join(dir, 'r'), '--report', join(dir, 'p.md'), '--report', join(dir, 'p.html')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'p.md'), 'utf8')).toMatch(/## Remediation plans \(projected\)\n\n\*\*now 100 % · built-in plan 100 %/);
    expect(readFileSync(join(dir, 'p.html'), 'utf8')).toContain('<h2>Remediation plans (projected)</h2>');
    const bad = runCli(['fix', 'examples/rules', '--host', DC01, '--out', join(dir, 'r2'), '--report', join(dir, 'p.txt')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--report .*p\.txt: the file name must end in \.json, \.md or \.html/);
  });
});

describe('fix: set-audit-sacls.ps1 in the projection', () => {
  const SNAP = join(ROOT, 'test/fixtures/snapshot-sacls/WS-0142');
  const BITS: Record<string, number> = { SetValue: 0x2, CreateSubKey: 0x4, WriteData: 0x2, AppendData: 0x4, Delete: 0x10000 };

  /** sacls.txt as collect-script would read it after the script ran: each Add-*Audit line an explicit entry on a path that exists. */
  function afterScript(sacls: string, ps1: string): string {
    const adds = new Map<string, string>();
    for (const m of ps1.matchAll(/^Add-(?:Registry|File)Audit '([^']+)' '([^']+)' '([^']+)' '([^']+)'\r?$/gm)) {
      const mask = m[2]!.split(',').reduce((a, r) => a | (BITS[r] ?? 0), 0);
      adds.set(m[1]!.toLowerCase(), `audit\tS-1-1-0\t0x${mask.toString(16).toUpperCase().padStart(8, '0')}\t${m[4]}\t${m[3]}\tNone\texplicit`);
    }
    const out: string[] = [];
    let path = '';
    let extra: string | undefined;
    for (const line of sacls.split(/\r?\n/)) {
      const f = line.split('\t');
      if (f[0]?.replace(/^\uFEFF/, '') === 'path') path = f[2]!.toLowerCase();
      if (f[0] === 'status' && f[1] === 'found' && adds.has(path)) {
        extra = adds.get(path);
        out.push(`status\tfound\t${Number(f[2]) + 1}`);
        continue;
      }
      if (f[0] === 'sddl' && extra) {
        out.push(extra);
        extra = undefined;
      }
      out.push(line);
    }
    return out.join('\n');
  }

  it("with sacls.txt the script's entries are applied where the path exists; projected == check on sacls.txt as it reads after the script", async () => {
    const run = await runCheck([join(ROOT, 'test/fixtures/sacl')], {
      cacheDir: false,
      workers: false,
      keepHosts: true,
      environment: { host: [SNAP] },
      volume: { maxVolume: 'medium' },
    });
    const plans = fixPlans(run.result, run.assessment!, catalog, run.environment!.hosts, run.load.rules, {
      plan: 'both',
      maxVolume: 'medium',
      vol: { maxVolume: 'medium' },
      state: {},
    });
    const p = plans.projection;
    expect(p.notes.filter((n) => /set-audit-sacls/.test(n))).toEqual([]);
    expect(p.builtin.ready).toBeGreaterThan(p.now.ready);
    const ps1 = text(plans.files, 'set-audit-sacls.ps1')!.toString('utf8');
    const dir = written(plans.files, {}, SNAP);
    writeFileSync(join(dir, 'sacls.txt'), afterScript(readFileSync(join(SNAP, 'sacls.txt'), 'utf8'), ps1));
    if (text(plans.files, 'audit.csv')) writeFileSync(join(dir, 'auditpol.csv'), text(plans.files, 'audit.csv')!);
    const b = rerun(run, { host: [dir] }, plans.files);
    expect({ ready: b.ready, applicable: b.applicable }).toEqual({ ready: p.builtin.ready, applicable: p.builtin.applicable });
    // Access denied on Control\Lsa stays unknown: the script may add the entry, but nothing shows it did.
    expect(b.hosts[0]!.summary.unknown).toBeGreaterThan(0);
  });
});
