/**
 * Hardening, round 3: no output is written through a symbolic link (a link committed in a rule repository
 * that CI checks out would send it anywhere), and the parse cache is an input like any other — a cache root
 * that is a link or writable by others is not used, and a shard beyond LIMITS.cache is discarded, not trusted.
 * Each run is bounded to 10 s.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers.js';

const GP = join(ROOT, 'test/fixtures/environment/gpresult-ps7.xml');
const PROBE = join(ROOT, 'bench/rss-probe.mjs');
/** A test makes a few runs, each bounded to 10 s: a busy machine may need more than vitest's default 5 s. */
const TEST_MS = 60_000;

/** The CLI in a child process with a 10 s bound and its own cache; `rss` preloads the RSS probe. */
function bounded(args: string[], env: Record<string, string> = {}, rss = false) {
  const r = spawnSync(process.execPath, [...(rss ? ['--import', PROBE] : []), CLI, ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, NO_COLOR: '1', LOGSOURCE_CHECK_CACHE_DIR: join(dir(), 'cache'), ...env },
    maxBuffer: 1 << 28,
  });
  const mb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? '')?.[1] ?? 0) / 1024;
  return { status: r.status, stdout: r.stdout, stderr: rss ? r.stderr.replace(/\n(BENCH_\w+=\d+\n)+$/, '') : r.stderr, signal: r.signal, mb };
}
/** A fresh folder by its real path (the tests' own paths must hold no link, as on macOS /tmp would). */
const dir = () => realpathSync(mkdtempSync(join(tmpdir(), 'lsc-links-')));
/** A folder `real` and a link `link` to it in a fresh folder. */
function linked() {
  const d = dir();
  mkdirSync(join(d, 'real'));
  symlinkSync(join(d, 'real'), join(d, 'link'));
  return { d, real: join(d, 'real'), link: join(d, 'link') };
}
/** One line on stderr that names the link and what to pass instead. */
function refusedOnce(stderr: string, link: string) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toContain(`${link} is a symbolic link`);
  expect(lines[0]).toMatch(/pass the resolved path \S+ to write there/);
}
const listAll = (d: string): string[] => readdirSync(d, { recursive: true }) as string[];

describe('no output through a link', () => {
  it(
    'fix --out: a link at the end of the path or in its middle is refused (exit 2, one line); nothing lands in its target',
    () => {
      const { real, link } = linked();
      for (const out of [link, join(link, 'remediation')]) {
        const r = bounded(['fix', join(ROOT, 'examples/rules'), '--gpresult', GP, '--out', out]);
        expect(r.signal).toBeNull();
        expect(r.status).toBe(2);
        refusedOnce(r.stderr, link);
        expect(r.stderr).toContain(`cannot write into ${out}`);
      }
      expect(listAll(real)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'fix --out: the resolved path of the same folder is written',
    () => {
      const { real, link } = linked();
      const refused = bounded(['fix', join(ROOT, 'examples/rules'), '--gpresult', GP, '--out', join(link, 'remediation')]);
      const resolved = /pass the resolved path (\S+) to write there/.exec(refused.stderr)?.[1];
      expect(resolved).toBe(join(real, 'remediation'));
      const r = bounded(['fix', join(ROOT, 'examples/rules'), '--gpresult', GP, '--out', resolved as string]);
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(join(real, 'remediation'))).toContain('enable-audit.cmd');
    },
    TEST_MS,
  );

  it(
    'guides --out and --index: through a link refused, nothing written; the resolved path works',
    () => {
      const { real, link } = linked();
      for (const args of [
        ['--out', join(link, 'guides')],
        ['--out', link],
        ['--out', join(dir(), 'g'), '--index', join(link, 'README.md')],
      ]) {
        const r = bounded(['guides', ...args]);
        expect(r.signal).toBeNull();
        expect(r.status).toBe(2);
        refusedOnce(r.stderr, link);
      }
      expect(listAll(real)).toEqual([]);
      const ok = bounded(['guides', '--out', join(real, 'guides'), '--index', join(real, 'README.md')]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(existsSync(join(real, 'README.md'))).toBe(true);
    },
    TEST_MS,
  );

  it(
    'check -o: a report into a linked folder (the folder itself, or one above it) is refused; nothing written',
    () => {
      const { real, link } = linked();
      mkdirSync(join(real, 'reports'));
      for (const out of [join(link, 'report.json'), join(link, 'reports', 'report.json')]) {
        const r = bounded([join(ROOT, 'examples/rules'), '--format', 'json', '-o', out]);
        expect(r.signal).toBeNull();
        expect(r.status).toBe(2);
        refusedOnce(r.stderr, link);
        expect(r.stderr).toContain(`pass the resolved path ${out.replace(link, real)} to write there`);
      }
      expect(listAll(real)).toEqual(['reports']);
      const ok = bounded([join(ROOT, 'examples/rules'), '--format', 'json', '-o', join(real, 'reports', 'report.json')]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(real, 'reports', 'report.json'), 'utf8')).summary.rulesScanned).toBeGreaterThan(0);
    },
    TEST_MS,
  );

  it(
    'a relative -o path is resolved from the working directory, which holds no link',
    () => {
      const d = dir();
      const r = spawnSync(process.execPath, [CLI, join(ROOT, 'examples/rules'), '-o', 'report.txt'], {
        cwd: d,
        encoding: 'utf8',
        timeout: 10_000,
        env: { ...process.env, LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(d, 'report.txt'))).toBe(true);
    },
    TEST_MS,
  );
});

describe('the parse cache is an input', () => {
  const rules = join(ROOT, 'examples/rules/windows');

  it(
    'a cache root that is a link, or a shard folder that is one, is not used: one note, nothing written through it',
    () => {
      const { d, real, link } = linked();
      const r = bounded([rules], { LOGSOURCE_CHECK_CACHE_DIR: link });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(`logsource-check: note: ${link}: the parse cache directory is a symbolic link: not used, this run goes without the cache\n`);
      expect(listAll(real)).toEqual([]);

      mkdirSync(join(d, 'cache'));
      symlinkSync(real, join(d, 'cache', 'rules-v2'));
      const s = bounded([rules, '--format', 'json'], { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') });
      expect(s.status).toBe(0);
      expect(s.stderr).toMatch(/^logsource-check: note: \S+\/cache\/rules-v2: the parse cache's shard folder is a symbolic link: not used/);
      expect(JSON.parse(s.stdout).notes).toEqual(expect.arrayContaining([expect.objectContaining({ path: join(d, 'cache', 'rules-v2') })]));
      expect(listAll(real)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'cache clear: a shard folder that is a link removes nothing where it points (exit 2, one line)',
    () => {
      const { d, real } = linked();
      writeFileSync(join(real, 'config.json'), '{}');
      mkdirSync(join(d, 'cache'));
      symlinkSync(real, join(d, 'cache', 'rules-v2'));
      const r = bounded(['cache', 'clear'], { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`logsource-check: ${join(d, 'cache', 'rules-v2')} is a symbolic link: nothing removed through it\n`);
      expect(readdirSync(real)).toEqual(['config.json']);
    },
    TEST_MS,
  );

  it(
    'a cache root writable by others is not used (anyone could choose what the next run reads)',
    () => {
      const d = dir();
      mkdirSync(join(d, 'cache'));
      chmodSync(join(d, 'cache'), 0o777);
      const r = bounded([rules], { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') });
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/note: .*\/cache: the parse cache directory is writable by every user \(mode 777\): not used/);
      expect(readdirSync(join(d, 'cache'))).toEqual([]);
      // created by the program: owner-only, used without a note
      const own = bounded([rules], { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'new', 'cache') });
      expect(own.stderr).toBe('');
      expect(readdirSync(join(d, 'new', 'cache', 'rules-v2')).length).toBeGreaterThan(0);
    },
    TEST_MS,
  );

  it(
    'a shard with a 5 MB title is discarded with a note and rebuilt; the run stays under 300 MB',
    () => {
      const d = dir();
      cpSync(rules, join(d, 'rules'), { recursive: true });
      const env = { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') };
      expect(bounded([join(d, 'rules')], env).status).toBe(0);
      const folder = join(d, 'cache', 'rules-v2');
      const name = readdirSync(folder).find((n) => !n.endsWith('.res.json')) as string;
      const shard = JSON.parse(readFileSync(join(folder, name), 'utf8'));
      const rec = Object.values(shard.files as Record<string, [unknown, string, number, { rules: { kind: string; title: string }[] }]>).find(
        (r) => r[3].rules[0]?.kind === 'rule',
      );
      (rec as [unknown, string, number, { rules: { title: string }[] }])[3].rules[0]!.title = '<'.repeat(5_000_000);
      writeFileSync(join(folder, name), JSON.stringify(shard));
      // Without the bound, escaping this title in every place an HTML report shows it took ≈ 400 MB.
      const r = bounded([join(d, 'rules'), '--gpresult', GP, '--format', 'html', '--verbose'], env, true);
      expect(r.signal).toBeNull();
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(
        `logsource-check: note: ${join(folder, name)}: the record of "${Object.keys(shard.files).find((k) => shard.files[k] === rec)}" holds a text of 5000000 characters, more than the 4096 a cached text may have (limit): cache shard discarded, rebuilt from the rules\n`,
      );
      expect(r.stdout).not.toContain('&lt;'.repeat(100));
      expect(r.mb).toBeGreaterThan(0);
      expect(r.mb).toBeLessThan(300);
      // rebuilt: the next run reads it without a note
      expect(readFileSync(join(folder, name), 'utf8')).not.toContain('<'.repeat(100));
      expect(bounded([join(d, 'rules')], env).stderr).toBe('');
    },
    TEST_MS,
  );

  it(
    'a shard over the size limit is discarded with a note, not read',
    () => {
      const d = dir();
      cpSync(rules, join(d, 'rules'), { recursive: true });
      const env = { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') };
      bounded([join(d, 'rules')], env);
      const folder = join(d, 'cache', 'rules-v2');
      const name = readdirSync(folder).find((n) => !n.endsWith('.res.json')) as string;
      writeFileSync(join(folder, name), Buffer.alloc(65 * 1048576, 0x20));
      const r = bounded([join(d, 'rules')], env);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(
        /note: \S+\.json: file is 65\.0 MB or more, more than the 64 MB such a file may be \(limit\): cache shard discarded, rebuilt from the rules\n$/,
      );
    },
    TEST_MS,
  );
});
