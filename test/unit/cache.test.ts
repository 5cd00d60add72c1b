/**
 * The parse cache (src/cache/shards.ts, caching-parser.ts, rules.ts, resolved.ts): unchanged files are
 * taken from their stat without being read, changed ones are re-read and only re-parsed when their content
 * changed, a run reads only its own roots' shards, the cache directory is hostile input, and it stays bounded.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveAll } from '../../src/requirements/resolve.js';
import { MAX_AGE_DAYS, MAX_SHARDS } from '../../src/cache/shards.js';
import { clearCache, fastParser } from '../../src/cache/caching-parser.js';
import { collectRuleFiles, isCached } from '../../src/rules/files.js';
import { loadRules, type LoadResult } from '../../src/rules/load.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { ROOT } from '../helpers.js';

const catalog = loadCatalog();
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `lsc-cache-${p}-`));
const EXAMPLES = join(ROOT, 'examples', 'rules');
const SHARDS = (dir: string) => readdirSync(join(dir, 'rules-v2')).filter((n) => n.endsWith('.json'));
/** A second ago is not long enough for a stat to be trusted (the racy-file window): age the files. */
const age = (dir: string) => {
  const then = new Date(Date.now() - 60_000);
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) utimesSync(join(e.parentPath, e.name), then, then);
};

/** One run the way the CLI makes it, returning what the report is built from. */
async function run(paths: string[], cacheDir: string | false, opts: Parameters<typeof loadRules>[1] = {}) {
  const parser = fastParser({ cacheDir, workers: false });
  const load = await loadRules(paths, { ...opts, parse: parser });
  const res = parser.resolveAll(load.rules, cacheDir ? 'test-catalog' : undefined, (rules) => resolveAll(rules, catalog));
  return { load, res, parser };
}
/** Everything a report shows of a load, detection and facts included, as plain JSON. */
const view = ({ load, res }: { load: LoadResult; res: Map<unknown, unknown> }) =>
  JSON.stringify({ ...load, rules: load.rules, res: load.rules.map((r) => res.get(r)) });

function ruleSet(): string {
  const d = tmp('rules');
  cpSync(EXAMPLES, join(d, 'rules'), { recursive: true });
  age(d);
  return join(d, 'rules');
}

describe('parse cache', () => {
  it('a warm run equals a run without cache, and reads no unchanged file', async () => {
    const rules = ruleSet();
    const cache = tmp('dir');
    const none = await run([rules], false);
    const cold = await run([rules], cache);
    const warm = await run([rules], cache);
    expect(view(cold)).toBe(view(none));
    expect(view(warm)).toBe(view(none));
    // The collection asks the cache before reading: every rule file is vouched for by its stat.
    const probe = fastParser({ cacheDir: cache });
    const c = collectRuleFiles([rules], { reuse: probe.reuse });
    const yml = c.files.length;
    expect(yml).toBeGreaterThan(5);
    expect(c.files.filter(isCached).length).toBe(yml);
  });

  it('a changed file is read again; its content decides whether it is parsed again', async () => {
    const rules = ruleSet();
    const cache = tmp('dir');
    await run([rules], cache);
    const file = join(rules, 'windows', 'proc_creation_certutil_download.yml');
    const before = statSync(file);
    // Same size, same mtime, other content: the change time (which no one can set back) still tells.
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('title: ', 'title: X').replace(/\n$/, ''));
    utimesSync(file, before.atime, before.mtime);
    const probe = fastParser({ cacheDir: cache });
    const c = collectRuleFiles([rules], { reuse: probe.reuse });
    expect(c.files.find((f) => f.path === file) && isCached(c.files.find((f) => f.path === file)!)).toBe(false);
    const warm = await run([rules], cache);
    expect((warm.load.rules.find((r) => r.path === file) as SigmaRule).title).toMatch(/^X/);
    expect(view(warm)).toBe(view(await run([rules], false)));
  });

  it('a file modified within the timestamp window of the run is never vouched for by its stat', async () => {
    const rules = ruleSet();
    const cache = tmp('dir');
    const file = join(rules, 'windows', 'dns_query_tunnel_domain.yml');
    writeFileSync(file, readFileSync(file)); // modified now
    await run([rules], cache);
    const c = collectRuleFiles([rules], { reuse: fastParser({ cacheDir: cache }).reuse });
    const f = c.files.find((x) => x.path === file)!;
    expect(isCached(f)).toBe(false); // read and hashed again (and found by its hash, not parsed)
    expect(c.files.filter(isCached).length).toBe(c.files.length - 1);
  });

  it('one shard per rule-set root: a run reads only its own', async () => {
    const a = ruleSet();
    const b = ruleSet();
    const cache = tmp('dir');
    await run([a], cache);
    const first = SHARDS(cache);
    await run([b], cache);
    const both = SHARDS(cache);
    expect(both.length).toBe(first.length * 2);
    // Damage every shard but a's: a's warm run still finds everything in the cache.
    for (const n of both) if (!first.includes(n)) writeFileSync(join(cache, 'rules-v2', n), '{"format":2,"files":');
    const c = collectRuleFiles([a], { reuse: fastParser({ cacheDir: cache }).reuse });
    expect(c.files.every(isCached)).toBe(true);
  });

  it('files of one content, zip entries and explicit files get their own paths and objects', async () => {
    const d = tmp('dup');
    const text = readFileSync(join(EXAMPLES, 'windows', 'proc_creation_certutil_download.yml'));
    mkdirSync(join(d, 'r'));
    writeFileSync(join(d, 'r', 'a.yml'), text);
    writeFileSync(join(d, 'r', 'b.yml'), text);
    writeFileSync(join(d, 'z.zip'), zipSync({ 'in/zip.yml': new Uint8Array(text) }));
    age(d);
    const cache = tmp('dir');
    const args = [join(d, 'r'), join(d, 'z.zip'), join(d, 'r', 'a.yml')];
    const none = await run(args, false);
    await run(args, cache);
    const warm = await run(args, cache);
    expect(view(warm)).toBe(view(none));
    expect(warm.load.rules.map((r) => r.path)).toEqual([join(d, 'r', 'a.yml'), join(d, 'r', 'b.yml'), join(d, 'z.zip', 'in/zip.yml'), join(d, 'r', 'a.yml')]);
    const [a, b] = warm.load.rules as SigmaRule[];
    expect(a).not.toBe(b);
    expect(a!.facts).not.toBe(b!.facts);
    expect(warm.res.get(a!)).not.toBe(warm.res.get(b!));
  });

  it('records of files a run does not visit (--include) are kept for the next run', async () => {
    const rules = ruleSet();
    const cache = tmp('dir');
    await run([rules], cache);
    await run([rules], cache, { include: ['dns_query_tunnel_domain.yml'] });
    const c = collectRuleFiles([rules], { reuse: fastParser({ cacheDir: cache }).reuse });
    expect(c.files.every(isCached)).toBe(true);
  });

  it('resolutions are cached per catalog: correlations resolve as over the whole set', async () => {
    const rules = ruleSet();
    const cache = tmp('dir');
    const none = await run([rules], false);
    await run([rules], cache);
    const warm = await run([rules], cache);
    expect(view(warm)).toBe(view(none));
    const corr = warm.load.rules.find((r) => r.kind === 'correlation')!;
    expect(warm.res.get(corr)).toEqual(none.res.get(none.load.rules.find((r) => r.kind === 'correlation')!));
    // Another catalog key: every resolution is made afresh by the resolver.
    const parser = fastParser({ cacheDir: cache, workers: false });
    const load = await loadRules([rules], { parse: parser });
    let asked = 0;
    parser.resolveAll(load.rules, 'other-catalog', (rs) => ((asked = rs.length), resolveAll(rs, catalog)));
    expect(asked).toBe(load.rules.length);
    // The same key: only correlations and the rules they refer to go to the resolver.
    const again = fastParser({ cacheDir: cache, workers: false });
    const load2 = await loadRules([rules], { parse: again });
    again.resolveAll(load2.rules, 'test-catalog', (rs) => ((asked = rs.length), resolveAll(rs, catalog)));
    expect(asked).toBeLessThan(load2.rules.length / 2);
  });
});

describe('the cache directory is an input', () => {
  const mkfifo = (p: string) => spawnSync('mkfifo', [p]).status === 0;

  it('shards that are FIFOs, links, damaged JSON or records of the wrong shape are misses, never crashes', async () => {
    const rules = ruleSet();
    const none = view(await run([rules], false));
    for (const damage of ['fifo', 'link', 'json', 'shape', 'heavy', 'resolution'] as const) {
      const cache = tmp(damage);
      await run([rules], cache);
      for (const n of SHARDS(cache)) {
        const p = join(cache, 'rules-v2', n);
        const data = JSON.parse(readFileSync(p, 'latin1'));
        const records = Object.values<unknown[]>(data.files);
        if (damage === 'fifo') {
          spawnSync('rm', [p]);
          if (!mkfifo(p)) return;
        } else if (damage === 'link') {
          spawnSync('rm', [p]);
          symlinkSync('/dev/zero', p);
        } else if (damage === 'json') writeFileSync(p, '{"format": 2, "files": {"a": [');
        else {
          for (const r of records) {
            if (n.endsWith('.res.json')) {
              if (damage === 'resolution') r[2] = [{ status: 'resolved', logsource: 3, alternatives: 'x' }];
            } else if (damage === 'shape') (r[3] as { rules: unknown }).rules = [{ kind: 'rule', title: 7 }];
            else if (damage === 'heavy') for (const rule of (r[3] as { rules: { heavy?: string }[] }).rules) if (rule.heavy) rule.heavy = '[{"a":';
          }
          writeFileSync(p, JSON.stringify(data));
        }
      }
      const warm = await run([rules], cache);
      // A damaged detection reads as none (the cache is trusted for what it holds, not for its shape):
      // everything but the detection and facts is still what the rules say.
      if (damage === 'heavy') expect(warm.load.rules.length).toBe(JSON.parse(none).rules.length);
      else expect(view(warm), damage).toBe(none);
    }
  });

  it('stays bounded: old shards and leftovers go, only this program’s files are cleared', async () => {
    const cache = tmp('bound');
    mkdirSync(join(cache, 'rules-v2'), { recursive: true });
    const old = new Date(Date.now() - (MAX_AGE_DAYS + 1) * 86_400_000);
    writeFileSync(join(cache, 'rules-v2', 'stale.json'), '{}');
    utimesSync(join(cache, 'rules-v2', 'stale.json'), old, old);
    for (let i = 0; i < MAX_SHARDS + 5; i++) writeFileSync(join(cache, 'rules-v2', `filler${i}.json`), '{}');
    writeFileSync(join(cache, 'parse-cache.json'), '{"fingerprint":"format 1"}');
    writeFileSync(join(cache, 'unrelated.txt'), 'mine');
    await run([ruleSet()], cache);
    const names = SHARDS(cache);
    expect(names).not.toContain('stale.json');
    expect(names.length).toBeLessThanOrEqual(MAX_SHARDS);
    expect(readdirSync(cache)).not.toContain('parse-cache.json');
    const { removed } = clearCache(cache);
    expect(removed).toBe(names.length);
    expect(readdirSync(cache)).toEqual(['unrelated.txt']);
    expect(clearCache(join(cache, 'absent'))).toEqual({ removed: 0 });
  });
});
