/**
 * What every cache entry is keyed by: the package version, a hash of the running code, and the input limits.
 * An upgrade, a local edit of any module, or a changed limit (a result read under other bounds) then never
 * serves a stale result. The running code is the single-file bundle when the installed command runs (one
 * file to hash), else every module of the tsc build or of src/ (the tests).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS } from '../limits.js';
import { CODE_DIR } from '../paths.js';
import { VERSION } from '../version.js';

/** The file this module was loaded from: the bundle itself when the bundle runs. */
const HERE = fileURLToPath(import.meta.url);
const BUNDLE = 'logsource-check.mjs';

let codeHash: string | undefined;

/** Hash of the code that runs (computed once per process: code does not change under a running process). */
export function codeDigest(): string {
  if (codeHash) return codeHash;
  const h = createHash('sha1');
  if (HERE.endsWith(BUNDLE)) h.update(readFileSync(HERE));
  else for (const file of moduleFiles(CODE_DIR)) h.update(file.slice(CODE_DIR.length)).update('\0').update(readFileSync(file));
  return (codeHash = h.digest('hex'));
}

/** Modules under dir, sorted: .js and .ts sources, not declarations, maps or the bundle. */
function moduleFiles(dir: string, depth = 0): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // an unreadable folder: the version and the other modules still key the cache
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory() && depth < 4) out.push(...moduleFiles(p, depth + 1));
    else if (e.isFile() && /\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts') && e.name !== BUNDLE) out.push(p);
  }
  return out;
}

/** The key of a cache kind ("parse", "resolved"): version, code, limits as they are now, and extra parts. */
export function cacheKey(kind: string, ...extra: string[]): string {
  const h = createHash('sha1').update(`${kind}\0${VERSION}\0${codeDigest()}\0${JSON.stringify(LIMITS)}`);
  for (const part of extra) h.update('\0').update(part);
  return h.digest('hex');
}
