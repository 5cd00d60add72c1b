import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { buildGuides, guideIndex } from '../../src/generate/guides.js';
import { ROOT, runCli } from '../helpers.js';

const DOCS = join(ROOT, 'rules-documentation');
const catalog = loadCatalog();

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory()
      ? filesUnder(p, base)
      : [
          p
            .slice(base.length + 1)
            .split('\\')
            .join('/'),
        ];
  });
}

describe('log-source guides', () => {
  it('the committed guides are in sync with data/ (regenerate: npm run guides)', () => {
    const guides = buildGuides(catalog);
    const committed = filesUnder(join(DOCS, 'logsource-guides')).sort();
    expect(committed).toEqual(guides.map((g) => g.path).sort());
    for (const g of guides) expect(readFileSync(join(DOCS, 'logsource-guides', g.path), 'utf8'), g.path).toBe(g.text);
    expect(readFileSync(join(DOCS, 'README.md'), 'utf8')).toBe(guideIndex(catalog, 'logsource-guides/'));
  });

  it('one guide per catalog log source, with setup commands', () => {
    const guides = buildGuides(catalog);
    expect(guides).toHaveLength(catalog.logsources.length + 1);
    const security = guides.find((g) => g.path === 'windows/service/taskscheduler.md')!.text;
    expect(security).toContain('wevtutil sl "Microsoft-Windows-TaskScheduler/Operational" /e:true');
    const ps = guides.find((g) => g.path === 'windows/category/ps_script.md')!.text;
    expect(ps).toContain('HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging\\EnableScriptBlockLogging = 1');
  });

  it('with --rules, each guide counts the rules that use it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-guides-'));
    const r = runCli(['guides', '--out', dir, '--rules', 'examples/rules']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'windows', 'service', 'security.md'), 'utf8')).toContain('Rules of the given rule set using this log source: **4**.');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(
      /\| \[process_creation\]\(windows\/category\/process_creation.md\) \| Process creation \| 2 \|/,
    );
  });
});
