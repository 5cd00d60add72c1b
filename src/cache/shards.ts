/**
 * The parse cache on disk: one shard file per rule-set root (the real path of a directory argument, of a file
 * argument's directory, or of a zip archive) and parser fingerprint, so a run reads only the shards of its
 * own rules, however many other rule sets the cache holds. A shard maps each file below its root to
 * [stat stamp, content hash, day last written, parse result with paths cut off]; an unchanged file is found
 * by its stat and is neither read nor hashed (src/cache/caching-parser.ts decides what counts as unchanged).
 *
 * Location: $LOGSOURCE_CHECK_CACHE_DIR, else $XDG_CACHE_HOME/logsource-check, else ~/.cache/logsource-check;
 * shards live in its `rules-v2/` folder. The cache is an input like any other (another user or a stray
 * process may have put anything there): the cache is not used at all when its root or `rules-v2/` is a link,
 * is not a directory, belongs to another user or is writable by others (cacheRootProblem); shard files are
 * read only when they are regular files within LIMITS.cache, and a shard or record of the wrong shape is
 * ignored, never trusted. A shard that breaks a limit is discarded with a note and rebuilt.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LimitError, LIMITS, readRegular } from '../limits.js';
import type { Stamp } from '../rules/files.js';
import type { LightParsed } from './rules.js';

/** Bumped whenever the shard layout changes; part of every shard's name and header. */
export const CACHE_FORMAT = 2;
const SHARDS = 'rules-v2';
/** The single-file cache of format 1, removed when a format-2 shard is written. */
const LEGACY = 'parse-cache.json';
const DAY_MS = 86_400_000;
/** A shard (and a record of files no run visits any more) unused this long is removed. */
export const MAX_AGE_DAYS = 30;
/** All shards together; the oldest go first beyond it. */
export const MAX_TOTAL_BYTES = 256 * 1048576;
export const MAX_SHARDS = 1000;

/** [stamp (null: not to be trusted, see caching-parser.ts), content hash, day written, parse result (rules.ts)]. */
export type ShardRecord = [stamp: Stamp | null, hash: string, day: number, parsed: LightParsed];

/**
 * One root's records. Two kinds: parse results (`parse`), and the resolutions of those rules against one
 * catalog (`resolved`, src/cache/resolved.ts), kept apart so that a catalog change or a --mapping run
 * leaves the parse results alone.
 */
export interface Shard<R = ShardRecord> {
  format: typeof CACHE_FORMAT;
  fingerprint: string;
  root: string;
  /** By path below the root ('/'-separated; the entry name for a zip). */
  files: Record<string, R>;
}

export type ShardKind = 'parse' | 'resolved';

/** Where a note about the cache goes: one line naming the file or directory (the run goes on without it). */
export type CacheNote = (path: string, message: string) => void;

/**
 * Why the cache directory `dir` must not be used, or undefined. It is refused when it, or the shard folder
 * this program creates in it, is a symbolic link or not a directory, is owned by another user, or is
 * writable by group or others (anyone who can write there chooses what the next run reads). An absent
 * directory is fine: writeShard creates it, owner-only, and checks again.
 */
export function cacheRootProblem(dir: string): { path: string; message: string } | undefined {
  for (const [path, name] of [
    [dir, 'the parse cache directory'],
    [join(dir, SHARDS), "the parse cache's shard folder"],
  ] as const) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return undefined; // absent: nothing below it either
    }
    const refuse = (why: string) => ({ path, message: `${name} ${why}: not used, this run goes without the cache` });
    if (st.isSymbolicLink()) return refuse('is a symbolic link');
    if (!st.isDirectory()) return refuse('is not a directory');
    // Windows has neither user ids nor these mode bits; its ACLs are the profile's.
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return refuse(`belongs to user ${st.uid}, not to this user (${uid})`);
    if (process.platform !== 'win32' && (st.mode & 0o022) !== 0)
      return refuse(`is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`);
  }
  return undefined;
}

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'logsource-check');
}

export const today = (): number => Math.floor(Date.now() / DAY_MS);

function shardFile(dir: string, kind: ShardKind, root: string, fingerprint: string): string {
  const id = createHash('sha1').update(`${CACHE_FORMAT}\0${kind}\0${fingerprint}\0${root}`).digest('base64url');
  return join(dir, SHARDS, `${id}${kind === 'parse' ? '' : '.res'}.json`);
}

/**
 * The shard of one root, or undefined when there is none usable (absent, damaged, not ours, too large). Its
 * records' sizes are checked here (shardProblem), their shapes when used, so a run pays only for the records
 * it uses.
 */
export function readShard<R>(dir: string, kind: ShardKind, root: string, fingerprint: string, note?: CacheNote): Shard<R> | undefined {
  const path = shardFile(dir, kind, root, fingerprint);
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return undefined; // a link or a FIFO put there is not followed
    const buf = readRegular(path, LIMITS.cache.shardBytes);
    // Shards are written in ASCII (see writeShard): decoded as Latin-1, the string is one byte per character.
    const data = JSON.parse(buf.toString(isAscii(buf) ? 'latin1' : 'utf8')) as Shard<R>;
    if (!isObj(data) || data.format !== CACHE_FORMAT || data.fingerprint !== fingerprint || data.root !== root || !isObj(data.files)) return undefined;
    const why = shardProblem(data.files);
    if (why) throw new LimitError(why);
    // Age counts from the last use, not the last write: a shard read every day is touched once a day.
    if (Date.now() - st.mtimeMs > DAY_MS) touch(path);
    return data;
  } catch (e) {
    // Beyond a limit: said once, then parsed afresh and rewritten (as when absent or damaged).
    if (e instanceof LimitError) note?.(path, `${e.message.replace(/; skipped$/, '')}: cache shard discarded, rebuilt from the rules`);
    return undefined;
  }
}

/**
 * What makes a shard's records too large to use, or undefined: more records than LIMITS.cache.shardRecords,
 * a text longer than textChars (the parse result's `heavy` detection excepted), or more than recordChars of
 * text in one record. Checked on every read, before any record is used: what a planted title would cost in
 * every report is bounded here. Shards this program writes keep within it (writeShard leaves out the rest).
 */
export function shardProblem(files: Record<string, unknown>): string | undefined {
  let n = 0;
  for (const rel in files) {
    if (++n > LIMITS.cache.shardRecords) return `more than ${LIMITS.cache.shardRecords} records (limit)`;
    const why = recordProblem(files[rel]);
    if (why) return `the record of ${JSON.stringify(rel.slice(0, 200))} holds ${why} (limit)`;
  }
  return undefined;
}

/** Why one record is too large, or undefined. */
function recordProblem(record: unknown): string | undefined {
  const budget = { left: LIMITS.cache.recordChars, long: 0 };
  if (withinBudget(record, budget, 0)) return undefined;
  const { textChars, recordChars } = LIMITS.cache;
  return budget.long
    ? `a text of ${budget.long} characters, more than the ${textChars} a cached text may have`
    : `more than ${recordChars} characters of text, or nesting deeper than 64 levels`;
}

/** Walks a JSON value, spending its strings' lengths from the budget (recursion: the fastest walk of a shard's ~100,000 values). */
function withinBudget(v: unknown, budget: { left: number; long: number }, depth: number): boolean {
  if (typeof v === 'string') {
    if (v.length > LIMITS.cache.textChars) {
      budget.long = v.length;
      return false;
    }
    return (budget.left -= v.length) >= 0;
  }
  if (typeof v !== 'object' || v === null) return true;
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!withinBudget(v[i], budget, depth + 1)) return false;
    return true;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    // The detection as one JSON string: bounded by the record's total, as its rule file is.
    if (k === 'heavy' && typeof x === 'string') {
      if ((budget.left -= x.length) < 0) return false;
    } else if (!withinBudget(x, budget, depth + 1)) return false;
  }
  return true;
}

/** Writes a shard atomically (a concurrent run reads the old or the new file), then keeps the cache bounded. */
export function writeShard<R>(dir: string, kind: ShardKind, shard: Shard<R>): void {
  try {
    const folder = join(dir, SHARDS);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Checked again once created: a link, or a folder made by someone else meanwhile, is written nowhere.
    if (cacheRootProblem(dir) || !lstatSync(folder).isDirectory()) return;
    // A record beyond the limits of readShard would make every later run discard the shard: left out (its
    // file is parsed afresh each time, as without a cache).
    for (const rel in shard.files) if (recordProblem(shard.files[rel])) delete shard.files[rel];
    // Non-ASCII characters escaped: a one-byte string reads back faster than UTF-8 (≈ 10 ms on a 4 MB shard).
    const text = JSON.stringify(shard).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (text.length > LIMITS.cache.shardBytes) return; // it could not be read back
    const path = shardFile(dir, kind, shard.root, shard.fingerprint);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
    renameSync(tmp, path);
    evict(dir);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

/**
 * Removes shards unused for MAX_AGE_DAYS, then the oldest beyond MAX_SHARDS or MAX_TOTAL_BYTES, leftover
 * temporary files of interrupted runs, and the format-1 cache file.
 */
function evict(dir: string): void {
  const folder = join(dir, SHARDS);
  const now = Date.now();
  const shards: { path: string; mtime: number; size: number }[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    const st = lstatQuiet(path);
    if (!st?.isFile()) continue;
    if (name.endsWith('.tmp')) {
      if (now - st.mtimeMs > 3_600_000) unlinkQuiet(path);
    } else if (name.endsWith('.json')) {
      if (now - st.mtimeMs > MAX_AGE_DAYS * DAY_MS) unlinkQuiet(path);
      else shards.push({ path, mtime: st.mtimeMs, size: st.size });
    }
  }
  shards.sort((a, b) => b.mtime - a.mtime);
  let bytes = 0;
  shards.forEach((s, i) => {
    bytes += s.size;
    if (i >= MAX_SHARDS || bytes > MAX_TOTAL_BYTES) unlinkQuiet(s.path);
  });
  if (lstatQuiet(join(dir, LEGACY))?.isFile()) unlinkQuiet(join(dir, LEGACY));
}

/**
 * `logsource-check cache clear`: removes every cache file this program writes in `dir` (shards, leftover
 * temporary files, the format-1 file) and nothing else — the directory may be one the user named.
 */
export function clearCache(dir: string): { removed: number; refused?: string } {
  let removed = 0;
  const folder = join(dir, SHARDS);
  // Through a link, the files removed would be wherever it points: nothing is removed.
  for (const p of [dir, folder]) if (lstatQuiet(p)?.isSymbolicLink()) return { removed, refused: `${p} is a symbolic link: nothing removed through it` };
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    // no shards
  }
  for (const name of names) {
    if (/^[\w-]+(\.res)?\.json(\.\d+\.tmp)?$/.test(name) && unlinkQuiet(join(folder, name))) removed++;
  }
  try {
    rmdirSync(folder); // only when empty: anything else someone put there stays
  } catch {
    // absent or not empty
  }
  let top: string[] = [];
  try {
    top = readdirSync(dir);
  } catch {
    // no cache directory at all
  }
  for (const name of top) {
    // The format-1 file and its interrupted writes; a link or folder of that name is left alone.
    if (/^parse-cache\.json(\.\d+\.tmp)?$/.test(name) && lstatQuiet(join(dir, name))?.isFile() && unlinkQuiet(join(dir, name))) removed++;
  }
  return { removed };
}

function touch(path: string): void {
  try {
    utimesSync(path, new Date(), new Date());
  } catch {
    // a read-only cache is still read
  }
}

function lstatQuiet(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function unlinkQuiet(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
