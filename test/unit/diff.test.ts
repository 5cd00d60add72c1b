/**
 * diff OLD.json NEW.json and check --previous (issue 28): per host, the rules that lost or gained readiness and the
 * requirement, setting and input behind each; --fail-on-regression; hostile report files. Fixtures:
 * test/fixtures/diff (README.md there: a real GPO's audit.csv before and after an edit).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRuns, isLoss } from '../../src/result/run-diff.js';
import { readReport, ReportError } from '../../src/result/read-report.js';
import { renderDiff } from '../../src/report/diff.js';
import type { CheckResult } from '../../src/result/result.js';
import { rng, runCli } from '../helpers.js';

const RULES = 'test/fixtures/fixbudget/rules';
const BEFORE = 'test/fixtures/diff/before/audit.csv';
const AFTER = 'test/fixtures/diff/after/audit.csv';
const tmp = () => mkdtempSync(join(tmpdir(), 'lsc-diff-'));
const WHOAMI = '3f0c6a51-2b7e-4d9a-9c14-6e2a1b5d7f05';
const USER = '3f0c6a51-2b7e-4d9a-9c14-6e2a1b5d7f04';
const SYSVOL = '3f0c6a51-2b7e-4d9a-9c14-6e2a1b5d7f02';

function report(args: string[], file: string): string {
  const r = runCli([RULES, ...args, '--format', 'json', '-o', file]);
  expect(r.status, r.stderr).toBe(0);
  return file;
}

describe('diff of two runs (before / after a GPO change)', { timeout: 120_000 }, () => {
  let dir = '';
  let before = '';
  let after = '';
  beforeAll(() => {
    dir = tmp();
    before = report(['--auditpol', BEFORE], join(dir, 'before.json'));
    after = report(['--auditpol', AFTER], join(dir, 'after.json'));
  });

  it('names each lost rule with the requirement that went missing and the input that says so; exit 0 without the gate', () => {
    const r = runCli(['diff', before, after]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 lost readiness on 1 host(s), 1 gained');
    expect(r.stdout).toMatch(/LOST +Whoami Run From A Command Shell \(Security 4688\).*: ready → blocked/);
    expect(r.stdout).toMatch(/missing now: Audit Process Creation — Success \(off: auditpol audit\.csv: not in this audit\.csv/);
    expect(r.stdout).toMatch(/LOST +Local Or Domain User Created.*: ready → blocked/);
    expect(r.stdout).toMatch(/missing now: Audit User Account Management — Success \(off: auditpol audit\.csv\)/);
    expect(r.stdout).toMatch(/GAINED +Script File Read From SYSVOL Share.*: blocked → ready/);
    expect(r.stdout).toContain('setting Audit Process Creation — Success: on → off');
    expect(r.stdout).toContain(`inputs before: ${BEFORE}`);
    expect(r.stdout).toContain(`inputs now: ${AFTER}`);
    // The two rules whose verdict did not change are not listed.
    expect(r.stdout).not.toContain('Scheduled Task Created');
  });

  it('--fail-on-regression exits 1 with one line naming the host; the reverse direction (only a loss of SYSVOL) too, and no loss exits 0', () => {
    const r = runCli(['diff', before, after, '--fail-on-regression']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['logsource-check: 2 rule verdict(s) lost readiness on 1 host(s): audit.csv (2)']);
    const back = runCli(['diff', after, before, '--fail-on-regression', '--format', 'json']);
    expect(back.status).toBe(1);
    const d = JSON.parse(back.stdout);
    expect(d.summary).toMatchObject({ lost: 1, gained: 2, changed: 3, hostsWithLoss: 1 });
    expect(d.hosts[0].changes[0]).toMatchObject({ rule: { id: SYSVOL }, from: 'ready', to: 'blocked', lost: true });
    expect(runCli(['diff', before, before, '--fail-on-regression']).status).toBe(0);
  });

  it('JSON and Markdown carry the same changes', () => {
    const j = JSON.parse(runCli(['diff', before, after, '--format', 'json']).stdout);
    expect(j.diffVersion).toBe(1);
    const lost = j.hosts[0].changes.filter((c: { lost: boolean }) => c.lost);
    expect(lost.map((c: { rule: { id: string } }) => c.rule.id).sort()).toEqual([USER, WHOAMI].sort());
    const whoami = lost.find((c: { rule: { id: string } }) => c.rule.id === WHOAMI);
    expect(whoami.newlyMissing).toEqual([expect.objectContaining({ id: 'audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success', state: 'off' })]);
    const md = runCli(['diff', before, after, '--format', 'markdown']).stdout;
    expect(md).toMatch(/\| LOST \| Whoami Run From A Command Shell \(Security 4688\)/);
    expect(md).toContain('| Audit Process Creation — Success | on | off |');
  });

  it('check --previous prints the diff after the report and gates; with --format json the report gains a "diff" member', () => {
    const r = runCli([RULES, '--auditpol', AFTER, '--previous', before, '--fail-on-regression']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/LOST +Whoami Run From A Command Shell/);
    const j = runCli([RULES, '--auditpol', AFTER, '--previous', before, '--format', 'json']);
    expect(j.status, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.schemaVersion).toBe(2);
    expect(doc.diff.summary.lost).toBe(2);
    expect(runCli([RULES, '--auditpol', AFTER, '--fail-on-regression']).status).toBe(2);
    const withBaseline = runCli([RULES, '--baseline', 'yamato', '--previous', before]);
    expect(withBaseline.status).toBe(2);
    expect(withBaseline.stderr).toBe("logsource-check: --previous applies to hosts' reports, not to --baseline\n");
  });

  it('a fleet: the host whose audit policy changed is named, the unchanged host is not, hosts are matched by name', () => {
    // DC01 of the snapshot fixtures, with Process Creation set to No Auditing (derived here, in a copy).
    const fleet = tmp();
    const dc = join(fleet, 'DC01');
    cpSync('test/fixtures/snapshot/DC01', dc, { recursive: true });
    const csv = join(dc, 'auditpol.csv');
    const text = readFileSync(csv, 'utf8');
    const edited = text.replace(/(Process Creation,\{0CCE922B-69AE-11D9-BED3-505054503030\},)Success/, '$1No Auditing');
    expect(edited).not.toBe(text);
    writeFileSync(csv, edited);
    const a = report(['--host', 'test/fixtures/snapshot/WS-0142', '--host', 'test/fixtures/snapshot/DC01'], join(fleet, 'a.json'));
    const b = report(['--host', 'test/fixtures/snapshot/WS-0142', '--host', dc], join(fleet, 'b.json'));
    const doc = JSON.parse(readFileSync(b, 'utf8'));
    expect(doc.readiness.verdictGroups.length).toBe(2);
    const r = runCli(['diff', a, b, '--format', 'json', '--fail-on-regression']);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.hosts.map((h: { name: string }) => h.name).sort()).toEqual(['DC01', 'WS-0142']);
    const dcDiff = d.hosts.find((h: { name: string }) => h.name === 'DC01');
    expect(dcDiff.changes).toEqual([expect.objectContaining({ rule: expect.objectContaining({ id: WHOAMI }), from: 'ready', to: 'blocked', lost: true })]);
    expect(dcDiff.changes[0].newlyMissing[0].name).toBe('Audit Process Creation — Success');
    expect(d.hosts.find((h: { name: string }) => h.name === 'WS-0142').changes).toEqual([]);
    expect(d.hostsAdded).toEqual([]);
  });

  it('mutated reports (fixed seed): each is refused with a ReportError or diffed and rendered without throwing', () => {
    const r = rng(28);
    const base = readFileSync(before, 'utf8');
    const good = readReport(after);
    const d = tmp();
    const junk = (): unknown => [null, 7, -1, 1e308, 'x', '', [], {}, ['a'], { a: 1 }, true][Math.floor(r() * 11)];
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const doc = JSON.parse(base) as Record<string, unknown>;
      // Walk to a random object or array inside the report and replace or delete one of its members.
      let node: unknown = doc;
      for (let depth = 0; depth < 1 + Math.floor(r() * 5); depth++) {
        const keys = node && typeof node === 'object' ? Object.keys(node) : [];
        if (!keys.length) break;
        const next = (node as Record<string, unknown>)[keys[Math.floor(r() * keys.length)]!];
        if (!next || typeof next !== 'object') break;
        node = next;
      }
      const keys = Object.keys(node as object);
      const key = keys[Math.floor(r() * keys.length)];
      if (key === undefined) continue;
      if (r() < 0.3 && !Array.isArray(node)) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = junk();
      const file = join(d, `m${i}.json`);
      writeFileSync(file, JSON.stringify(doc));
      let res;
      try {
        res = readReport(file);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ReportError);
        expect((e as Error).message.startsWith(file)).toBe(true);
        refused++;
        continue;
      }
      for (const out of [diffRuns(res, good), diffRuns(good, res)])
        for (const f of ['table', 'json', 'markdown'] as const) expect(typeof renderDiff(out, f)).toBe('string');
    }
    // Both outcomes happen: the mutations reach fields the diff reads and fields it does not.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(300);
  });

  it('an unusable report is one line naming the file and the field, exit 2', () => {
    const d = tmp();
    const good = JSON.parse(readFileSync(before, 'utf8'));
    const bad = (name: string, content: string): string => {
      const p = join(d, name);
      writeFileSync(p, content);
      return p;
    };
    const cases: [string, RegExp][] = [
      [bad('text.json', 'not json at all'), /text\.json: not JSON/],
      [bad('v1.json', JSON.stringify({ ...good, schemaVersion: 1 })), /v1\.json: schemaVersion 1 is not 2/],
      [bad('title.json', JSON.stringify({ ...good, rules: [{ ...good.rules[0], title: 7 }] })), /title\.json: rules\[0\]\.title is not a string/],
      [
        bad('verdict.json', JSON.stringify({ ...good, rules: [{ ...good.rules[0], verdict: 'fine' }] })),
        /verdict\.json: rules\[0\]\.verdict "fine" is not a verdict/,
      ],
      [
        bad(
          'group.json',
          JSON.stringify({
            ...good,
            readiness: { ...good.readiness, verdictGroups: [{ hosts: 1, notReady: [{ rule: 99, verdict: 'blocked', missing: [] }] }] },
          }),
        ),
        /notReady\[0\]\.rule is not the index of a rule/,
      ],
      [d, /cannot read/],
      [join(d, 'absent.json'), /absent\.json: cannot read: ENOENT/],
    ];
    for (const [file, message] of cases) {
      const r = runCli(['diff', file, after]);
      expect(r.status, file).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('diff engine', () => {
  it('is part of the library API', async () => {
    const api = await import('../../src/index.js');
    for (const name of ['diffRuns', 'readReport', 'renderDiff', 'isLoss', 'changedSince', 'filesFrom', 'loadBaselineFile'])
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
  });

  it('lost readiness: ready → partial/blocked/unknown and partial → blocked/unknown; not ready → not-applicable', () => {
    expect(isLoss('ready', 'partial')).toBe(true);
    expect(isLoss('ready', 'blocked')).toBe(true);
    expect(isLoss('ready', 'unknown')).toBe(true);
    expect(isLoss('partial', 'blocked')).toBe(true);
    expect(isLoss('partial', 'unknown')).toBe(true);
    expect(isLoss('ready', 'not-applicable')).toBe(false);
    expect(isLoss('blocked', 'unknown')).toBe(false);
    expect(isLoss('partial', 'ready')).toBe(false);
  });

  const run = (rules: { id?: string; title: string; path: string; verdict: CheckResult['rules'][number]['verdict'] }[], host = 'WS-1'): CheckResult =>
    ({
      schemaVersion: 2,
      tool: { name: 'logsource-check', version: 't', catalog: 'c' },
      requirements: [],
      rules: rules.map((r) => ({ ...r, windows: true, missing: [] })),
      readiness: { hosts: [{ name: host, files: [`${host}.xml`], summary: { readiness: 50 } }] },
    }) as unknown as CheckResult;

  it('matches rules by id across a move, else by path and title; lists rules added and removed', () => {
    const a = run([
      { id: 'x', title: 'X', path: 'old/x.yml', verdict: 'ready' },
      { title: 'No id', path: 'n.yml', verdict: 'ready' },
      { id: 'gone', title: 'Gone', path: 'g.yml', verdict: 'ready' },
    ]);
    const b = run([
      { id: 'x', title: 'X renamed', path: 'new/x.yml', verdict: 'partial' },
      { title: 'No id', path: 'n.yml', verdict: 'ready' },
      { id: 'new', title: 'New', path: 'w.yml', verdict: 'blocked' },
    ]);
    const d = diffRuns(a, b);
    expect(d.hosts[0]!.changes).toEqual([
      expect.objectContaining({ rule: { id: 'x', title: 'X renamed', path: 'new/x.yml' }, from: 'ready', to: 'partial', lost: true }),
    ]);
    expect(d.rulesAdded.map((r) => r.id)).toEqual(['new']);
    expect(d.rulesRemoved.map((r) => r.id)).toEqual(['gone']);
    expect(d.summary.rulesCompared).toBe(2);
  });

  it('hosts by name (case-insensitive); one host on each side with different names is paired and said', () => {
    const a = run([{ id: 'x', title: 'X', path: 'x.yml', verdict: 'ready' }], 'ws-1');
    expect(diffRuns(a, run([{ id: 'x', title: 'X', path: 'x.yml', verdict: 'ready' }], 'WS-1')).notes).toEqual([]);
    const d = diffRuns(a, run([{ id: 'x', title: 'X', path: 'x.yml', verdict: 'blocked' }], 'other'));
    expect(d.hosts[0]).toMatchObject({ name: 'other', oldName: 'ws-1' });
    expect(d.notes[0]).toMatch(/each run has one host/);
    expect(d.summary.lost).toBe(1);
  });

  it('a run without hosts against one with hosts compares no host and says so (never a silent pass)', () => {
    const a = run([{ id: 'x', title: 'X', path: 'x.yml', verdict: 'ready' }]);
    const bare = { ...a, readiness: undefined } as CheckResult;
    const d = diffRuns(a, bare);
    expect(d.hosts).toEqual([]);
    expect(d.notes.join()).toMatch(/new run has no per-host verdicts/);
  });
});
