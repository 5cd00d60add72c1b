import { lazy } from '../lazy.js';
import { collectRuleFiles, isCached, type CollectedFile, type ReuseHook } from './files.js';
import { LEVEL_ORDER, STATUS_ORDER, type LoadError, type LoadNote, type LoadedRule } from './model.js';
import { parseRuleFile, type ParsedFile } from './parse.js';
import { append } from '../lines.js';

export interface LoadOptions {
  /** Lowest status kept. Undefined: keep everything but `deprecated` and `unsupported`. */
  minStatus?: string;
  allStatuses?: boolean;
  minLevel?: string;
  include?: string[];
  exclude?: string[];
  /** Parses many files; lets the CLI swap in a cached or parallel parser. */
  parse?: RuleParser;
  onProgress?: (done: number, total: number) => void;
}

export type RuleParser = ((files: CollectedFile[], onProgress?: (done: number, total: number) => void) => ParsedFile[] | Promise<ParsedFile[]>) & {
  /** A parser with a cache lets the collection skip reading files the cache vouches for (src/rules/files.ts). */
  reuse?: ReuseHook;
};

/** Parses in this thread, reporting progress every 100 files. */
export const parseInThread: RuleParser = (files, onProgress) =>
  files.map((f, i) => {
    if (onProgress && i % 100 === 0) onProgress(i, files.length);
    // Only a parser with a reuse hook is given files it has not read: reaching here is a programming error.
    if (isCached(f)) throw new Error(`${f.path}: a cached file reached a parser without the cache`);
    return parseRuleFile(f.path, f.text);
  });

export interface LoadResult {
  rules: LoadedRule[];
  errors: LoadError[];
  notes: LoadNote[];
  missing: string[];
  filesRead: number;
  /** Rules dropped by --min-status / --min-level. */
  skipped: { status: number; level: number };
}

export class OptionError extends Error {}

export async function loadRules(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const keepStatus = statusFilter(options);
  const keepLevel = levelFilter(options.minLevel);
  const accept = pathFilter(options.include, options.exclude);

  const collected = collectRuleFiles(paths, { accept, reuse: options.parse?.reuse });
  const result: LoadResult = {
    rules: [],
    errors: [...collected.errors],
    notes: [...collected.notes],
    missing: collected.missing,
    filesRead: collected.files.length,
    skipped: { status: 0, level: 0 },
  };
  const parse = options.parse ?? parseInThread;
  const parsed = await parse(collected.files, options.onProgress);
  parsed.forEach((p) => {
    append(result.errors, p.errors);
    append(result.notes, p.notes);
    for (const rule of p.rules) {
      if (!keepStatus(rule.status)) result.skipped.status++;
      else if (!keepLevel(rule.level)) result.skipped.level++;
      else result.rules.push(rule);
    }
  });
  return result;
}

function statusFilter(o: LoadOptions): (s: string | undefined) => boolean {
  if (o.allStatuses) return () => true;
  if (o.minStatus === undefined) return (s) => s !== 'deprecated' && s !== 'unsupported';
  const min = STATUS_ORDER.indexOf(o.minStatus.toLowerCase() as never);
  if (min < 0) throw new OptionError(`--min-status must be one of ${STATUS_ORDER.join(', ')}; got "${o.minStatus}"`);
  // A rule without a status is kept: the filter is about rules that say they are weaker.
  return (s) => s === undefined || STATUS_ORDER.indexOf(s as never) >= min;
}

function levelFilter(minLevel: string | undefined): (l: string | undefined) => boolean {
  if (minLevel === undefined) return () => true;
  const min = LEVEL_ORDER.indexOf(minLevel.toLowerCase() as never);
  if (min < 0) throw new OptionError(`--min-level must be one of ${LEVEL_ORDER.join(', ')}; got "${minLevel}"`);
  return (l) => l !== undefined && LEVEL_ORDER.indexOf(l as never) >= min;
}

const picomatch = lazy<typeof import('picomatch')>('picomatch');

function pathFilter(include: string[] | undefined, exclude: string[] | undefined): (p: string) => boolean {
  const opts = { dot: true, basename: false };
  // A pattern without a slash matches the file name, one with a slash the whole reported path.
  const compile = (patterns: string[]) =>
    patterns.map((pat) => {
      try {
        return pat.includes('/') ? picomatch()(pat, opts) : picomatch()(pat, { ...opts, basename: true });
      } catch (e) {
        // picomatch refuses patterns over 64 KiB and a few malformed ones: an unusable option, said as such.
        throw new OptionError(`--include/--exclude pattern of ${pat.length} characters cannot be used: ${(e as Error).message}`);
      }
    });
  const inc = include?.length ? compile(include) : undefined;
  const exc = exclude?.length ? compile(exclude) : [];
  return (p) => {
    const posix = p.split('\\').join('/');
    if (inc && !inc.some((m) => m(posix))) return false;
    return !exc.some((m) => m(posix));
  };
}
