import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { decodeText, MAX_INPUT_FILE, MAX_RULE_FILE, readBounded, TooLargeError } from '../io/decode.js';
import { errnoMessage, statArgument } from '../io/files.js';
import { LIMITS } from '../limits.js';
import { readZip as readZipEntries } from '../io/zip.js';
import type { LoadError, LoadNote } from './model.js';

/** One rule file to parse, from disk or from inside a zip archive. */
export interface RuleFile {
  /** Path as shown to the user: the argument given, joined with the path below it. */
  path: string;
  text: string;
  /** Where the parse cache files it (absent without a cache). */
  place?: FilePlace;
}

/** A file the parse cache vouched for from its stat alone: it was neither read nor hashed. */
export interface CachedRuleFile {
  path: string;
  cached: FilePlace;
}

export type CollectedFile = RuleFile | CachedRuleFile;

export const isCached = (f: CollectedFile): f is CachedRuleFile => 'cached' in f;

/**
 * A file's place for the parse cache: the real path of the directory it was found under (the argument, the
 * directory of a file argument, or the zip archive), the path below it, and its stat when it has one.
 */
export interface FilePlace {
  root: string;
  rel: string;
  stamp?: Stamp;
}

/** What tells an unchanged file without reading it: size, modification and change times (ms), inode. */
export type Stamp = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

/**
 * Asked for each regular file before it is read (only when a parse cache is on): true when the cache holds
 * the file's parse result for exactly this stat, so the file is not read at all.
 */
export type ReuseHook = (place: FilePlace & { stamp: Stamp }) => boolean;

export interface CollectResult {
  files: CollectedFile[];
  errors: LoadError[];
  notes: LoadNote[];
  /** Arguments that do not exist at all: the invocation is unusable. */
  missing: string[];
}

const RULE_EXT = /\.ya?ml$/i;

export interface CollectOptions {
  /** Called with the reported path; false drops the file before it is read. */
  accept?: (path: string) => boolean;
  /** The parse cache's index (src/cache/caching-parser.ts): with it, files are stat'ed and placed for the cache. */
  reuse?: ReuseHook;
}

/**
 * Expands the positional arguments into rule files. Directories are walked recursively (symlinks followed,
 * loops detected by real path), `.zip` archives are read in memory. Problems are collected, never thrown.
 */
export function collectRuleFiles(args: readonly string[], options: CollectOptions = {}): CollectResult {
  const result: CollectResult = { files: [], errors: [], notes: [], missing: [] };
  const accept = options.accept ?? (() => true);

  const readText = (path: string): string | undefined => {
    try {
      return decodeText(readBounded(path, MAX_RULE_FILE));
    } catch (e) {
      result.errors.push({ path, message: e instanceof TooLargeError ? e.message : `cannot read file: ${errnoMessage(e)}` });
      return undefined;
    }
  };

  const reuse = options.reuse;
  // With a cache, each file gets its place below the real path of its directory argument (`root`, `base`).
  const addFile = (path: string, explicit: boolean, st?: Stats, base?: string): void => {
    if (/\.zip$/i.test(path)) {
      readZip(path, result, accept, reuse ? realDir(path, false) : undefined);
      return;
    }
    if (!RULE_EXT.test(path)) {
      if (explicit) result.notes.push({ path, message: 'not a .yml/.yaml file; read anyway' });
      else return;
    }
    if (!accept(path)) return;
    let place: FilePlace | undefined;
    const dir = reuse && (base === undefined ? realDir(path, true) : root || undefined);
    if (reuse && dir) {
      const stamp = stampOf(st ?? statQuiet(path));
      const rel = base ?? basename(path);
      // Only a regular file's stat is asked about: a FIFO or device is read below and refused there.
      if (stamp) {
        const known = { root: dir, rel, stamp };
        if (reuse(known)) {
          result.files.push({ path, cached: known });
          return;
        }
        place = known;
      } else place = { root: dir, rel };
    }
    const text = readText(path);
    if (text !== undefined) result.files.push(place ? { path, text, place } : { path, text });
  };

  // Bounds of one argument's walk (src/limits.ts): depth, entries, and symlinks only within the argument.
  let visited = 0;
  let root = '';
  let stopped = false;
  // `real` is the directory's real path when known: a plain subdirectory's is its parent's plus its name, so
  // only symbolic links cost a realpath (a rule set has hundreds of directories, a realpath is a stat per level).
  const walk = (dir: string, seen: Set<string>, depth = 0, rel = '', real = ''): void => {
    if (stopped) return;
    if (depth > LIMITS.dirDepth) {
      result.errors.push({ path: dir, message: `more than ${LIMITS.dirDepth} directory levels (limit); not walked further` });
      return;
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      result.errors.push({ path: dir, message: `cannot read directory: ${errnoMessage(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++visited > LIMITS.dirEntries) {
        result.errors.push({ path: dir, message: `more than ${LIMITS.dirEntries} files and directories (limit); the rest is not read` });
        stopped = true;
        return;
      }
      // Below the argument the directory path is already normalised: appending the name is what join would do.
      const path = depth ? `${dir}${sep}${entry.name}` : join(dir, entry.name);
      const below = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let st: Stats | undefined;
      if (entry.isSymbolicLink()) {
        try {
          st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          result.errors.push({ path, message: `broken symbolic link: ${errnoMessage(e)}` });
          continue;
        }
      }
      if (isDir) {
        let childReal: string;
        try {
          childReal = real && !entry.isSymbolicLink() ? join(real, entry.name) : realpathSync.native(path);
        } catch (e) {
          result.errors.push({ path, message: `cannot resolve directory: ${errnoMessage(e)}` });
          continue;
        }
        if (seen.has(childReal)) {
          result.errors.push({ path, message: 'symbolic link loop; directory already visited, skipped' });
          continue;
        }
        if (entry.isSymbolicLink() && root && childReal !== root && !childReal.startsWith(`${root}/`)) {
          // A link out of the rule set (to /, /proc, a home directory) would read the machine, not rules.
          result.errors.push({ path, message: `symbolic link to ${childReal}, outside ${root}: not followed` });
          continue;
        }
        seen.add(childReal);
        walk(path, seen, depth + 1, below, childReal);
      } else if (isFile) {
        addFile(path, false, st, below);
      }
    }
  };

  for (const arg of args) {
    const st = statArgument(arg, result);
    if (!st) continue;
    if (st.isDirectory()) {
      const seen = new Set<string>();
      visited = 0;
      stopped = false;
      root = '';
      try {
        root = realpathSync.native(arg);
        seen.add(root);
      } catch {
        // realpath of an accessible directory does not fail in practice; the walk reports any error
      }
      walk(arg, seen, 0, '', root);
    } else {
      addFile(arg, true);
    }
  }
  return result;
}

/** Real path of a file's directory (or of the file itself), for the cache; undefined when it cannot be told. */
function realDir(path: string, parent: boolean): string | undefined {
  try {
    return realpathSync.native(parent ? dirname(path) : path);
  } catch {
    return undefined;
  }
}

function statQuiet(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined; // the read reports why
  }
}

/** The stat the cache compares, for a regular file only. */
function stampOf(st: Stats | undefined): Stamp | undefined {
  return st?.isFile() ? [st.size, st.mtimeMs, st.ctimeMs, st.ino] : undefined;
}

function readZip(path: string, result: CollectResult, accept: (p: string) => boolean, root?: string): void {
  let zip;
  try {
    zip = readZipEntries(readBounded(path, MAX_INPUT_FILE), (name) => RULE_EXT.test(name) && accept(join(path, name)), MAX_RULE_FILE);
  } catch (e) {
    result.errors.push({ path, message: `cannot read zip archive: ${e instanceof TooLargeError ? e.message : errnoMessage(e)}` });
    return;
  }
  for (const p of zip.problems) result.errors.push({ path: join(path, p.name), message: p.message });
  for (const e of zip.entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const text = decodeText(e.data);
    // A zip's entries have no stat of their own: the cache finds them by their content.
    result.files.push(root === undefined ? { path: join(path, e.name), text } : { path: join(path, e.name), text, place: { root, rel: e.name } });
  }
}
