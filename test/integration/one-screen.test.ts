import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAVE_CORPUS, runCli } from '../helpers.js';

// The default table for the common case (SigmaHQ rules/ and one host) is one screen; the rest is in --verbose.
const RULES = join(CORPUS, 'sigmahq', 'rules');
const ARGS = [RULES, '--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];

describe.skipIf(!HAVE_CORPUS)('one screen: SigmaHQ rules/ with one gpresult', () => {
  const at = (columns: number) => runCli(ARGS, { env: { COLUMNS: String(columns) } }).stdout;
  const tableWidth = (text: string) => Math.max(...text.split('\n').filter((l) => /^[┌│└├]/.test(l)).map((l) => [...l].length));

  it('≤ 60 lines at 120 columns and ≤ 80 at 80, tables within the width', () => {
    const wide = at(120);
    const narrow = at(80);
    expect(wide.trimEnd().split('\n').length).toBeLessThanOrEqual(60);
    expect(narrow.trimEnd().split('\n').length).toBeLessThanOrEqual(80);
    expect(tableWidth(wide)).toBeLessThanOrEqual(119);
    expect(tableWidth(narrow)).toBeLessThanOrEqual(79);
    // Prose wraps too; only a word longer than the line (a URL) may stick out.
    for (const l of narrow.split('\n')) if ([...l].length > 79) expect(l.trim()).not.toContain(' ');
    expect(wide).toMatch(/^Readiness 61\.1% of 2,386 applicable Windows rules ready — ready 1,458 \(593 degraded\)/m);
    expect(wide).toMatch(/734 rules for other products are out of scope \(linux 210, azure 123/);
    expect(wide).not.toMatch(/linux\/category\/process_creation/); // non-Windows sources are one line, not rows
    expect(wide).toContain('Sysmon RegistryEvent (EID 12, 13, 14)'); // one fix per config element (issue 27)
    expect(wide).not.toMatch(/RegistryEvent \(EID 1[234](, 1[234])?\)/); // never split into two fixes
    expect(wide.match(/install Sysmon/g)).toHaveLength(1); // "how" said once
  });

  it('nothing is lost: --verbose lists every log source and every ranked fix', () => {
    const verbose = runCli([...ARGS, '--verbose']).stdout;
    const json = JSON.parse(runCli([...ARGS, '--format', 'json']).stdout);
    for (const l of json.summary.logsources) expect(verbose).toContain(l.logsource);
    for (const f of json.readiness.recommendations) expect(verbose).toContain(f.requires[0].name);
  });
});
if (!HAVE_CORPUS) console.warn('SKIPPED one-screen test: ../shared/corpus is absent');
