import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CORPUS, HAVE_CORPUS, runCli } from '../helpers.js';

const page = (args: string[]) => {
  const r = runCli([...args, '--format', 'html']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const VERDICT_ORDER = ['blocked', 'partial', 'unknown', 'ready', 'not-applicable'];
const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational', ''];

describe('HTML rules table', () => {
  it.skipIf(!HAVE_CORPUS)('is sorted least ready first, then highest level, and every row carries the sort keys', () => {
    const html = page([join(CORPUS, 'sigmahq', 'rules', 'windows', 'builtin'), '--gpresult', 'examples/hosts/ws-0142-gpresult.xml']);
    const rows = [
      ...html.matchAll(/<tr data-v="([^"]*)" data-ls="[^"]*" data-level="([^"]*)" data-win="1">[\s\S]*?<td data-k="(\d+)">[\s\S]*?<td data-k="(\d+)">/g),
    ];
    expect(rows.length).toBeGreaterThan(20);
    const keys = rows.map((m) => [Math.min(...(m[1] as string).split(' ').map((v) => VERDICT_ORDER.indexOf(v))), LEVEL_ORDER.indexOf(m[2] as string)] as const);
    // Several verdicts and levels are present, so the order is a real test.
    expect(new Set(keys.map((k) => k[0])).size).toBeGreaterThan(2);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1] as readonly [number, number], keys[i] as readonly [number, number]];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]), `row ${i}: ${a.join(',')} then ${b.join(',')}`).toBe(true);
    }
    // The data-k of the level and verdict cells are what the column sort compares.
    for (const m of rows) expect(Number(m[3])).toBe(LEVEL_ORDER.indexOf(m[2] as string) === -1 ? 5 : LEVEL_ORDER.indexOf(m[2] as string));
    expect(html).toContain('least ready first, then highest level');
    expect(html).toContain('c.dataset.k !== undefined ? Number(c.dataset.k)');
  });

  it('says Sysmon as the XML block only, no paragraph around it', () => {
    const html = page(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml']);
    expect(html).toMatch(/<li><b>Fix(es)? [\d–, ]+:<\/b> Sysmon config<pre><code>&lt;\w+ onmatch="exclude"\/&gt;/);
    expect(html).not.toContain('install Sysmon with a config that logs');
  });
});
