/**
 * Speed measures must be invisible in the results: the JSON report over the five main SigmaHQ folders is
 * byte-identical without the cache, with a cache being filled, with a warm cache (files taken from their
 * stat, unread; detections parsed only when the Sysmon simulation reads them), with the resolutions taken
 * from the cache too, and with the yaml package instead of the fast reader (LOGSOURCE_CHECK_YAML=package);
 * and with hosts, a Sysmon config and WEF subscriptions, the same with fast-xml-parser reading every XML file
 * (LOGSOURCE_CHECK_XML=library) as with the fast XML reader.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { renderJson } from '../../src/report/json.js';
import { buildResult } from '../../src/result/result.js';
import { resolveAll } from '../../src/requirements/resolve.js';
import { fastParser } from '../../src/cache/caching-parser.js';
import { loadRules } from '../../src/rules/load.js';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const have = corpusOrSkip('identical-report tests');
const MAIN = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'].map((d) => join(CORPUS, 'sigmahq', d));

describe.skipIf(!have)('the report does not depend on the cache', () => {
  it('CLI: --no-cache, cold cache and warm cache give the same bytes', () => {
    const cache = mkdtempSync(join(tmpdir(), 'lsc-identical-'));
    const env = { LOGSOURCE_CHECK_CACHE_DIR: cache };
    const none = runCli([...MAIN, '--format', 'json', '--no-cache']);
    expect(none.status, none.stderr).toBe(0);
    const cold = runCli([...MAIN, '--format', 'json'], { env });
    const warm = runCli([...MAIN, '--format', 'json'], { env });
    expect(cold.stdout === none.stdout).toBe(true);
    expect(warm.stdout === none.stdout).toBe(true);
    // The yaml package reading every file (LOGSOURCE_CHECK_YAML=package) instead of the fast reader.
    const pkg = runCli([...MAIN, '--format', 'json', '--no-cache'], { env: { LOGSOURCE_CHECK_YAML: 'package' } });
    expect(pkg.stdout === none.stdout).toBe(true);
  }, 120_000);

  it('CLI: the fast XML reader gives the report fast-xml-parser gives (LOGSOURCE_CHECK_XML=library)', () => {
    const env = join(ROOT, 'test', 'fixtures', 'environment');
    const args = [
      join(CORPUS, 'sigmahq', 'rules'),
      '--gpresult',
      env,
      '--host',
      join(ROOT, 'test', 'fixtures', 'snapshot'),
      '--sysmon',
      join(CORPUS, 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml'),
      '--collector',
      join(CORPUS, 'wef'),
      '--format',
      'json',
      '--no-cache',
    ];
    const fast = runCli(args);
    expect(fast.status, fast.stderr).toBe(0);
    expect(JSON.parse(fast.stdout).readiness.hosts.length).toBeGreaterThan(8);
    const lib = runCli(args, { env: { LOGSOURCE_CHECK_XML: 'library' } });
    expect(lib.stdout === fast.stdout).toBe(true);
  }, 120_000);

  it('CLI: the Sysmon simulation reads the cached detections as it reads fresh ones', () => {
    const cache = mkdtempSync(join(tmpdir(), 'lsc-identical-sysmon-'));
    const args = [join(CORPUS, 'sigmahq', 'rules'), '--sysmon', join(CORPUS, 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml'), '--format', 'json'];
    const none = runCli([...args, '--no-cache']);
    expect(none.status, none.stderr).toBe(0);
    runCli(args, { env: { LOGSOURCE_CHECK_CACHE_DIR: cache } });
    const warm = runCli(args, { env: { LOGSOURCE_CHECK_CACHE_DIR: cache } });
    expect(warm.stdout === none.stdout).toBe(true);
  }, 120_000);

  it('with the resolutions cached as well', async () => {
    const catalog = loadCatalog();
    const cache = mkdtempSync(join(tmpdir(), 'lsc-identical-res-'));
    const report = async (cacheDir: string | false) => {
      const parser = fastParser({ cacheDir });
      const load = await loadRules(MAIN, { parse: parser });
      const res = parser.resolveAll(load.rules, 'identical-test', (rules) => resolveAll(rules, catalog));
      return renderJson(buildResult(load, res, catalog, 'test'));
    };
    const none = await report(false);
    expect((await report(cache)) === none).toBe(true);
    expect((await report(cache)) === none).toBe(true);
  }, 120_000);
});
