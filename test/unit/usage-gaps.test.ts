import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAVE_CORPUS, runCli } from '../helpers.js';
import { closestCommand } from '../../src/commands/suggest.js';
import { roleWithArticle } from '../../src/requirements/role-names.js';
import { howLines } from '../../src/report/text.js';
import type { RecommendationRow } from '../../src/result/result.js';

const GP = ['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];

describe('--role HOST= naming no host', () => {
  it('exits 2 with the hosts the inputs name; a known host is accepted', () => {
    const bad = runCli([...GP, '--role', 'DC02=dc']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('logsource-check: --role: no host named DC02 among the inputs (known: WS-0142)\n');
    expect(bad.stdout).toBe('');
    const good = runCli([...GP, '--role', 'ws-0142=dc']);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('host WS-0142, domain controller');
  });
  it('fix refuses it too, before writing anything', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lsc-role-')), 'out');
    const r = runCli(['fix', ...GP, '--role', 'DC02=dc', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no host named DC02');
  });
});

describe('a mistyped command', () => {
  it('chek: exit 2 with "Did you mean check?"', () => {
    const r = runCli(['chek', 'examples/rules']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('(Did you mean check?)');
    expect(runCli(['sysmon-confg', 'examples/rules']).stderr).toContain('(Did you mean sysmon-config?)');
  });
  it('a folder named like a typo is still a rule path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-typo-'));
    mkdirSync(join(dir, 'chek'));
    const r = runCli(['chek'], { cwd: dir });
    expect(r.stderr).not.toContain('Did you mean');
    expect(r.stderr).toContain('no Sigma rule found in chek');
  });
  it('suggests only near names', () => {
    const names = ['check', 'fix', 'sysmon-config', 'baseline', 'cache'];
    expect(closestCommand('chekc', names)).toBe('check');
    expect(closestCommand('baselin', names)).toBe('baseline');
    expect(closestCommand('rules', names)).toBeUndefined();
    expect(closestCommand('check', names)).toBeUndefined();
    expect(closestCommand('fox', names)).toBe('fix');
    expect(closestCommand('foo', names)).toBeUndefined();
  });
});

describe('role sentences', () => {
  it('take "a" or "an" and the role\'s name', () => {
    expect(roleWithArticle('exchange')).toBe('an Exchange server');
    expect(roleWithArticle('domain-controller')).toBe('a domain controller');
    expect(roleWithArticle('iis')).toBe('an IIS web server');
    expect(roleWithArticle('adfs')).toBe('an AD FS server');
    expect(roleWithArticle('dns-server')).toBe('a DNS server');
    expect(roleWithArticle('made-up-role')).toBe('a made up role');
  });
  it.skipIf(!HAVE_CORPUS)('in the report: requirement names and verdict reasons', () => {
    const r = runCli([
      join(CORPUS, 'sigmahq', 'rules', 'windows'),
      '--gpresult',
      'examples/hosts/ws-0142-gpresult.xml',
      '--role',
      'server',
      '--format',
      'json',
    ]);
    expect(r.stdout).toContain('"Host is an Exchange server"');
    expect(r.stdout).toContain('produced only on an Exchange server; this host is not one (--role server)');
    expect(r.stdout).not.toMatch(/\ba [aeiouAEIOU]\w* server\b/);
  });
});

describe('how lines follow the ranking', () => {
  const q = (id: string, extra: Partial<RecommendationRow['requires'][number]>) => ({
    id,
    name: id,
    state: 'off' as const,
    enable: `enable ${id}`,
    details: [],
    ...extra,
  });
  const rec = (rank: number, requires: RecommendationRow['requires']): RecommendationRow => ({
    rank,
    requires,
    unlocks: 10 - rank,
    hosts: 1,
    rules: [],
    volume: 'low',
    volumes: {},
  });
  const recs = [
    rec(1, [q('policy:a', {})]),
    rec(2, [q('audit:b', { command: 'auditpol /set b' })]),
    rec(3, [q('sysmon:7', { group: 'ImageLoad', xml: '<ImageLoad/>' })]),
    rec(4, [q('audit:c', { command: 'auditpol /set c' })]),
  ];
  it('pages (one command block) and the terminal list fixes in rank order', () => {
    expect(howLines(recs, { oneBlock: true }).map((h) => h.ranks)).toEqual([[1], [2, 4], [3]]);
    expect(howLines(recs).map((h) => h.ranks)).toEqual([[1], [2], [3], [4]]);
  });
});
