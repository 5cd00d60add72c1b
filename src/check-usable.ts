/**
 * What makes a run unusable, decided by the engine (not the CLI): a path that does not exist, a --role for a host
 * no input names, host inputs none of which could be read, no Sigma rule at all. A program calling runCheck gets
 * an UnusableInputError; the CLI turns it into one line and exit code 2.
 */
import type { LoadResult } from './rules/load.js';
import type { Environment } from './environment/load.js';
import type { CheckResult } from './result/result.js';

export class UnusableInputError extends Error {
  constructor(
    message: string,
    /** The paths that do not exist, when that is the reason. */
    readonly missing: string[] = [],
  ) {
    super(message);
    this.name = 'UnusableInputError';
  }
}

/** Throws UnusableInputError when the run cannot stand for what was asked; returns otherwise. */
export function checkUsable(
  paths: readonly string[],
  run: { result: CheckResult; load: LoadResult; environment?: Environment; observations?: { missing: string[] } },
): void {
  const { result, load, environment } = run;
  const missing = [...load.missing, ...(environment?.missing ?? []), ...(run.observations?.missing ?? [])];
  if (missing.length) throw new UnusableInputError(`no such file or directory: ${missing.join(', ')}`, missing);
  // A --role for a host no input names is a typo or the wrong inputs: a report that ignores it would assess the
  // host without the role the user stated.
  const lostRole = environment?.errors.find((e) => e.path === '--role' && e.message.startsWith('no host named'));
  if (lostRole) throw new UnusableInputError(`--role: ${lostRole.message}`);
  if (environment && !environment.hostCount) {
    throw new UnusableInputError(`no usable environment input: ${environment.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || 'no files found'}`);
  }
  if (result.summary.rulesScanned === 0) {
    const why = load.errors.length
      ? ` (${load.errors.length} file error${load.errors.length > 1 ? 's' : ''}: ${load.errors[0]?.path}: ${load.errors[0]?.message})`
      : '';
    const skipped = load.skipped.status + load.skipped.level;
    throw new UnusableInputError(`no Sigma rule found in ${paths.join(', ')}${skipped ? ` (${skipped} skipped by the status/level filter)` : ''}${why}`);
  }
}
