/**
 * Resolutions (rule → requirement alternatives) cached beside the parse results: after parsing, resolving is
 * the largest part of a warm run (≈ 0.25 s of CPU for the five SigmaHQ folders, against ≈ 0.03 s to read its
 * cached form back). A record holds, per file, the content hash it was computed from and one resolution per
 * rule of the file; the shard's key holds the parser's and the resolver's code and the catalog's content, so
 * a change to any of them is a miss. Correlations are always resolved afresh: they depend on other files.
 */
import { cacheKey } from './key.js';
import { CACHE_FORMAT, MAX_AGE_DAYS, readShard, today, writeShard, type CacheNote, type Shard } from './shards.js';
import { validResolution } from './check.js';
import type { LoadedRule } from '../rules/model.js';

/** Where a parsed rule came from: its file's shard root, path below it, content hash, and index in the file. */
export interface RuleOrigin {
  root: string;
  rel: string;
  hash: string;
  index: number;
}

/** [content hash, day written, one resolution per rule of the file (null: none cached)]. */
type ResolvedRecord = [hash: string, day: number, resolutions: unknown[]];

/** Key of cached resolutions: the whole code (the requirement, catalog and rule modules among it), version and limits. */
export function resolverFingerprint(): string {
  return cacheKey('resolved');
}

/**
 * resolveAll over a rule set with the cached resolutions of unchanged files. `resolveAll` is the resolver's
 * own (src/requirements/resolve.ts), given the rules still to resolve: those without a cached resolution,
 * every correlation, and the rules correlations refer to (so that their references resolve exactly as over
 * the whole set).
 */
export function cachedResolveAll<R>(
  dir: string,
  fingerprint: string,
  origins: WeakMap<LoadedRule, RuleOrigin>,
  rules: LoadedRule[],
  resolveAll: (rules: LoadedRule[]) => Map<LoadedRule, R>,
  note?: CacheNote,
): Map<LoadedRule, R> {
  const shards = new Map<string, { old: Shard<ResolvedRecord> | undefined; next: Map<string, ResolvedRecord>; changed: boolean }>();
  const open = (root: string) => {
    let s = shards.get(root);
    if (!s) shards.set(root, (s = { old: readShard<ResolvedRecord>(dir, 'resolved', root, fingerprint, note), next: new Map(), changed: false }));
    return s;
  };
  const cached = new Map<LoadedRule, R>();
  const used = new Set<unknown>();
  for (const r of rules) {
    const o = r.kind === 'rule' ? origins.get(r) : undefined;
    if (!o) continue;
    const rec = open(o.root).old?.files[o.rel];
    if (!Array.isArray(rec) || rec[0] !== o.hash || !Array.isArray(rec[2])) continue;
    const res = rec[2][o.index];
    if (res === null || res === undefined || !validResolution(res)) continue;
    // Two files of one content share a record: each rule gets its own object, as from the resolver.
    cached.set(r, (used.has(res) ? structuredClone(res) : res) as R);
    used.add(res);
  }

  const refs = new Set(rules.flatMap((r) => (r.kind === 'correlation' ? r.references : [])));
  const need = rules.filter(
    (r) => r.kind === 'correlation' || !cached.has(r) || (r.id !== undefined && refs.has(r.id)) || (r.name !== undefined && refs.has(r.name)),
  );
  const fresh = need.length ? resolveAll(need) : new Map<LoadedRule, R>();
  const out = new Map<LoadedRule, R>();
  for (const r of rules) {
    const res = fresh.get(r) ?? cached.get(r);
    if (res !== undefined) out.set(r, res);
  }

  // Records per file: the resolutions of this run's rules, in file order; written before anyone uses them.
  const day = today();
  const oldest = day - MAX_AGE_DAYS;
  const stale = (rec: unknown): boolean => !Array.isArray(rec) || typeof rec[1] !== 'number' || rec[1] < oldest;
  for (const r of rules) {
    const o = origins.get(r);
    if (o && r.kind === 'rule' && !cached.has(r)) open(o.root).changed = true;
  }
  for (const [root, s] of shards) {
    const visited = new Set<string>();
    for (const r of rules) {
      const o = origins.get(r);
      if (o && o.root === root) visited.add(o.rel);
    }
    const old = s.old?.files ?? {};
    if (!s.changed) for (const rel in old) if (!visited.has(rel) && stale(old[rel])) s.changed = true;
    if (!s.changed) continue; // the usual warm run: nothing to write
    for (const r of rules) {
      const o = origins.get(r);
      if (!o || o.root !== root || r.kind !== 'rule') continue;
      let rec = s.next.get(o.rel);
      if (!rec) {
        const prev = old[o.rel];
        const kept = Array.isArray(prev) && prev[0] === o.hash && Array.isArray(prev[2]) ? prev[2] : [];
        s.next.set(o.rel, (rec = [o.hash, day, Array.from(kept, (x) => x ?? null)]));
      }
      rec[2][o.index] = out.get(r) ?? null;
    }
    const files: Record<string, ResolvedRecord> = {};
    for (const [rel, rec] of s.next) files[rel] = rec;
    // Records of files this run did not visit stay a while, as in the parse shard.
    for (const rel in old) if (!visited.has(rel) && !stale(old[rel])) files[rel] = old[rel] as ResolvedRecord;
    writeShard(dir, 'resolved', { format: CACHE_FORMAT, fingerprint, root, files });
  }
  return out;
}
