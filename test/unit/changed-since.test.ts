/**
 * check --changed-since REF / --files-from FILE (issue 28): in a temporary git repository whose branch changes three
 * rule files (one modified and one added in commits, one added and not yet committed) and a README, SARIF results
 * are given for exactly those three files, every rule is still counted, and --fail-under gates the changed rules.
 * The rules are the hand-written ones of test/fixtures/fixbudget/rules; the host input is the real Server 2019 DC
 * auditpol capture (test/fixtures/real/auditpol/SOURCES.md), on which every one of them is blocked.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRef, ChangedError } from '../../src/rules/changed.js';
import { ROOT, runCli } from '../helpers.js';

const SRC = join(ROOT, 'test/fixtures/fixbudget/rules');
const AUDITPOL = join(ROOT, 'test/fixtures/real/auditpol/ws2019-dc-plain-utf16.txt');
const ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A copy of one fixture rule under a new id and title (a new rule file in the PR). */
function newRule(from: string, to: string, n: number): void {
  const text = readFileSync(join(SRC, from), 'utf8')
    .replace(/^id: .*$/m, `id: 0d1f2e3c-4b5a-4697-8899-aabbccddee0${n}`)
    .replace(/^title: (.*)$/m, `title: $1 (variant ${n})`);
  writeFileSync(to, text);
}

const uris = (sarif: string): string[] =>
  (JSON.parse(sarif).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[])
    .map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)
    .sort();

describe('--changed-since in a temporary git repository', { timeout: 120_000 }, () => {
  let repo = '';
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'lsc-changed-'));
    mkdirSync(join(repo, 'rules'));
    for (const f of readdirSync(SRC)) copyFileSync(join(SRC, f), join(repo, 'rules', f));
    writeFileSync(join(repo, 'README.md'), 'rules\n');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'rules');
    git(repo, 'checkout', '-q', '-b', 'pr');
    // 1: modified; 2: added and committed; 3: added, not committed (untracked); a README change that is no rule.
    const whoami = join(repo, 'rules', 'process_creation_whoami.yml');
    writeFileSync(whoami, readFileSync(whoami, 'utf8').replace('level: low', 'level: medium'));
    newRule('user_created.yml', join(repo, 'rules', 'user_created_variant.yml'), 1);
    writeFileSync(join(repo, 'README.md'), 'rules, changed\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pr');
    newRule('sched_task_created.yml', join(repo, 'rules', 'sched_task_untracked.yml'), 2);
  });

  const CHANGED = ['rules/process_creation_whoami.yml', 'rules/sched_task_untracked.yml', 'rules/user_created_variant.yml'];

  it('SARIF results for exactly the three changed rule files; every rule still read and counted', () => {
    const r = runCli(['rules', '--auditpol', AUDITPOL, '--changed-since', 'main', '--format', 'sarif'], { cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    expect(uris(r.stdout)).toEqual(CHANGED);
    expect(r.stderr).toContain('3 rule(s) in 4 changed file(s) since main: SARIF results and the gate cover only them');
    // Without the scope every blocked rule has a result: seven rule files.
    expect(uris(runCli(['rules', '--auditpol', AUDITPOL, '--format', 'sarif'], { cwd: repo }).stdout)).toHaveLength(7);
    const j = JSON.parse(runCli(['rules', '--auditpol', AUDITPOL, '--changed-since', 'main', '--format', 'json'], { cwd: repo }).stdout);
    expect(j.summary.rulesScanned).toBe(7);
    expect(j.changed).toEqual({ since: 'main', files: ['README.md', ...CHANGED].sort(), rules: 3 });
    expect(
      j.rules
        .filter((x: { changed?: true }) => x.changed)
        .map((x: { path: string }) => x.path)
        .sort(),
    ).toEqual(CHANGED);
  });

  it('the rule path may be given from outside the repository (absolute), and --files-from gives the same files', () => {
    const r = runCli([join(repo, 'rules'), '--auditpol', AUDITPOL, '--changed-since', 'main', '--format', 'sarif']);
    expect(r.status, r.stderr).toBe(0);
    expect(uris(r.stdout).map((u) => u.slice(u.indexOf('rules/')))).toEqual(CHANGED);
    const list = join(repo, '..', `${repo.split('/').pop()}-changed.txt`);
    writeFileSync(list, `# from git diff --name-only\n${CHANGED.join('\n')}\n\n`);
    const f = runCli(['rules', '--auditpol', AUDITPOL, '--files-from', list, '--format', 'sarif'], { cwd: repo });
    expect(f.status, f.stderr).toBe(0);
    expect(uris(f.stdout)).toEqual(CHANGED);
  });

  it('--fail-under gates the changed rules only; a PR that changes no rule has nothing to gate', () => {
    const r = runCli(['rules', '--auditpol', AUDITPOL, '--changed-since', 'main', '--fail-under', '50'], { cwd: repo });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/readiness of the changed rules below 50% on 1 host\(s\): ws2019-dc-plain-utf16\.txt 0%/);
    // HEAD against itself, the untracked file removed from the scope by listing only the README.
    const list = join(repo, '..', `${repo.split('/').pop()}-readme.txt`);
    writeFileSync(list, 'README.md\n');
    const none = runCli(['rules', '--auditpol', AUDITPOL, '--files-from', list, '--fail-under', '50', '--format', 'sarif'], { cwd: repo });
    expect(none.status, none.stderr).toBe(0);
    expect(uris(none.stdout)).toEqual([]);
  });

  it('unusable refs and places are one line, exit 2', () => {
    // A folder outside any git work tree (the temporary directory is not in one).
    const outside = mkdtempSync(join(tmpdir(), 'lsc-nogit-'));
    copyFileSync(join(SRC, 'user_created.yml'), join(outside, 'user_created.yml'));
    const cases: [string[], RegExp][] = [
      [['rules', '--changed-since', '--output=x'], /not a git ref/],
      [['rules', '--changed-since', 'no-such-branch'], /"no-such-branch" is no commit in/],
      [[outside, '--changed-since', 'main'], /is not in a git work tree/],
      [['rules', '--changed-since', 'main', '--files-from', 'x'], /not both/],
      [['rules', '--files-from', join(repo, 'absent.txt')], /--files-from .*absent\.txt: cannot read: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, { cwd: repo });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('checkRef refuses what git would take as an option', () => {
    for (const bad of ['-p', '--exec=x', 'a b', 'a..b', '', 'x\u0007']) expect(() => checkRef(bad), bad).toThrow(ChangedError);
    for (const ok of ['main', 'origin/main', 'HEAD~3', 'v1.2^{commit}', '0123abcd']) expect(() => checkRef(ok), ok).not.toThrow();
  });
});
