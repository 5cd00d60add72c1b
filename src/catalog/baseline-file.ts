/**
 * A baseline of your own (--baseline FILE, `baseline FILE`): a YAML file in the schema of the shipped baselines
 * (data/README.md, "baselines/"), validated by the same code against the catalog. Every problem is one line naming
 * the file and the place in it; a file with any problem is not used (a half-read baseline would compare wrongly).
 */
import { statSync } from 'node:fs';
import { decodeText } from '../io/decode.js';
import { lazy } from '../lazy.js';
import { LIMITS, readRegular } from '../limits.js';
import { readFile, type Baseline } from './baselines.js';
import type { Catalog } from './catalog.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export class BaselineFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path}: ${problems.length} problem(s): not a usable baseline file (schema: data/README.md, "baselines/")`);
  }
}

/** Whether --baseline VALUE names a file rather than a shipped baseline: an existing regular file, or a .yaml/.yml name. */
export function isBaselineFile(value: string): boolean {
  if (/\.ya?ml$/i.test(value)) return true;
  try {
    return statSync(value).isFile();
  } catch {
    return false;
  }
}

export function loadBaselineFile(path: string, catalog: Catalog): Baseline[] {
  let text: string;
  try {
    text = decodeText(readRegular(path, LIMITS.baselineFileBytes));
  } catch (e) {
    throw new BaselineFileError(path, [`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  let doc: unknown;
  try {
    // Aliases are bounded by the yaml package (maxAliasCount 100): a billion-laughs file fails here.
    doc = yaml().parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (e) {
    throw new BaselineFileError(path, [`${path}: not YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const problems: string[] = [];
  const list = readFile(path, doc, catalog, problems, path);
  const names = list.map((b) => b.name);
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`${path}: baselines: name "${n}" is defined twice`);
  if (problems.length) throw new BaselineFileError(path, problems);
  return list;
}
