import { loadCatalog } from './catalog/load.js';
import { buildResult, type CheckResult } from './report/result.js';
import { resolveAll } from './requirements/resolve.js';
import { fastParser } from './rules/fastparse.js';
import { loadRules, type LoadOptions, type LoadResult } from './rules/load.js';
import { VERSION } from './version.js';

export interface CheckOptions extends Omit<LoadOptions, 'parse'> {
  /** Directory of the parse cache; false disables it. */
  cacheDir?: string | false;
  workers?: boolean;
  dataDir?: string;
}

export interface CheckRun {
  result: CheckResult;
  load: LoadResult;
}

/** The whole pipeline for one invocation: load rules → resolve against the catalog → one result object. */
export async function runCheck(paths: readonly string[], options: CheckOptions = {}): Promise<CheckRun> {
  const catalog = loadCatalog(options.dataDir);
  const load = await loadRules(paths, { ...options, parse: fastParser({ cacheDir: options.cacheDir ?? false, workers: options.workers }) });
  const resolutions = resolveAll(load.rules, catalog);
  return { result: buildResult(load, resolutions, catalog, VERSION), load };
}
