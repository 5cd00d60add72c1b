import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeText, MAX_INPUT_FILE, MAX_RULE_FILE, readBounded, TooLargeError } from '../decode.js';
import { LIMITS } from '../limits.js';
import { readZip as readZipEntries } from '../zip.js';
import type { LoadError, LoadNote } from './model.js';

/** One rule file to parse, from disk or from inside a zip archive. */
export interface RuleFile {
  /** Path as shown to the user: the argument given, joined with the path below it. */
  path: string;
  text: string;
}

export interface CollectResult {
  files: RuleFile[];
  errors: LoadError[];
  notes: LoadNote[];
  /** Arguments that do not exist at all: the invocation is unusable. */
  missing: string[];
}

const RULE_EXT = /\.ya?ml$/i;

export interface CollectOptions {
  /** Called with the reported path; false drops the file before it is read. */
  accept?: (path: string) => boolean;
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

  const addFile = (path: string, explicit: boolean): void => {
    if (/\.zip$/i.test(path)) {
      readZip(path, result, accept);
      return;
    }
    if (!RULE_EXT.test(path)) {
      if (explicit) result.notes.push({ path, message: 'not a .yml/.yaml file; read anyway' });
      else return;
    }
    if (!accept(path)) return;
    const text = readText(path);
    if (text !== undefined) result.files.push({ path, text });
  };

  // Bounds of one argument's walk (src/limits.ts): depth, entries, and symlinks only within the argument.
  let visited = 0;
  let root = '';
  let stopped = false;
  const walk = (dir: string, seen: Set<string>, depth = 0): void => {
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
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          result.errors.push({ path, message: `broken symbolic link: ${errnoMessage(e)}` });
          continue;
        }
      }
      if (isDir) {
        let real: string;
        try {
          real = realpathSync.native(path);
        } catch (e) {
          result.errors.push({ path, message: `cannot resolve directory: ${errnoMessage(e)}` });
          continue;
        }
        if (seen.has(real)) {
          result.errors.push({ path, message: 'symbolic link loop; directory already visited, skipped' });
          continue;
        }
        if (entry.isSymbolicLink() && root && real !== root && !real.startsWith(`${root}/`)) {
          // A link out of the rule set (to /, /proc, a home directory) would read the machine, not rules.
          result.errors.push({ path, message: `symbolic link to ${real}, outside ${root}: not followed` });
          continue;
        }
        seen.add(real);
        walk(path, seen, depth + 1);
      } else if (isFile) {
        addFile(path, false);
      }
    }
  };

  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') result.missing.push(arg);
      else result.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
      continue;
    }
    if (st.isDirectory()) {
      const seen = new Set<string>();
      visited = 0;
      stopped = false;
      try {
        root = realpathSync.native(arg);
        seen.add(root);
      } catch {
        // realpath of an accessible directory does not fail in practice; the walk reports any error
      }
      walk(arg, seen);
    } else {
      addFile(arg, true);
    }
  }
  return result;
}

function readZip(path: string, result: CollectResult, accept: (p: string) => boolean): void {
  let zip;
  try {
    zip = readZipEntries(readBounded(path, MAX_INPUT_FILE), (name) => RULE_EXT.test(name) && accept(join(path, name)), MAX_RULE_FILE);
  } catch (e) {
    result.errors.push({ path, message: `cannot read zip archive: ${e instanceof TooLargeError ? e.message : errnoMessage(e)}` });
    return;
  }
  for (const p of zip.problems) result.errors.push({ path: join(path, p.name), message: p.message });
  for (const e of zip.entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    result.files.push({ path: join(path, e.name), text: decodeText(e.data) });
  }
}

export function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    const reasons: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      ENOENT: 'no such file or directory',
      ELOOP: 'too many levels of symbolic links',
      EISDIR: 'is a directory',
      EMFILE: 'too many open files',
    };
    return reasons[err.code] ?? err.code;
  }
  return err instanceof Error ? err.message : String(e);
}
