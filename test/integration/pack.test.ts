/**
 * Packaging as a user installs it: `npm pack` makes a tarball that installs globally into a fresh prefix and
 * runs (`logsource-check --version`, a check of the bundled examples). Needs the npm registry for the
 * dependencies (CI has it); it says so and skips when the registry cannot be reached.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('packaging', () => {
  it('npm pack → npm install -g in a temporary prefix → logsource-check runs, and a program imports the library from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-pack-'));
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz')) as string;
    expect(tgz).toBe(`logsource-check-${version}.tgz`);
    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, tgz)], { encoding: 'utf8', timeout: 180_000 });
    if (install.status !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(install.stderr)) {
      console.warn('SKIPPED npm install of the packed tarball: the npm registry cannot be reached');
      return;
    }
    expect(install.status, install.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'logsource-check');
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(version);
    const run = spawnSync(bin, [join(ROOT, 'examples/rules'), '--format', 'json', '--no-cache'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).summary.rulesScanned).toBeGreaterThan(10);
    // The library entry, as a program imports it from the installed package (src/index.ts, docs/api.md).
    const script = join(prefix, 'lib', 'use-library.mjs');
    writeFileSync(
      script,
      [
        "import { runCheck, renderJson, loadCatalog, VERSION, CatalogError } from 'logsource-check';",
        `const run = await runCheck([${JSON.stringify(join(ROOT, 'examples/rules'))}], { cacheDir: false });`,
        'const j = JSON.parse(renderJson(run.result));',
        'console.log(JSON.stringify({ version: VERSION, rules: j.summary.rulesScanned, subcategories: loadCatalog().subcategories.length, error: typeof CatalogError }));',
      ].join('\n'),
    );
    const lib = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(lib.status, lib.stderr).toBe(0);
    const out = JSON.parse(lib.stdout) as { version: string; rules: number; subcategories: number; error: string };
    expect(out).toMatchObject({ version, error: 'function' });
    expect(out.rules).toBeGreaterThan(10);
    expect(out.subcategories).toBeGreaterThan(50);
  }, 240_000);

  it('action.yml passes its inputs through the environment, never into the script text', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
      runs: { steps: { run?: string; env?: Record<string, string> }[] };
    };
    expect(Object.keys(action.inputs).sort()).toEqual(['changed-since', 'fail-under', 'hosts', 'rules', 'sarif']);
    const scripts = action.runs.steps.map((s) => s.run ?? '').join('\n');
    expect(scripts).not.toMatch(/\$\{\{\s*inputs\./);
    expect(action.runs.steps.some((s) => s.env?.['RULES'] === '${{ inputs.rules }}')).toBe(true);
    expect(action.runs.steps.some((s) => s.env?.['CHANGED_SINCE'] === '${{ inputs.changed-since }}')).toBe(true);
  });
});
