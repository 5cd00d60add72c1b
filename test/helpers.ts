import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/logsource-check.mjs', import.meta.url));
export const CORPUS = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
export const HAVE_CORPUS = existsSync(CORPUS);
// CI runs with the shared corpus beside the clone: there a missing corpus is a broken setup, never a skip.
if (process.env['REQUIRE_CORPUS'] === '1' && !HAVE_CORPUS)
  throw new Error(`REQUIRE_CORPUS=1 but ${CORPUS} is absent: the corpus integration tests would all be skipped`);

/**
 * A golden file of test/golden/: its parsed JSON, compared by the caller with toEqual (a failure is a JSON diff).
 * With UPDATE_GOLDEN=1 (`npm run golden:update`) the file is rewritten from `actual` first, for changes made on
 * purpose; the commit that does so says why.
 */
export function golden<T>(name: string, actual: T): T {
  const path = join(ROOT, 'test', 'golden', name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A parse cache of the test run's own, never the user's. */
const CACHE = mkdtempSync(join(tmpdir(), 'lsc-test-cache-'));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would (`npm test` builds it first), without the user's parse cache. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LOGSOURCE_CHECK_CACHE_DIR: CACHE, ...opts.env },
    maxBuffer: 1 << 28,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Integration tests over ../shared/corpus skip with a visible message when it is absent (fresh clone). */
export function corpusOrSkip(what: string): boolean {
  if (!HAVE_CORPUS) console.warn(`SKIPPED ${what}: ${CORPUS} is absent (it is present in CI and in developer sessions)`);
  return HAVE_CORPUS;
}

/** Deep equality that sees key order, -0 and NaN, and the difference between an array and an object. */
export function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A small seeded generator (mulberry32): the mutations are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
