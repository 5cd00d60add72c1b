/**
 * Parsing YAML is nearly all of a scan's time (≈1 ms per rule file with the `yaml` package on this
 * class of machine). Two remedies, both invisible in the results:
 *  - an on-disk cache of parse results keyed by a hash of (parser code, path, file content), so an
 *    unchanged rule is never parsed twice;
 *  - worker threads for the files the cache does not have, when there are enough of them to pay for
 *    the workers' start-up.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RuleFile } from './files.js';
import { LIMITS, readRegular } from '../limits.js';
import { parseInThread, type RuleParser } from './load.js';
import type { ParsedFile } from './parse.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'parse-worker.js');
/** Below this many files to parse, workers cost more than they save. */
const WORKER_THRESHOLD = 400;
/** Entries kept in the cache file across runs over different rule sets. */
const MAX_ENTRIES = 30_000;

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'logsource-check');
}

/** Hash of the modules whose output is cached: changing the parser invalidates every entry. */
function parserFingerprint(): string {
  const h = createHash('sha1');
  for (const f of ['parse', 'detection', 'condition', 'model', 'tolerant']) {
    for (const ext of ['.js', '.ts']) {
      const p = join(HERE, f + ext);
      if (existsSync(p)) h.update(readFileSync(p));
    }
  }
  return h.digest('hex');
}

interface CacheFile {
  fingerprint: string;
  entries: Record<string, ParsedFile>;
}

export interface FastParserOptions {
  cacheDir?: string | false;
  workers?: boolean;
}

export function fastParser(opts: FastParserOptions = {}): RuleParser {
  return async (files, onProgress) => {
    const fingerprint = parserFingerprint();
    const cachePath = opts.cacheDir ? join(opts.cacheDir, 'parse-cache.json') : undefined;
    const cache = cachePath ? readCache(cachePath, fingerprint) : undefined;

    // Keyed by content alone, so the same rules reached by another path or from another directory still hit.
    const keys = files.map((f) => createHash('sha1').update(f.text).digest('base64url'));
    const results: (ParsedFile | undefined)[] = keys.map((k, i) => {
      const hit = cache?.entries[k];
      return hit && withPath(hit, (files[i] as RuleFile).path);
    });
    const missIdx = results.flatMap((r, i) => (r ? [] : [i]));
    const misses = missIdx.map((i) => files[i] as RuleFile);

    const useWorkers = opts.workers !== false && misses.length >= WORKER_THRESHOLD && existsSync(WORKER) && availableParallelism() > 1;
    const parsed = useWorkers ? await parseInWorkers(misses, onProgress) : await parseInThread(misses, onProgress);
    missIdx.forEach((fileIdx, j) => (results[fileIdx] = parsed[j]));

    if (cachePath && misses.length) {
      const entries: Record<string, ParsedFile> = {};
      keys.forEach((k, i) => (entries[k] = withPath(results[i] as ParsedFile, '', (files[i] as RuleFile).path)));
      // Keep entries of other rule sets too, up to a bound, newest first.
      let room = MAX_ENTRIES - keys.length;
      for (const [k, v] of Object.entries(cache?.entries ?? {})) {
        if (room-- <= 0) break;
        if (!(k in entries)) entries[k] = v;
      }
      writeCache(cachePath, { fingerprint, entries });
    }
    return results as ParsedFile[];
  };
}

/**
 * Re-bases every path in a parse result: cache entries are stored with the file's path cut off ('' prefix)
 * and get the path of the file being scanned back when read.
 */
function withPath(parsed: ParsedFile, path: string, from = ''): ParsedFile {
  const rebase = (p: string) => path + p.slice(from.length);
  return {
    rules: parsed.rules.map((r) => ({ ...r, path: rebase(r.path) })),
    errors: parsed.errors.map((e) => ({ ...e, path: rebase(e.path) })),
    notes: parsed.notes.map((n) => ({ ...n, path: rebase(n.path) })),
  };
}

function readCache(path: string, fingerprint: string): CacheFile | undefined {
  try {
    // The cache file is an input like any other: a FIFO or a link to /dev/zero there is refused, not read.
    const data = JSON.parse(readRegular(path, LIMITS.inputFileBytes).toString('utf8')) as CacheFile;
    return data.fingerprint === fingerprint && typeof data.entries === 'object' ? data : undefined;
  } catch {
    return undefined; // absent or damaged: parse afresh and rewrite it
  }
}

function writeCache(path: string, data: CacheFile): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, path); // atomic: a concurrent run reads the old or the new file, never half of one
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

async function parseInWorkers(files: RuleFile[], onProgress?: (done: number, total: number) => void): Promise<ParsedFile[]> {
  const n = Math.min(availableParallelism(), 4);
  const chunk = Math.ceil(files.length / n);
  let done = 0;
  const parts = await Promise.all(
    Array.from({ length: n }, (_, w) => {
      const slice = files.slice(w * chunk, (w + 1) * chunk);
      return new Promise<ParsedFile[]>((resolve, reject) => {
        const worker = new Worker(WORKER, { workerData: slice });
        worker.on('message', (msg: { progress?: number; result?: ParsedFile[] }) => {
          if (msg.progress) {
            done += msg.progress;
            onProgress?.(done, files.length);
          }
          if (msg.result) resolve(msg.result);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => code !== 0 && reject(new Error(`parse worker exited with code ${code}`)));
      });
    }),
  );
  return parts.flat();
}
