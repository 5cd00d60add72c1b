/**
 * Reading rules was nearly all of a cold scan's time. Two remedies, both invisible in the results:
 *  - an on-disk cache of parse results (src/cache/shards.ts), sharded by rule-set root, in which a file whose
 *    stat has not changed since it was cached is taken as it is: neither read nor hashed. A file whose stat
 *    changed is read and hashed, and only parsed when its content changed too;
 *  - the fast YAML reader (src/rules/fastyaml.ts) for the files the cache does not have, in a worker thread
 *    as well when there are enough of them (src/rules/parse-parallel.ts).
 */
import { createHash } from 'node:crypto';
import { cacheKey } from './key.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CACHE_FORMAT, cacheRootProblem, MAX_AGE_DAYS, readShard, today, writeShard, type CacheNote, type Shard, type ShardRecord } from './shards.js';
import { isCached, type CollectedFile, type FilePlace, type RuleFile, type Stamp } from '../rules/files.js';
import type { RuleParser } from '../rules/load.js';
import type { ParsedFile } from '../rules/parse.js';
import { parseFiles } from '../rules/parse-parallel.js';
import { validLightParsed } from './check.js';
import { hydrate, lighten, newBatch, type LightParsed } from './rules.js';
import { cachedResolveAll, resolverFingerprint, type RuleOrigin } from './resolved.js';
import type { LoadedRule } from '../rules/model.js';

export { clearCache, defaultCacheDir } from './shards.js';

/**
 * A file modified this close to the moment its stat was taken may change again within the same timestamp
 * (FAT keeps 2 s, HFS+ 1 s, ext4/XFS/APFS/NTFS far less): its stat is not trusted, so the next run reads and
 * hashes it (git's "racily clean" entries, with the window of the coarsest common file system).
 */
const RACY_MS = 2000;

/** Hash of what decides a parse result: the code, version and limits (cache/key.ts), the yaml package's version, the cache format. */
function parserFingerprint(): string {
  let yamlPackage = '';
  try {
    const entry = createRequire(import.meta.url).resolve('yaml');
    yamlPackage = readFileSync(join(entry.slice(0, entry.lastIndexOf('node_modules') + 12), 'yaml', 'package.json'), 'utf8');
  } catch {
    // yaml's files moved: its version is then not part of the key, the code and version still are
  }
  return cacheKey('parse', `format ${CACHE_FORMAT}`, yamlPackage);
}

export interface FastParserOptions {
  cacheDir?: string | false;
  workers?: boolean;
  /** Told when the cache directory is refused or a shard is discarded (one line each). */
  onNote?: CacheNote;
}

/** One root's shard during a run: what was read, and the records this run keeps. */
interface OpenShard {
  old: Shard | undefined;
  next: Map<string, ShardRecord>;
  byHash?: Map<string, ShardRecord>;
  changed: boolean;
}

/**
 * A parser with the cache, and the cache of resolutions beside it: `resolveAll(rules, catalogKey, resolver)`
 * takes the resolutions of unchanged files from the cache and gives the rest to `resolver` (the resolver's
 * own resolveAll). `catalogKey` names the catalog's content (undefined: not cacheable, e.g. one built in
 * code); the resolver's code is part of the key by itself.
 */
export type FastParser = RuleParser & {
  resolveAll<R>(rules: LoadedRule[], catalogKey: string | undefined, resolver: (rules: LoadedRule[]) => Map<LoadedRule, R>): Map<LoadedRule, R>;
};

export function fastParser(opts: FastParserOptions = {}): FastParser {
  const wanted = opts.cacheDir || undefined;
  // The cache is an input: a directory someone else can write, or a link, is not used at all (cache.ts).
  const refused = wanted && cacheRootProblem(wanted);
  if (refused) opts.onNote?.(refused.path, refused.message);
  const dir = refused ? undefined : wanted;
  /** Each parsed rule's file, for the resolution cache (the rules of the last parse). */
  let origins = new WeakMap<LoadedRule, RuleOrigin>();
  let fingerprint: string | undefined;
  let shards = new Map<string, OpenShard>();
  /** When this run started: before any of its stats is taken (the parser is made before the files are walked). */
  let since = Date.now();

  const open = (root: string): OpenShard => {
    let s = shards.get(root);
    if (!s) {
      fingerprint ??= parserFingerprint();
      s = { old: readShard<ShardRecord>(dir as string, 'parse', root, fingerprint, opts.onNote), next: new Map(), changed: false };
      shards.set(root, s);
    }
    return s;
  };
  const recordOf = (s: OpenShard, rel: string): ShardRecord | undefined => {
    const r = s.old?.files[rel];
    return r !== undefined && validRecord(r) ? r : undefined;
  };
  const trusted = (stamp: Stamp | undefined): Stamp | null => (stamp && since - stamp[1] > RACY_MS ? stamp : null);

  const parse: RuleParser = async (files, onProgress) => {
    const results = new Array<ParsedFile>(files.length);
    /** Cache hits (cached form), made into rules only after the shards are written. */
    const hits: [number, LightParsed, FilePlace, string][] = [];
    const missIdx: number[] = [];
    const missHash: string[] = [];
    files.forEach((f, i) => {
      if (isCached(f)) {
        const s = open(f.cached.root);
        const r = recordOf(s, f.cached.rel) as ShardRecord; // vouched for by the reuse hook
        s.next.set(f.cached.rel, r);
        hits.push([i, r[3], f.cached, r[1]]);
        return;
      }
      if (!dir || !f.place) {
        missIdx.push(i);
        missHash.push('');
        return;
      }
      const hash = createHash('sha1').update(f.text).digest('base64url');
      const s = open(f.place.root);
      const own = recordOf(s, f.place.rel);
      const hit = own?.[1] === hash ? own : byHash(s).get(hash);
      if (!hit) {
        missIdx.push(i);
        missHash.push(hash);
        return;
      }
      const rec: ShardRecord = [trusted(f.place.stamp), hash, today(), hit[3]];
      if (!own || !sameRecord(own, rec)) s.changed = true;
      s.next.set(f.place.rel, rec);
      hits.push([i, hit[3], f.place, hash]);
    });

    const misses = missIdx.map((i) => files[i] as RuleFile);
    const parsed = await parseFiles(misses, opts.workers !== false, onProgress);
    missIdx.forEach((fileIdx, j) => {
      const p = parsed[j] as ParsedFile;
      results[fileIdx] = p;
      const f = misses[j] as RuleFile;
      if (!dir || !f.place) return;
      const s = open(f.place.root);
      s.next.set(f.place.rel, [trusted(f.place.stamp), missHash[j] as string, today(), lighten(p, f.path.length)]);
      s.changed = true;
      remember(p, f.place, missHash[j] as string);
    });

    if (dir) for (const [root, s] of shards) save(root, s);
    const taken = new Set<LightParsed>();
    const batch = newBatch();
    for (const [i, l, place, hash] of hits) {
      // Two files with one content share a record, which hydrate uses up: the second gets its own copy.
      const own = taken.has(l) ? structuredClone(l) : l;
      taken.add(own);
      results[i] = hydrate(own, (files[i] as CollectedFile).path, batch);
      remember(results[i], place, hash);
    }
    shards = new Map();
    since = Date.now(); // for the next run of this parser, if any
    return results;
  };

  const remember = (p: ParsedFile, place: FilePlace, hash: string): void => {
    p.rules.forEach((r, index) => origins.set(r, { root: place.root, rel: place.rel, hash, index }));
  };

  /** Writes a shard when this run changed it: the records of this run plus the others still young enough. */
  const save = (root: string, s: OpenShard): void => {
    const oldest = today() - MAX_AGE_DAYS;
    const old = s.old?.files ?? {};
    // Records of files this run did not visit (filtered by --include/--exclude, or deleted) stay a while.
    const keep = (rel: string, r: ShardRecord | undefined): boolean => r !== undefined && validRecord(r) && r[2] >= oldest && !s.next.has(rel);
    let changed = s.changed;
    if (!changed) for (const rel in old) if (!s.next.has(rel) && !keep(rel, old[rel])) changed = true;
    if (!changed) return; // the usual warm run: nothing to write
    const files: Record<string, ShardRecord> = {};
    for (const [rel, r] of s.next) files[rel] = r;
    for (const rel in old) if (keep(rel, old[rel])) files[rel] = old[rel] as ShardRecord;
    writeShard(dir as string, 'parse', { format: CACHE_FORMAT, fingerprint: fingerprint as string, root, files });
  };

  const parser = parse as FastParser;
  if (dir) {
    parser.reuse = (place: FilePlace & { stamp: Stamp }) => {
      const r = recordOf(open(place.root), place.rel);
      return r !== undefined && r[0] !== null && sameStamp(r[0], place.stamp);
    };
  }
  parser.resolveAll = (rules, catalogKey, resolver) => {
    if (!dir || catalogKey === undefined) return resolver(rules);
    fingerprint ??= parserFingerprint();
    const key = createHash('sha1').update(`${fingerprint}\0${resolverFingerprint()}\0${catalogKey}`).digest('hex');
    const out = cachedResolveAll(dir, key, origins, rules, resolver, opts.onNote);
    origins = new WeakMap();
    return out;
  };
  return parser;
}

function byHash(s: OpenShard): Map<string, ShardRecord> {
  if (!s.byHash) {
    s.byHash = new Map();
    for (const r of Object.values(s.old?.files ?? {})) if (validRecord(r)) s.byHash.set(r[1], r);
  }
  return s.byHash;
}

const sameStamp = (a: Stamp, b: Stamp): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

function sameRecord(a: ShardRecord, b: ShardRecord): boolean {
  return a[1] === b[1] && (a[0] === null ? b[0] === null : b[0] !== null && sameStamp(a[0], b[0]));
}

/** Checked once per record and run: a record of the wrong shape is a miss, never a crash. */
const checked = new WeakSet<object>();
function validRecord(r: unknown): r is ShardRecord {
  if (typeof r === 'object' && r !== null && checked.has(r)) return true;
  const ok =
    Array.isArray(r) &&
    r.length === 4 &&
    (r[0] === null || (Array.isArray(r[0]) && r[0].length === 4 && r[0].every((n: unknown) => typeof n === 'number'))) &&
    typeof r[1] === 'string' &&
    typeof r[2] === 'number' &&
    validLightParsed(r[3]);
  if (ok) checked.add(r);
  return ok;
}
