/** Event volume from the CLI: in the JSON and the files, --max-volume as a budget, --rank value as an order. */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { rankFixes } from '../../src/assess/rank.js';
import { requirementVolume, valueWeight } from '../../src/assess/volume.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const DC = 'test/fixtures/environment/gpresult-dc-legacy-only.xml';
const schema = JSON.parse(readFileSync(join(ROOT, 'docs/report.schema.json'), 'utf8')) as object;
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const validate = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown[] | null } })({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
}).compile(schema);

interface Rec {
  rank: number;
  volume: string;
  unlocks: number;
  requires: { id: string }[];
  volumes: Record<string, { class?: string; basis?: string; source?: string }>;
}
const json = (args: string[]) => {
  const r = runCli([...args, '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(validate(j), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  return j;
};
const order = { low: 0, medium: 1, high: 2 } as Record<string, number>;

describe('volume of ranked fixes', () => {
  it('JSON: every fix has its volume (the highest of its settings) and each setting its rating and source', () => {
    const j = json(['examples/rules', '--gpresult', DC]);
    const recs: Rec[] = j.readiness.recommendations;
    expect(recs.length).toBeGreaterThan(2);
    for (const f of recs) {
      const classes = f.requires.map((q) => f.volumes[q.id]?.class).filter((c): c is string => !!c);
      expect(f.volume).toBe(classes.length ? classes.sort((a, b) => order[b]! - order[a]!)[0] : 'unrated');
      for (const q of f.requires) if (f.volumes[q.id]!.class) expect(f.volumes[q.id]!.source).toMatch(/^https:\/\//);
    }
    const sb = recs.find((f) => f.requires.some((q) => q.id === 'policy:powershell-script-block-logging'))!;
    expect(sb.volume).toBe('high');
    expect(sb.volumes['policy:powershell-script-block-logging']!.basis).toBe('reported');
    expect(j.readiness.ranking).toBeUndefined();
  });

  it('--max-volume low: only fixes within the budget (or unrated) are ranked; the rest are listed, in every format', () => {
    const all: Rec[] = json(['examples/rules', '--gpresult', DC]).readiness.recommendations;
    const j = json(['examples/rules', '--gpresult', DC, '--max-volume', 'low']);
    const kept: Rec[] = j.readiness.recommendations;
    for (const f of kept) expect(['low', 'unrated']).toContain(f.volume);
    const { max, leftOut } = j.readiness.volumeBudget;
    expect(max).toBe('low');
    expect(leftOut.length).toBe(all.filter((f) => f.volume === 'medium' || f.volume === 'high').length);
    for (const f of leftOut) expect(['medium', 'high']).toContain(f.volume);
    expect(leftOut.map((f: { requires: string[] }) => f.requires.join())).toContain('sysmon:1');
    const table = runCli(['examples/rules', '--gpresult', DC, '--max-volume', 'low']).stdout;
    expect(table).toMatch(
      /--max-volume low left out 5 fixes above it, from the ranked list and the fix files: Sysmon ProcessCreate \(EID 1\) \(medium, 2 rules\)/,
    );
    expect(table).toMatch(/volume unrated/);
    expect(runCli(['examples/rules', '--gpresult', DC, '--max-volume', 'low', '--format', 'markdown']).stdout).toMatch(/--max-volume low left out 5 fixes/);
    expect(runCli(['examples/rules', '--gpresult', DC, '--max-volume', 'low', '--format', 'html']).stdout).toMatch(/--max-volume low left out 5 fixes/);
    expect(runCli(['examples/rules', '--gpresult', DC, '--max-volume', 'huge']).status).toBe(2);
  });

  it('fix --max-volume: the files leave out what the budget leaves out, and say so', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-vol-')), 'r');
    // --plan builtin: the built-in plan's files only (the Sysmon plan keeps the same budget: sysmon-additions.xml).
    const r = runCli(['fix', 'examples/rules', '--gpresult', DC, '--max-volume', 'low', '--plan', 'builtin', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^--max-volume low left out 5 fixes above it/m);
    // Script block logging (high) and Audit Registry (medium) are left out; the log size fix is no event volume.
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'enable-channels.cmd']);
    expect(readFileSync(join(out, 'enable-channels.cmd'), 'utf8')).toContain('wevtutil sl "Security" /ms:201326592');
    // fix's default budget is medium: script block logging (high) only with --max-volume high, and the default says so.
    const dflt = join(mkdtempSync(join(tmpdir(), 'lsc-vol-')), 'r');
    expect(runCli(['fix', 'examples/rules', '--gpresult', DC, '--out', dflt]).stdout).toMatch(
      /^left out \(volume budget --max-volume medium\): .*Turn on PowerShell Script Block Logging/m,
    );
    // The built-in plan writes the command line in 4688 (medium) for the process_creation rule: Process Creation is
    // already on here (legacy category), and Sysmon covering the same rule no longer leaves it out.
    const dReg = readFileSync(join(dflt, 'logging-policies.reg')).subarray(2).toString('utf16le');
    expect(dReg).toContain('"ProcessCreationIncludeCmdLine_Enabled"=dword:00000001');
    expect(dReg).not.toContain('EnableScriptBlockLogging');
    const full = join(mkdtempSync(join(tmpdir(), 'lsc-vol-')), 'r');
    expect(runCli(['fix', 'examples/rules', '--gpresult', DC, '--max-volume', 'high', '--out', full]).stdout).not.toMatch(/left out/);
    expect(readdirSync(full)).toContain('logging-policies.reg');
  });

  it("the fix files carry each setting's volume in their comments", () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-vol-')), 'r');
    expect(runCli(['fix', 'examples/rules', '--gpresult', DC, '--max-volume', 'high', '--out', out]).status).toBe(0);
    const cmd = readFileSync(join(out, 'enable-audit.cmd'), 'utf8');
    expect(cmd).toMatch(
      /^rem Audit Registry: event volume medium, documented: Microsoft: \^"Low to Medium, depending on how registry SACLs are configured\.\^" \^<https:\/\/learn\.microsoft\.com\/.*audit-registry\^>\r$/m,
    );
    const reg = readFileSync(join(out, 'logging-policies.reg')).subarray(2).toString('utf16le');
    expect(reg).toMatch(
      /^; Turn on PowerShell Script Block Logging .*\r\n; event volume high, reported: ATC logging policy LP0109.* <https:\/\/github\.com\/atc-project\/atomic-threat-coverage\/.*>\r$/m,
    );
  });

  it('--rank value orders by rules per volume weight; the default order stays rules per setting', () => {
    const item = (id: number, missing: string[][], weight = 1) => ({ id, weight, missing });
    // A high-volume setting unlocks three rules, a low-volume one unlocks one.
    const items = [item(0, [['sysmon:22']]), item(1, [['sysmon:22']]), item(2, [['sysmon:22']]), item(3, [['sysmon:17']])];
    expect(rankFixes(items).map((f) => f.requires.join())).toEqual(['sysmon:22', 'sysmon:17']);
    const cost = (id: string) => valueWeight(requirementVolume(id, catalog, [undefined]).class);
    expect([cost('sysmon:22'), cost('sysmon:17'), cost('sysmon:1'), cost('sysmon:13')]).toEqual([9, 1, 3, 9]);
    expect(rankFixes(items, 100, { cost }).map((f) => f.requires.join())).toEqual(['sysmon:17', 'sysmon:22']);
    // From the CLI: unlocks per weight never rises down the list (each fix given the ones above it).
    const recs: Rec[] = json(['examples/rules', '--gpresult', DC, '--rank', 'value']).readiness.recommendations;
    const value = (f: Rec) => f.unlocks / f.requires.reduce((s, q) => s + valueWeight(f.volumes[q.id]!.class as never), 0);
    for (let i = 1; i < recs.length; i++) expect(value(recs[i]!)).toBeLessThanOrEqual(value(recs[i - 1]!) + 1e-9);
    expect(json(['examples/rules', '--gpresult', DC, '--rank', 'value']).readiness.ranking).toBe('value');
    expect(runCli(['examples/rules', '--gpresult', DC, '--rank', 'value']).stdout).toMatch(/ranked by rules unlocked per volume weight/);
  });

  it("the host's computer type picks Microsoft's per-type volume", () => {
    const cv = 'audit:{0CCE923F-69AE-11D9-BED3-505054503030}:success';
    expect(requirementVolume(cv, catalog, ['workstation']).class).toBe('low');
    expect(requirementVolume(cv, catalog, ['domain-controller']).class).toBe('high');
    expect(requirementVolume(cv, catalog, ['workstation', 'domain-controller']).class).toBe('high');
    expect(requirementVolume('channel:Microsoft-Windows-TaskScheduler/Operational', catalog, []).class).toBeUndefined();
  });
});
