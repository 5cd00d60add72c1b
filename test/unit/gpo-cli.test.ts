import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

/** Real GPMC backup "Windows 11 - Audit" (test/fixtures/real/gpo/SOURCES.md). */
const AUDIT = 'test/fixtures/real/gpo/t0x01-win11/{C225A014-F2A4-482B-9C30-0F3A6BA90A5C}';
const PROC = join(CORPUS, 'sigmahq/rules/windows/process_creation');
const CMDLINE = 'policy:process-creation-command-line';

interface Rule {
  path: string;
  verdict: string;
  alternatives: string[][];
}
const check = (gpo: string[]): { rules: Rule[]; requirements: { id: string; state: string; stateReason: string }[] } => {
  const r = runCli(['check', PROC, ...gpo.flatMap((g) => ['--gpo', g]), '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
/** The rules that read CommandLine through 4688: their Security alternative needs the command-line policy. */
const readsCommandLine = (rules: Rule[]) =>
  rules.filter((r) => r.alternatives.some((a) => a.includes(CMDLINE) && a.includes('audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success')));

describe('--gpo from the command line', () => {
  it.runIf(corpusOrSkip('--gpo with SigmaHQ process_creation'))(
    'a GPO with Process Creation (Success) and the command-line policy makes SigmaHQ process_creation rules that read CommandLine ready through 4688',
    () => {
      const j = check([AUDIT]);
      const cmd = readsCommandLine(j.rules);
      expect(cmd.length).toBeGreaterThan(500);
      expect(cmd.filter((r) => r.verdict !== 'ready').map((r) => r.path)).toEqual([]);
      expect(j.requirements.find((r) => r.id === CMDLINE)).toMatchObject({
        state: 'on',
        stateReason: '--gpo (GPO Windows 11 - Audit, registry.pol, REG_DWORD)',
      });
      // Sysmon is not in a GPO: the ready verdicts come from 4688, not from Sysmon.
      expect(j.requirements.find((r) => r.id === 'sysmon:1')?.state).toBe('unknown');

      // The same GPO without the command-line policy (its registry.pol entry dropped): not one of them is ready.
      const dir = join(mkdtempSync(join(tmpdir(), 'lsc-gpo-cli-')), 'backup');
      cpSync(AUDIT, dir, { recursive: true });
      const pol = join(dir, 'DomainSysvol/GPO/Machine/registry.pol');
      const buf = readFileSync(pol);
      // Entry 1 (bytes 8–235) is ProcessCreationIncludeCmdLine_Enabled; the header is kept, the entry cut out.
      writeFileSync(pol, Buffer.concat([buf.subarray(0, 8), buf.subarray(236)]));
      const without = check([dir]);
      expect(without.requirements.find((r) => r.id === CMDLINE)).toMatchObject({
        state: 'off',
        stateReason: 'not set by GPO Windows 11 - Audit (not configured: disabled by default)',
      });
      const after = new Map(without.rules.map((r) => [r.path, r.verdict]));
      expect(cmd.filter((r) => after.get(r.path) === 'ready').map((r) => r.path)).toEqual([]);
    },
  );

  it('the table names the virtual host; fix writes files for it', () => {
    const r = runCli(['check', 'examples/rules', '--gpo', AUDIT]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('host GPO: Windows 11 - Audit — seen: bkupInfo.xml, Backup.xml, audit.csv, GptTmpl.inf, registry.pol');
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-gpo-fix-')), 'remediation');
    const f = runCli(['fix', 'examples/rules', '--gpo', AUDIT, '--out', out]);
    expect(f.status, f.stderr).toBe(0);
    expect(readdirSync(out)).toContain('audit.csv');
    // The complete policy written keeps what the GPO already sets (Process Creation: Success).
    expect(readFileSync(join(out, 'audit.csv'), 'utf8')).toContain(',System,Audit Process Creation,{0cce922b-69ae-11d9-bed3-505054503030},Success,,1');
  });

  it('unusable --gpo inputs: exit 2 with one line naming the input', () => {
    const missing = runCli(['check', 'examples/rules', '--gpo', 'no/such/backup']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory: no\/such\/backup/);
    const empty = mkdtempSync(join(tmpdir(), 'lsc-gpo-none-'));
    const none = runCli(['check', 'examples/rules', '--gpo', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`no usable environment input: ${empty}: no GPO here`);
    const wrong = runCli(['check', 'examples/rules', '--gpresult', join(AUDIT, 'gpreport.xml')]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('this is a GPO report (Get-GPOReport, <GPO> root); give it with --gpo');
  });
});
