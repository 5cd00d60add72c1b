/**
 * Where the package's files are, for every way the code runs: from src/ (the tests), from dist/ (tsc's
 * output), and from the single-file bundle dist/logsource-check.mjs (what the installed command runs).
 * This module sits at the top of the code folder, so its own folder is that folder in all three cases.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/ or dist/: the folder of the running code (the bundle is in dist/ too). */
export const CODE_DIR = dirname(fileURLToPath(import.meta.url));
/** The package: package.json, data/, dist/. */
export const PACKAGE_DIR = dirname(CODE_DIR);
/** A module of the tsc build beside the running code (the parse worker; the files the cache key hashes). */
export const codeFile = (...parts: string[]): string => join(CODE_DIR, ...parts);
