import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARGS = ['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];
const html = (extra: string[] = []) => {
  const r = runCli([...ARGS, '--format', 'html', ...extra], { env: { SOURCE_DATE_EPOCH: '1795737600' } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('HTML report', () => {
  it('is one self-contained page for a manager: who, when, what; headline; log sources; fixes; hosts; rules to filter', () => {
    const page = html();
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // nothing fetched
    expect(page).toContain('<title>logsource-check: WS-0142 (2026-11-27)</title>');
    expect(page).toMatch(/<dt>Made<\/dt><dd>2026-11-27<\/dd>/);
    expect(page).toMatch(/<dt>Tool<\/dt><dd>logsource-check \d+\.\d+\.\d+, catalog [0-9a-f]{12}<\/dd>/);
    expect(page).toContain('<dt>Rules</dt><dd>examples/rules</dd>');
    expect(page).toContain('<dt>Host inputs</dt><dd>ws-0142-gpresult.xml</dd>');
    expect(page).toContain('<h2>Readiness per Windows log source</h2>');
    expect(page).toContain('<h2>Top fixes</h2>');
    // Human names, not ids; commands in code blocks.
    expect(page).not.toMatch(/>sysmon:\d+</);
    expect(page).toMatch(/<pre><code>(&lt;\w+ onmatch="exclude"\/&gt;\n?)+<\/code><\/pre>/);
    expect(page).toMatch(/<h2>What the inputs do not show, and warnings<\/h2>[\s\S]*Security log is capped/);
    // The linux rule is in the table but hidden until "other products" is ticked.
    expect(page).toMatch(/<tr data-v="out-of-scope" data-ls="linux[^"]*" data-level="[^"]*" data-win="0" hidden>/);
    expect(page).toContain('<option value="out-of-scope">out-of-scope</option>');
    expect(page).not.toMatch(/<tr data-v="unknown" data-ls="linux/);
    expect(page).toMatch(/<select id="f-verdict">[\s\S]*<option value="ready">/);
    expect(page).toContain('<input id="f-search" type="search"');
  });

  it('rule data cannot break out of the page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-html-x-'));
    writeFileSync(
      join(dir, 'x.yml'),
      'title: "</td><script>alert(1)</script>"\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n',
    );
    const r = runCli([dir, '--format', 'html']);
    expect(r.stdout).not.toContain('<script>alert(1)');
    expect(r.stdout).toContain('&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it.skipIf(!CHROMIUM)('renders in headless Chromium at 1,280 px: no horizontal overflow, filters work (DOM asserted, screenshot)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-html-'));
    const page = html();
    const json = JSON.parse(runCli([...ARGS, '--format', 'json']).stdout);
    // The probe is added to the test's copy only: it measures the laid-out page and exercises the filters.
    const probe = `<script>window.addEventListener('load', function () {
      var rows = function () { return Array.prototype.filter.call(document.querySelectorAll('#rules tbody tr'), function (r) { return !r.hidden; }).length; };
      var out = { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, headline: document.getElementById('headline').textContent, all: rows() };
      var v = document.getElementById('f-verdict'); v.value = 'ready'; v.dispatchEvent(new Event('change')); out.ready = rows();
      v.value = ''; v.dispatchEvent(new Event('change'));
      var o = document.getElementById('f-other'); o.checked = true; o.dispatchEvent(new Event('change')); out.withOther = rows();
      var s = document.getElementById('f-search'); s.value = 'certutil'; s.dispatchEvent(new Event('input')); out.search = rows();
      out.count = document.getElementById('f-count').textContent;
      document.body.setAttribute('data-probe', JSON.stringify(out));
    });</script>`;
    const file = join(dir, 'report.html');
    writeFileSync(file, page.replace('</body>', `${probe}</body>`));
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--hide-scrollbars',
      '--window-size=1280,1600',
      '--virtual-time-budget=3000',
    ];
    const dom = spawnSync(CHROMIUM as string, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    const m = /data-probe="([^"]*)"/.exec(dom.stdout);
    expect(m, dom.stderr).not.toBeNull();
    const probeOut = JSON.parse((m?.[1] ?? '{}').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    expect(probeOut.inner).toBe(1280);
    expect(probeOut.scroll).toBeLessThanOrEqual(1280); // no horizontal scroll bar
    expect(probeOut.headline).toBe(`${json.readiness.verdicts.readiness}% of applicable Windows rules ready`);
    const windows = json.rules.filter((r: { windows: boolean }) => r.windows).length;
    expect(probeOut.all).toBe(windows);
    expect(probeOut.ready).toBe(json.rules.filter((r: { verdict?: string }) => r.verdict === 'ready').length);
    expect(probeOut.withOther).toBe(json.rules.length);
    expect(probeOut.search).toBe(json.rules.filter((r: { title: string; path: string }) => /certutil/i.test(r.title + r.path)).length);
    expect(probeOut.count).toBe(String(probeOut.search));

    const shot = join(dir, 'report.png');
    writeFileSync(join(dir, 'plain.html'), page);
    const s = spawnSync(CHROMIUM as string, [...flags.slice(0, -1), `--screenshot=${shot}`, `file://${join(dir, 'plain.html')}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(s.status, s.stderr).toBe(0);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    // Keep the README's screenshot current when asked to: UPDATE_SCREENSHOT=1 npm test
    if (process.env['UPDATE_SCREENSHOT'])
      spawnSync(CHROMIUM as string, [
        ...flags.slice(0, -1),
        `--screenshot=${join(process.cwd(), 'examples', 'report.png')}`,
        `file://${join(dir, 'plain.html')}`,
      ]);
  });
});
if (!CHROMIUM) console.warn("SKIPPED headless Chromium rendering: install Debian's chromium package to run it");
