/**
 * Issue 27's done-when on SigmaHQ rules/ with a host: JSON and CSV give no rule of another product the verdict
 * unknown, and the table's first line and readiness headline say the same of out-of-scope and unknown rules.
 */
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusOrSkip, runCli } from '../helpers.js';

const have = corpusOrSkip('out-of-scope corpus test');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const HOST = ['--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];

describe.skipIf(!have)('SigmaHQ rules/ with a host: out of scope is not unknown', () => {
  const json = have ? runCli([RULES, ...HOST, '--format', 'json']) : undefined;
  const j = json?.status === 0 ? JSON.parse(json.stdout) : undefined;

  it("JSON: every rule of another product is out-of-scope; unknown verdicts are the headline's unknown", () => {
    expect(json?.status, json?.stderr).toBe(0);
    const rules = j.rules as { kind: string; windows: boolean; verdict: string }[];
    const other = rules.filter((r) => !r.windows);
    expect(other.length).toBeGreaterThan(500); // Linux, Azure, macOS, AWS … rules
    expect(other.filter((r) => r.verdict !== 'out-of-scope')).toEqual([]);
    const plain = rules.filter((r) => r.kind === 'rule');
    expect(plain.filter((r) => r.verdict === 'unknown').length).toBe(j.readiness.verdicts.unknown);
    expect(other.filter((r) => r.kind === 'rule').length).toBe(j.summary.outOfScope);
    expect(j.readiness.verdicts.outOfScope).toBe(j.summary.outOfScope);
  });

  it('CSV: no row of another product says unknown', () => {
    const r = runCli([RULES, ...HOST, '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    const rows = parseCsv<{ path: string; verdict: string }>(r.stdout, { columns: true });
    const windows = new Map((j.rules as { path: string; windows: boolean }[]).map((x) => [x.path, x.windows]));
    expect(rows.length).toBe(j.rules.length);
    const other = rows.filter((x) => windows.get(x.path) === false);
    expect(other.length).toBe(j.summary.outOfScope);
    expect(other.filter((x) => x.verdict !== 'out-of-scope')).toEqual([]);
    expect(rows.filter((x) => x.verdict === 'unknown').length).toBe(j.readiness.verdicts.unknown);
  });

  it('the first line and the headline agree', () => {
    const r = runCli([RULES, ...HOST]);
    expect(r.status, r.stderr).toBe(0);
    const [first = '', headline = ''] = r.stdout.split('\n');
    const s = j.summary;
    expect(first).toContain(` · ${s.outOfScope} out of scope · `);
    expect(headline).toContain(` · ${s.outOfScope.toLocaleString('en-US')} rules for other products out of scope`);
    // Windows rules whose log source is not resolved are part of the headline's unknown (not in catalog, ETW
    // only); the one-screen first line leaves their count to the headline, the Markdown first line says it.
    expect(first).not.toMatch(/unknown|unresolved/);
    const md = runCli([RULES, ...HOST, '--format', 'markdown']).stdout.split('\n')[2] ?? '';
    expect(md).toContain(` · ${s.unknown} unresolved · ${s.outOfScope} out of scope · `);
    const causes = j.readiness.verdicts.unknownCauses as Record<string, number>;
    expect((causes['not in catalog'] ?? 0) + (causes['ETW only (no event log)'] ?? 0)).toBe(s.unknown);
  });
});
