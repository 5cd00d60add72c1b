import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const html = () => {
  const r = runCli(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml', '--format', 'html']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('HTML report', () => {
  it('is one self-contained page: summary, chart, ranked fixes, sortable rule table', () => {
    const page = html();
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // nothing fetched
    expect(page).toContain('<svg role="img" aria-label="rules per log source by verdict"');
    expect(page).toContain('<h2>Ranked fixes</h2>');
    expect(page).toMatch(/<table id="rules">[\s\S]*Certutil Used To Download A File/);
    expect(page).toContain("addEventListener('click'");
  });

  it.skipIf(!CHROMIUM)('renders in headless Chromium (screenshot and DOM)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html());
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--hide-scrollbars', '--window-size=1280,1600'];
    const shot = join(dir, 'report.png');
    const s = spawnSync(CHROMIUM as string, [...flags, `--screenshot=${shot}`, `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    expect(s.status, s.stderr).toBe(0);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    const dom = spawnSync(CHROMIUM as string, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom.stdout).toContain('Ranked fixes');
    // Keep the README's screenshot current when asked to: UPDATE_SCREENSHOT=1 npm test
    if (process.env['UPDATE_SCREENSHOT']) spawnSync(CHROMIUM as string, [...flags, `--screenshot=${join(process.cwd(), 'examples', 'report.png')}`, `file://${file}`]);
  });
});
if (!CHROMIUM) console.warn('SKIPPED headless Chromium rendering: install Debian\'s chromium package to run it');
