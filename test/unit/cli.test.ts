import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

describe('CLI', () => {
  it('npm start: runs on the bundled examples and lists the broken file', () => {
    const r = runCli(['examples/rules']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/14 rules scanned \(14 files\) · 12 Windows · 12 resolved · 1 out of scope · 1 correlations · 1 errors/);
    // The Linux rule is out of scope, not unknown: the first line has no unknown count when every Windows rule resolves.
    expect(r.stdout.split('\n')[0]).not.toMatch(/unknown|unresolved/);
    expect(r.stdout).toContain('Sysmon ProcessCreate (EID 1)');
    expect(r.stdout).toContain('auditpol /set /subcategory:{0CCE9215-69AE-11D9-BED3-505054503030} /success:enable');
    expect(r.stdout).toMatch(/examples\/rules\/windows\/broken_rule.yml: YAML error at line \d+/);
    expect(r.stdout).toContain('1 rule for other products is out of scope (linux 1)');
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('JSON report: documented shape, alternatives per rule', () => {
    const r = runCli(['examples/rules', '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(2);
    expect(j.summary).toMatchObject({ rulesScanned: 14, windowsRules: 12, resolved: 12, unknown: 0, outOfScope: 1, correlations: 1 });
    expect(Object.keys(j)).toEqual(['schemaVersion', 'tool', 'summary', 'requirements', 'rules', 'errors', 'notes']);
    const certutil = j.rules.find((x: { title: string }) => x.title === 'Certutil Used To Download A File');
    expect(certutil).toMatchObject({
      path: 'examples/rules/windows/proc_creation_certutil_download.yml',
      level: 'high',
      status: 'test',
      logsource: { product: 'windows', category: 'process_creation' },
    });
    expect(certutil.alternatives).toEqual([['sysmon:1'], ['audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success', 'policy:process-creation-command-line']]);
    const hash = j.rules.find((x: { title: string }) => x.title.includes('Hash Match'));
    expect(hash.alternatives).toEqual([['sysmon:1']]);
    const req = j.requirements.find((q: { id: string }) => q.id === 'sysmon:1');
    expect(req).toMatchObject({ kind: 'sysmon', name: 'Sysmon EID 1 ProcessCreate', rules: 2, essentialFor: 1 });
    expect(j.errors).toEqual([{ path: 'examples/rules/windows/broken_rule.yml', message: expect.stringMatching(/YAML error/) }]);
    const linux = j.rules.find((x: { logsourceKey: string }) => x.logsourceKey.startsWith('linux'));
    expect(linux.unknownReason).toBe('not a Windows rule (product: linux)');
    expect(linux.verdict).toBeUndefined(); // no host: no verdict in the JSON (the CSV says out-of-scope)
    expect(j.summary.logsources.find((l: { logsource: string }) => l.logsource.startsWith('linux'))).toMatchObject({ resolved: false, outOfScope: true });
  });

  it('Markdown report and --output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-cli-'));
    const out = join(dir, 'report.md');
    const r = runCli(['examples/rules', '--format', 'markdown', '--output', out, '--verbose']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('## Requirements');
    expect(md).toContain('| Sysmon EID 1 ProcessCreate | `sysmon:1` | 2 | 1 |');
    expect(md).toContain('## Rules');
    // for a PR comment the long sections fold
    expect(md).toMatch(/## Requirements\n\n<details>\n<summary>\d+ requirement\(s\): what each is and how to turn it on<\/summary>\n\n\| Requirement/);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    const host = runCli(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml', '--format', 'markdown']).stdout;
    expect(host.indexOf('## Ranked fixes')).toBeLessThan(host.indexOf('## Requirements'));
  });

  it('--verbose lists each rule with its alternatives', () => {
    const r = runCli(['examples/rules/windows/security_brute_force_then_success.yml', '--verbose']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/either: .*Audit Logon — Success/);
    expect(r.stdout).toMatch(/or: Audit Logon — Failure \+ Audit Logon — Success|either: Audit Logon — Failure \+ Audit Logon — Success/);
  });

  it('filters by status, level and glob', () => {
    const j = (args: string[]) => JSON.parse(runCli(['examples/rules', '--format', 'json', ...args]).stdout);
    expect(j(['--min-status', 'stable']).summary.rulesScanned).toBe(2);
    expect(j(['--min-level', 'high']).rules.every((r: { level: string }) => ['high', 'critical'].includes(r.level))).toBe(true);
    expect(j(['--include', 'security_*']).summary.rulesScanned).toBe(3);
    expect(j(['--exclude', '**/windows/**']).summary.rulesScanned).toBe(1);
  });

  it('exit 2 with one clear line for unusable invocations', () => {
    const cases: [string[], RegExp][] = [
      [['no/such/dir'], /no such file or directory: no\/such\/dir/],
      [['examples/rules', '--min-level', 'urgent'], /--min-level must be one of/],
      [['examples/rules', '--format', 'xml'], /argument 'xml' is invalid/],
      [['examples/rules', '--bogus'], /unknown option '--bogus'/],
      [['examples/rules', '--min-status', 'stable', '--min-level', 'critical', '--include', 'nothing*'], /no Sigma rule found/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('a directory with a symlink loop, an unreadable file and a broken rule: exit 0, each reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-bad-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(
      join(dir, 'rules/good.yml'),
      'title: ok\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}\n',
    );
    writeFileSync(join(dir, 'rules/broken.yml'), 'title: [unclosed\n');
    symlinkSync('.', join(dir, 'rules/loop'));
    if (process.platform === 'linux') symlinkSync('/proc/self/mem', join(dir, 'rules/unreadable.yml'));
    writeFileSync(join(dir, 'rules/locked.yml'), 'title: x\n');
    chmodSync(join(dir, 'rules/locked.yml'), 0o000);
    const r = runCli(['rules'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rules\/broken.yml: YAML error/);
    expect(r.stdout).toMatch(/rules\/loop: symbolic link loop/);
    if (process.platform === 'linux') expect(r.stdout).toMatch(/rules\/unreadable.yml: resolves to \/proc\/.*: not read/);
    expect(r.stdout).toMatch(/1 rules scanned/);
  });

  it('--help shows an example, --version the version', () => {
    const h = runCli(['check', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('$ logsource-check rules/windows');
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('cache dir / cache clear: the cache a run fills is emptied, and a second clear finds nothing', () => {
    const env = { LOGSOURCE_CHECK_CACHE_DIR: mkdtempSync(join(tmpdir(), 'lsc-cache-cli-')) };
    expect(runCli(['cache', 'dir'], { env }).stdout.trim()).toBe(env.LOGSOURCE_CHECK_CACHE_DIR);
    expect(runCli(['examples/rules'], { env }).status).toBe(0);
    const first = runCli(['cache', 'clear'], { env });
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^removed [1-9]\d* cache file\(s\) from /);
    expect(runCli(['cache', 'clear'], { env }).stdout).toMatch(/^removed 0 cache file\(s\)/);
  });
});
