/** `check --format dettect` over SigmaHQ's rules/ and a fleet of gpresult fixtures (skips visibly without the corpus). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const have = corpusOrSkip('check --format dettect over the SigmaHQ corpus');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const DETTECT_WINDOWS = new Set(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/dettect/windows-data-sources.json'), 'utf8')) as string[]);

interface Doc {
  file_type: string;
  data_sources: { data_source_name: string; data_source: { comment: string; data_quality: Record<string, number> }[] }[];
}

describe.skipIf(!have)('check --format dettect over SigmaHQ rules/', () => {
  const run = have ? runCli([RULES, '--gpresult', 'test/fixtures/environment', '--format', 'dettect']) : undefined;
  const doc = run?.status === 0 ? (parse(run.stdout) as Doc) : undefined;

  it('writes a data-source administration file with one entry per data component DeTT&CT knows', () => {
    expect(run?.status, run?.stderr).toBe(0);
    expect(doc?.file_type).toBe('data-source-administration');
    const names = doc?.data_sources.map((d) => d.data_source_name) ?? [];
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(DETTECT_WINDOWS.has(n), n).toBe(true);
  });

  it('each device completeness score is the step of the share its comment states, and the counts add up', () => {
    for (const d of doc?.data_sources ?? []) {
      const o = d.data_source[0]!;
      const m = /device_completeness (\d) \(([\d.]+)%\): (\d+) of (\d+) rule × host pairs ready over 6 host\(s\)/.exec(o.comment);
      expect(m, `${d.data_source_name}: ${o.comment}`).not.toBeNull();
      const [, sc, pct, ready, pairs] = m!;
      expect(Number(sc)).toBe(o.data_quality['device_completeness']);
      expect(Number(ready)).toBeLessThanOrEqual(Number(pairs));
      expect(Number(pct)).toBeCloseTo((100 * Number(ready)) / Number(pairs), 1);
      expect(Number(sc)).toBe(Number(ready) === 0 ? 0 : Math.min(5, Math.ceil(Number(pct) / 20)));
      // Not measured by these inputs: 0, never a guess.
      expect(o.data_quality['timeliness']).toBe(0);
      expect(o.data_quality['consistency']).toBe(0);
    }
  });
});
