/** `check --baseline` for every shipped baseline over SigmaHQ's rules/ (skips visibly without the corpus). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaselines } from '../../src/catalog/baselines.js';
import { loadCatalog } from '../../src/catalog/load.js';
import type { VerdictCounts } from '../../src/assess/counts.js';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

const have = corpusOrSkip('check --baseline over the SigmaHQ corpus');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const NAMES = loadBaselines(loadCatalog()).map((b) => b.name);

type Counts = Omit<VerdictCounts, 'unknownCauses' | 'outOfScope'>;
interface Report {
  rules: { scanned: number; windows: number };
  baselines: {
    baseline: { name: string };
    summary: Counts;
    logsources: { logsource: string; counts: Counts }[];
    lacks: { id: string; rules: number; state: string }[];
  }[];
}

describe.skipIf(!have)('check --baseline over SigmaHQ rules/', () => {
  const run = have ? runCli([RULES, ...NAMES.flatMap((n) => ['--baseline', n]), '--format', 'json']) : undefined;
  const report: Report | undefined = run?.status === 0 ? JSON.parse(run.stdout) : undefined;
  const of = (name: string) => report?.baselines.find((b) => b.baseline.name === name);

  it('assesses the rule set against every shipped baseline, in the order asked', () => {
    expect(run?.status).toBe(0);
    expect(run?.stderr).toBe('');
    expect(report?.baselines.map((b) => b.baseline.name)).toEqual(NAMES);
  });

  it('counts add up per baseline and per log source', () => {
    for (const b of report?.baselines ?? []) {
      const s = b.summary;
      expect(s.ready + s.partial + s.blocked + s.unknown, b.baseline.name).toBe(s.applicable);
      expect(s.applicable + s.notApplicable, b.baseline.name).toBeLessThanOrEqual(report?.rules.windows ?? 0);
      expect(
        b.logsources.reduce((n, l) => n + l.counts.ready, 0),
        b.baseline.name,
      ).toBe(s.ready);
      expect(
        b.logsources.reduce((n, l) => n + l.counts.applicable, 0),
        b.baseline.name,
      ).toBe(s.applicable);
    }
  });

  it('roles shape the denominator: domain-controller rules are not applicable on workstation baselines only', () => {
    expect(of('microsoft-general-workstation')?.summary.notApplicable).toBeGreaterThan(0);
    expect(of('microsoft-general-dc')?.summary.notApplicable).toBe(0);
  });

  it('Yamato (command line in 4688, module logging) readies process creation and ps_module; the Intune client baseline lacks the command line', () => {
    const pc = (name: string) => of(name)?.logsources.find((l) => l.logsource === 'windows/category/process_creation')?.counts;
    expect(pc('yamato')?.ready ?? 0).toBeGreaterThan(pc('microsoft-client')?.ready ?? 0);
    expect(of('yamato')?.logsources.find((l) => l.logsource === 'windows/category/ps_module')?.counts.readiness).toBe(100);
    const lack = of('microsoft-client')?.lacks.find((l) => l.id === 'policy:process-creation-command-line');
    expect(lack?.state).toBe('off');
    expect(lack?.rules).toBeGreaterThan(500);
  });

  it('asd (command line in 4688, module and script block logging) readies process creation and ps_module; a disputed outcome is never taken as set', () => {
    const ls = (name: string, key: string) => of(name)?.logsources.find((l) => l.logsource === key)?.counts;
    expect(ls('asd', 'windows/category/process_creation')?.ready ?? 0).toBeGreaterThan(ls('microsoft-client', 'windows/category/process_creation')?.ready ?? 0);
    expect(ls('asd', 'windows/category/ps_module')?.readiness).toBe(100);
    // Credential Validation is disputed between the transcriptions (any): rules needing it lack it as unset, not on.
    expect(of('asd')?.lacks.find((l) => l.id === 'audit:{0CCE923F-69AE-11D9-BED3-505054503030}:success')?.state).toBe('unset');
  });

  it('Stronger never readies fewer rules than General for the same computer type', () => {
    for (const type of ['dc', 'member', 'workstation']) {
      expect(of(`microsoft-stronger-${type}`)?.summary.ready ?? 0).toBeGreaterThanOrEqual(of(`microsoft-general-${type}`)?.summary.ready ?? 0);
    }
  });
});
