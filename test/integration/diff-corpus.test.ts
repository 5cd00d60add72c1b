/**
 * Issue 28's done-when on SigmaHQ rules/: `diff` over two runs of one host before and after a GPO change
 * (test/fixtures/diff: a real GPMC audit.csv, and a derived copy without Process Creation and with User Account
 * Management at Failure only) names each rule that lost readiness with its cause, and --fail-on-regression exits 1.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

const have = corpusOrSkip('diff corpus test');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const CAUSES = ['Audit Process Creation — Success', 'Audit User Account Management — Success'];

describe.skipIf(!have)('SigmaHQ rules/: diff before and after a GPO change', { timeout: 180_000 }, () => {
  it('every lost rule is named with a requirement the edit turned off; the gate exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-diff-corpus-'));
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    for (const [input, out] of [
      ['test/fixtures/diff/before/audit.csv', before],
      ['test/fixtures/diff/after/audit.csv', after],
    ] as const) {
      const r = runCli([RULES, '--auditpol', input, '--format', 'json', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
    }
    const r = runCli(['diff', before, after, '--format', 'json', '--fail-on-regression']);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout) as {
      summary: { lost: number; rulesCompared: number };
      hosts: { changes: { lost: boolean; rule: { path: string }; newlyMissing: { name: string }[] }[] }[];
      rulesAdded: unknown[];
    };
    expect(d.rulesAdded).toEqual([]);
    const lost = d.hosts[0]!.changes.filter((c) => c.lost);
    // Process creation rules (hundreds in SigmaHQ) and the user-account rules lose readiness.
    expect(lost.length).toBe(d.summary.lost);
    expect(lost.length).toBeGreaterThan(100);
    for (const c of lost) {
      expect(c.newlyMissing.length, c.rule.path).toBeGreaterThan(0);
      expect(
        c.newlyMissing.some((q) => CAUSES.includes(q.name)),
        c.rule.path,
      ).toBe(true);
    }
    expect(lost.some((c) => c.newlyMissing.some((q) => q.name === CAUSES[1]))).toBe(true);
  });
});
