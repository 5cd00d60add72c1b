/** The public library API (src/index.ts, docs/api.md): what a program imports, and two runs in one process agree. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { ROOT, runCli } from '../helpers.js';

describe('library API', () => {
  it('exports the engine, the renderers, baselines and typed errors', () => {
    for (const name of [
      'runCheck',
      'loadCatalog',
      'loadEnvironment',
      'renderTable',
      'renderJson',
      'renderMarkdown',
      'renderCsv',
      'renderSarif',
      'renderHtml',
      'renderNavigator',
      'loadBaselines',
      'compareHost',
      'buildRemediation',
      'collectScript',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(new api.CatalogError(['x'])).toBeInstanceOf(Error);
    for (const name of ['LimitError', 'MappingError', 'OptionError', 'SysmonConfigError'])
      expect(new (api as unknown as Record<string, new (m: string) => Error>)[name]!('x')).toBeInstanceOf(Error);
  });

  it('two runs in one process give identical reports (no state carried between runs)', async () => {
    const run = () => api.runCheck([join(ROOT, 'examples/rules')], { cacheDir: false, environment: { host: [join(ROOT, 'examples/hosts/WS-0142')] } });
    const a = api.renderJson((await run()).result);
    const b = api.renderJson((await run()).result);
    expect(b).toBe(a);
    expect(JSON.parse(a).readiness.hosts[0].name).toBe('WS-0142');
  });
});

describe('the engine validates its inputs (typed errors; the CLI only formats them)', () => {
  it('a missing rule path, a missing host input, no usable host input: UnusableInputError naming it', async () => {
    await expect(api.runCheck([join(ROOT, 'no-such-rules')], { cacheDir: false })).rejects.toMatchObject({
      name: 'UnusableInputError',
      missing: [join(ROOT, 'no-such-rules')],
    });
    await expect(
      api.runCheck([join(ROOT, 'examples/rules')], { cacheDir: false, environment: { gpresult: [join(ROOT, 'no-such.xml')] } }),
    ).rejects.toBeInstanceOf(api.UnusableInputError);
    await expect(
      api.runCheck([join(ROOT, 'examples/rules')], {
        cacheDir: false,
        environment: { gpresult: [join(ROOT, 'examples/rules/windows/proc_creation_certutil_download.yml')] },
      }),
    ).rejects.toThrow(/no usable environment input/);
    // validate: false returns what the inputs gave
    const run = await api.runCheck([join(ROOT, 'no-such-rules')], { cacheDir: false, validate: false });
    expect(run.load.missing).toEqual([join(ROOT, 'no-such-rules')]);
  });

  it('the CLI turns it into one line and exit 2', () => {
    const r = runCli(['no-such-rules']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('logsource-check: no such file or directory: no-such-rules');
  });
});

describe('no process-wide side effects from the library', () => {
  it('no V8 flag or forced GC outside the CLI (src/commands/memory.ts)', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    const offenders = walk(join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith(join('commands', 'memory.ts')))
      .filter((f) => /setFlagsFromString|expose-gc|--expose_gc/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('runBaseline: the baseline pipeline as an engine function', () => {
  const gpresult = join(ROOT, 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml');
  it('compares the hosts of the inputs with a shipped baseline, as `baseline NAME` prints them', () => {
    const run = api.runBaseline({ baseline: 'microsoft-client', inputs: { gpresult: [gpresult] } });
    expect(run.groups).toHaveLength(1);
    expect(run.groups[0]!.baseline.name).toBe('microsoft-client');
    const [host] = run.groups[0]!.hosts;
    const cli = JSON.parse(runCli(['baseline', 'microsoft-client', '--gpresult', gpresult, '--format', 'json']).stdout);
    expect(JSON.stringify(cli)).toContain(host!.host);
    expect(cli.hosts[0].metPercent ?? cli.hosts[0].met).toBeDefined();
  });
  it('an unknown name, no host input, a missing path: UnusableInputError, not a result', () => {
    expect(() => api.runBaseline({ baseline: 'no-such-baseline', inputs: { gpresult: [gpresult] } })).toThrow(api.UnusableInputError);
    expect(() => api.runBaseline({ baseline: 'microsoft-client', inputs: {} })).toThrow(/needs a host input/);
    expect(() => api.runBaseline({ baseline: 'microsoft-client', inputs: { gpresult: ['no/such.xml'] } })).toThrow(api.UnusableInputError);
  });
});
