/**
 * Evidence over the shared corpus: SigmaHQ's rules/ against the 34 sample EVTX files (../shared/corpus/evtx),
 * with no host input — one implied host holds everything observed. Each rule's state is checked against an
 * independent reading of the counts: observed exactly when every branch event of one alternative is seen.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObservations } from '../../src/observe/load.js';
import type { RuleRow } from '../../src/result/result.js';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

const have = corpusOrSkip('evidence over the EVTX samples');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const EVTX = join(CORPUS, 'evtx');

describe.skipIf(!have)('SigmaHQ rules/ --observed the EVTX samples', () => {
  const run = have ? runCli([RULES, '--observed', EVTX, '--format', 'json']) : undefined;
  const report = run?.status === 0 ? JSON.parse(run.stdout) : undefined;

  it('reads every sample without an error and judges the rules from what they hold', () => {
    expect(run?.status, run?.stderr).toBe(0);
    const ev = report.evidence;
    expect(ev.sources.files).toBe(34);
    expect(ev.sources.kinds).toEqual({ EVTX: 34 });
    expect(report.errors).toEqual([]);
    expect(ev.hosts).toHaveLength(1);
    expect(ev.hosts[0].implied).toBe(true);
    expect(ev.hosts[0].computers.length).toBeGreaterThan(10);
    expect(ev.judged).toBeGreaterThan(2000);
    // Evidence alone has nothing configured to be silent or contradicted.
    expect(ev.counts.silent + ev.counts['observed-despite-config']).toBe(0);
    expect(ev.counts.observed + ev.counts['observed-without-fields'] + ev.counts['partly-observed'] + ev.counts['not-observed']).toBe(ev.judged);
    // Field evidence: the samples' 4624 records carry WorkstationName in 1 of 30 (Windows writes "-" when it has
    // none); the two rules that need a workstation name are seen without it. A rule matching "-" is not.
    expect(ev.counts['observed-without-fields']).toBe(2);
  });

  it('a rule is observed exactly when every branch event of one of its alternatives is in the counts', () => {
    const obs = loadObservations([EVTX]);
    const seen = new Set(obs.counts.map((c) => `${c.channel.toLowerCase()}|${c.eventId}`));
    const channels = new Set(obs.counts.map((c) => c.channel.toLowerCase()));
    const has = (e: { channel: string; eventIds: number[] }) =>
      e.eventIds.length ? e.eventIds.some((id) => seen.has(`${e.channel.toLowerCase()}|${id}`)) : channels.has(e.channel.toLowerCase());
    let checked = 0;
    for (const r of report.rules as RuleRow[]) {
      if (!r.evidence) continue;
      checked++;
      const observed = r.branchEvents.some((alt) => alt.length > 0 && alt.every(has));
      const any = [...r.branchEvents, ...r.supplementaryBranchEvents].some((alt) => alt.some(has));
      const expected = observed ? (r.evidence.emptyFields?.length ? 'observed-without-fields' : 'observed') : any ? 'partly-observed' : 'not-observed';
      expect(r.evidence.state, r.path).toBe(expected);
      if (r.path.endsWith('win_security_susp_rottenpotato.yml')) expect(r.evidence.state, 'WorkstationName: "-" is what it matches').toBe('observed');
    }
    expect(checked).toBe(report.evidence.judged);
  });

  it('lists per log source what is observed and what is not (table)', () => {
    const t = runCli([RULES, '--observed', EVTX], { env: { COLUMNS: '' } });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(
      /^Evidence +[\d.]+% of [\d,]+ judged Windows rules observed — observed [\d,]+ · without fields [\d,]+ · partly \d+ · silent 0 · despite config 0 · not observed [\d,]+$/m,
    );
    expect(t.stdout).toMatch(
      /34 file\(s\) \(EVTX 34\) · [\d,]+ events · 20\d\d-\d\d-\d\d → 20\d\d-\d\d-\d\d · no host input: everything observed is judged as one host/,
    );
    expect(t.stdout).toMatch(/│ Log source +│ Rules │ Observed │ No fields │ Partly │ Silent │ Despite │ Not seen │/);
    // The samples hold Sysmon process creation but no Sysmon network connection (EID 3).
    const ls = report.evidence.logsources as { logsource: string; observed: number; 'not-observed': number; rules: number }[];
    const pc = ls.find((l) => l.logsource === 'windows/category/process_creation');
    const nc = ls.find((l) => l.logsource === 'windows/category/network_connection');
    expect(pc?.observed).toBe(pc?.rules);
    expect(nc?.['not-observed']).toBe(nc?.rules);
    expect(t.stdout).toMatch(/no event arrives from: .*Microsoft-Windows-Windows Defender\/Operational/);
  });
});
