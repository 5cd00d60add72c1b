/**
 * --baseline FILE (check) and `baseline FILE` (issue 28): a baseline of one's own in the shipped schema, validated
 * by the same code as data/baselines with one line per problem naming the file and the place; the example profile
 * examples/baselines/cis-l1-style.yaml. Host input: the real CIS member server gpresult
 * (test/fixtures/real/gpresult/SOURCES.md).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBaselineFile, loadBaselineFile, BaselineFileError } from '../../src/catalog/baseline-file.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCli } from '../helpers.js';

const EXAMPLE = 'examples/baselines/cis-l1-style.yaml';
const MEMBER = 'test/fixtures/real/gpresult/member-cis-ms01-2023.xml';
const RULES = 'test/fixtures/fixbudget/rules';
const catalog = loadCatalog();
const dir = mkdtempSync(join(tmpdir(), 'lsc-baseline-file-'));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('a baseline file of your own', { timeout: 60_000 }, () => {
  it('the example profile loads, says it is not CIS text, and every setting names a Microsoft source', () => {
    const [b, ...rest] = loadBaselineFile(EXAMPLE, catalog);
    expect(rest).toEqual([]);
    expect(b!.title).toMatch(/in the style of a CIS Level 1 profile .*not CIS text/);
    expect(readFileSync(EXAMPLE, 'utf8')).toMatch(/It is NOT CIS text and not a CIS\s+# benchmark/);
    expect(b!.audit.length).toBeGreaterThan(10);
    for (const s of [...b!.audit, ...b!.logs, ...b!.policies]) expect(s.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    expect(b!.covers).toEqual(['audit', 'logs', 'policies']);
  });

  it('baseline FILE compares a host with it setting by setting', () => {
    const r = runCli(['baseline', EXAMPLE, '--gpresult', MEMBER, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(JSON.stringify(doc)).toContain('example-org-member-server-l1-style');
    // The host's "17 Advanced Audit Policy" GPO sets Process Creation Success, which the profile requires.
    expect(r.stdout).toMatch(/Audit Process Creation/);
    const table = runCli(['baseline', EXAMPLE, '--gpresult', MEMBER]);
    expect(table.stdout).toMatch(/Host CIS-MS01: \d+ of \d+ required settings met/);
  });

  it('check --baseline FILE sits beside a shipped baseline name (repeatable)', () => {
    const r = runCli([RULES, '--baseline', EXAMPLE, '--baseline', 'microsoft-client']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('example-org-member-server-l1-style');
    expect(r.stdout).toContain('microsoft-client');
  });

  it('every problem is one line naming the file and the place; the file is not used; exit 2', () => {
    const bad = write(
      'bad.yaml',
      [
        'baselines:',
        '  - name: Bad Name',
        '    title: t',
        'publisher: p',
        'version: "1"',
        'source: http://example.invalid',
        'covers: [audit, stuff]',
        'audit:',
        '  - { guid: "{0CCE9999-69AE-11D9-BED3-505054503030}", name: X, success: yes, failure: true }',
        '',
      ].join('\n'),
    );
    for (const args of [
      ['baseline', bad, '--gpresult', MEMBER],
      [RULES, '--baseline', bad],
    ]) {
      const r = runCli(args);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toEqual([
        `logsource-check: ${bad}: top level source "http://example.invalid" is not an https URL`,
        `logsource-check: ${bad}: baselines[0] name "Bad Name" is not a lower-case slug`,
        `logsource-check: ${bad}: top level covers "stuff" is not one of audit, logs, policies, channels`,
        `logsource-check: ${bad}: audit[0] unknown audit subcategory {0CCE9999-69AE-11D9-BED3-505054503030}`,
        `logsource-check: ${bad}: audit[0] success "yes" is not true, false or any`,
        `logsource-check: ${bad}: 5 problem(s): not a usable baseline file (schema: data/README.md, "baselines/")`,
      ]);
      expect(r.stdout).toBe('');
    }
  });

  it('unreadable or non-YAML files, and aliases past the bound, are one line, exit 2', () => {
    const cases: [string, RegExp][] = [
      [join(dir, 'absent.yaml'), /absent\.yaml: cannot read: ENOENT/],
      [write('tabs.yaml', 'baselines:\n\t- x: [\n'), /tabs\.yaml: not YAML/],
      [
        write('laughs.yaml', `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 120 }, (_, i) => `k${i}: [*a, *a]`).join('\n')}\n`),
        /laughs\.yaml: not YAML/,
      ],
      // A directory is neither a file nor a .yaml name: taken as a baseline name, unknown.
      [dir, /unknown baseline/],
    ];
    for (const [file, message] of cases) {
      const r = runCli(['baseline', file, '--gpresult', MEMBER]);
      expect(r.status, file).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('a value is a file when it exists as one or ends in .yaml/.yml; shipped names stay names', () => {
    expect(isBaselineFile(EXAMPLE)).toBe(true);
    expect(isBaselineFile('not-there.yml')).toBe(true);
    expect(isBaselineFile('microsoft-client')).toBe(false);
    expect(() => loadBaselineFile(join(dir, 'nothing.yaml'), catalog)).toThrow(BaselineFileError);
  });
});
