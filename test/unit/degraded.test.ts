/**
 * Degraded coverage is a counted fact: a rule ready only through a source that lacks a field one of its
 * selections reads (4688 has no OriginalFileName / Hashes / Company) is ready with `degraded`, per rule in
 * JSON / CSV and counted in the headline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { assessRule, type RequirementState } from '../../src/assess/verdict.js';
import { resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { ROOT, runCli } from '../helpers.js';

const on =
  (ids: string[]) =>
  (id: string): RequirementState => ({ state: ids.includes(id) ? 'on' : 'off', reason: 'test' });
// A renamed-binary rule: Image or OriginalFileName (as SigmaHQ writes them).
const RENAMED = `title: renamed certutil
logsource: {product: windows, category: process_creation}
detection:
  img: {Image|endswith: '\\\\certutil.exe'}
  ofn: {OriginalFileName: CertUtil.exe}
  condition: img or ofn
`;

describe('degraded ready', () => {
  it('4688 lacks OriginalFileName: its alternative says so, Sysmon 1 does not', () => {
    const { rules } = parseRuleFile('r.yml', RENAMED);
    const res = resolveRule(rules[0] as SigmaRule, loadCatalog());
    const by = new Map(res.alternatives.map((a) => [a.origin, a.lacks]));
    expect(by.get('Security process creation (4688)')).toEqual(['OriginalFileName']);
    expect(by.get('Sysmon process creation')).toBeUndefined();
  });
  it('ready through the lacking way only is degraded; a full way that is also on wins', () => {
    const alts = [{ branches: [['sysmon:1']] }, { branches: [['audit:P:success']], lacks: ['OriginalFileName'] }];
    const only4688 = assessRule(alts, [], on(['audit:P:success']));
    expect(only4688).toMatchObject({ verdict: 'ready', degraded: ['OriginalFileName'] });
    expect(only4688.why).toMatch(/without OriginalFileName/);
    const both = assessRule(alts, [], on(['audit:P:success', 'sysmon:1']));
    expect(both.verdict).toBe('ready');
    expect(both.degraded).toBeUndefined();
  });
  it('JSON marks the rule, CSV has the column, the headline counts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-degraded-'));
    writeFileSync(join(dir, 'renamed.yml'), RENAMED);
    writeFileSync(join(dir, 'plain.yml'), RENAMED.replace('  ofn: {OriginalFileName: CertUtil.exe}\n', '').replace('img or ofn', 'img'));
    // Process Creation Success is on in this auditpol export; no Sysmon input, so --assume-defaults says not installed.
    const host = ['--auditpol', join(ROOT, 'examples/hosts/WS-0142/auditpol.csv'), '--assume-defaults'];
    const json = runCli(['check', dir, ...host, '-f', 'json']);
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout) as {
      summary: { verdicts: { ready: number; degraded: number } };
      rules: { path: string; verdict: string; degraded?: string[] }[];
    };
    const rule = (f: string) => out.rules.find((r) => r.path.endsWith(f));
    expect(rule('renamed.yml')).toMatchObject({ verdict: 'ready', degraded: ['OriginalFileName'] });
    expect(rule('plain.yml')?.verdict).toBe('ready');
    expect(rule('plain.yml')?.degraded).toBeUndefined();
    expect(out.summary.verdicts).toMatchObject({ ready: 2, degraded: 1 });
    const csv = runCli(['check', dir, ...host, '-f', 'csv']).stdout.split('\n');
    expect(csv[0]).toMatch(/,verdict,degraded,missing,/);
    expect(csv.find((l) => l.includes('renamed.yml'))).toMatch(/,ready,OriginalFileName,/);
    expect(runCli(['check', dir, ...host]).stdout).toMatch(/ready 2 \(1 degraded\)/);
    const html = runCli(['check', dir, ...host, '-f', 'html']).stdout;
    expect(html.match(/<small title="no OriginalFileName in the only source logged">degraded<\/small>/g)).toHaveLength(1);
  });
});
