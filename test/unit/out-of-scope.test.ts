/**
 * Rules of other products are `out-of-scope` in every format, never `unknown`: unknown is only ever a Windows rule
 * the inputs do not settle, so a script counting unknowns counts what the headline calls unknown (issue 27).
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const HOST = ['--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];
const FLEET = ['--gpresult', 'test/fixtures/environment'];

const LINUX = `title: Linux Curl Pipe
id: 11111111-2222-4333-8444-555555555555
status: test
level: high
logsource:
  product: linux
  category: process_creation
detection:
  sel:
    Image|endswith: /curl
  condition: sel
`;

/** examples/rules plus a second Linux rule, a correlation of it, and a correlation of a rule that is not there. */
function ruleSet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-oos-'));
  cpSync('examples/rules', dir, { recursive: true });
  writeFileSync(join(dir, 'linux_curl.yml'), LINUX);
  const corr = (title: string, ref: string) =>
    `title: ${title}\nstatus: test\nlevel: high\ncorrelation:\n  type: event_count\n  rules:\n    - ${ref}\n  group-by:\n    - Computer\n  timespan: 5m\n  condition:\n    gte: 5\n`;
  writeFileSync(join(dir, 'corr_linux.yml'), corr('Many Linux Curl Pipes', '11111111-2222-4333-8444-555555555555'));
  writeFileSync(join(dir, 'corr_missing.yml'), corr('Many Of A Missing Rule', 'no-such-rule'));
  return dir;
}

interface Row {
  title: string;
  kind: string;
  windows: boolean;
  verdict?: string;
  verdicts?: Record<string, number>;
  logsourceKey: string;
}

describe('out-of-scope verdict', () => {
  const dir = ruleSet();

  it('JSON with a host: other products are out-of-scope, unknown only for Windows rules; counts agree', () => {
    const r = runCli([dir, ...HOST, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const rules = j.rules as Row[];
    const plain = rules.filter((x) => x.kind === 'rule');
    expect(plain.filter((x) => !x.windows).map((x) => x.verdict)).toEqual(['out-of-scope', 'out-of-scope']);
    expect(rules.filter((x) => !x.windows && x.verdict === 'unknown')).toEqual([]);
    // The correlation of a Linux rule is out of scope; one of a missing rule is a Windows question left unknown.
    expect(rules.find((x) => x.title === 'Many Linux Curl Pipes')).toMatchObject({ windows: false, verdict: 'out-of-scope' });
    expect(rules.find((x) => x.title === 'Many Of A Missing Rule')).toMatchObject({ windows: true, verdict: 'unknown' });
    const s = j.summary;
    expect(s.outOfScope).toBe(2);
    expect(s.windowsRules + s.outOfScope).toBe(s.rulesScanned - s.correlations);
    expect(s.resolved + s.unknown).toBe(s.windowsRules);
    const v = j.readiness.verdicts;
    expect(v.outOfScope).toBe(s.outOfScope);
    expect(v.unknown).toBe(plain.filter((x) => x.verdict === 'unknown').length);
  });

  it('CSV with and without a host: the verdict column says out-of-scope for other products', () => {
    for (const args of [HOST, []]) {
      const r = runCli([dir, ...args, '--format', 'csv']);
      expect(r.status, r.stderr).toBe(0);
      const linux = r.stdout.split('\n').filter((l) => l.includes('linux/category/process_creation'));
      expect(linux).toHaveLength(2);
      for (const l of linux) expect(l).toMatch(/,linux\/category\/process_creation,out-of-scope,/);
    }
  });

  it('the first line and the headline agree: both count other products as out of scope, neither as unknown', () => {
    const r = runCli([dir, ...HOST]);
    expect(r.status, r.stderr).toBe(0);
    const [first = '', headline = ''] = r.stdout.split('\n');
    expect(first).toMatch(/ · 2 out of scope · /);
    expect(first).not.toMatch(/unknown/);
    expect(headline).toMatch(/ · 2 rules for other products out of scope$/);
  });

  it('Markdown: other products are not in the Unknown section; --verbose says out of scope', () => {
    const r = runCli([dir, '--format', 'markdown', '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| linux\/category\/process\\_creation \| 2 \| out of scope \|/);
    expect(r.stdout).toContain('  - out of scope: not a Windows rule (product: linux)');
    const unknown = r.stdout.split('## Unknown')[1]?.split('\n## ')[0] ?? '';
    expect(unknown).not.toContain('not a Windows rule');
    expect(unknown).toContain('no-such-rule');
  });

  it("SARIF reports no result for another product's rule, with a host or without", () => {
    for (const args of [HOST, []]) {
      const r = runCli([dir, ...args, '--format', 'sarif']);
      expect(r.status, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      expect(results.filter((x) => /linux/.test(x.locations[0]?.physicalLocation.artifactLocation.uri ?? ''))).toEqual([]);
    }
  });

  it('a fleet counts out-of-scope per rule apart from unknown', () => {
    const r = runCli([dir, ...FLEET, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const hosts = j.readiness.hosts.length as number;
    expect(hosts).toBeGreaterThan(1);
    for (const x of (j.rules as Row[]).filter((y) => !y.windows)) expect(x.verdicts).toMatchObject({ unknown: 0, 'out-of-scope': hosts });
    for (const h of j.readiness.hosts) expect(h.summary.outOfScope).toBe(2);
  });

  it('the gate: out-of-scope rules change neither the readiness nor the --fail-under outcome', () => {
    const only = mkdtempSync(join(tmpdir(), 'lsc-oos-win-'));
    cpSync('examples/rules/windows', only, { recursive: true });
    const pct = (d: string) => JSON.parse(runCli([d, ...HOST, '--format', 'json']).stdout).readiness.verdicts.readiness as number;
    const withOther = pct(dir);
    expect(withOther).toBe(pct(only));
    // Just above and at the readiness: the gate fails and passes the same with or without other products' rules.
    for (const d of [dir, only]) {
      expect(runCli([d, ...HOST, '--fail-under', String(withOther + 0.1)]).status).toBe(1);
      expect(runCli([d, ...HOST, '--fail-under', String(withOther)]).status).toBe(0);
    }
  });
});
