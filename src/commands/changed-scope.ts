/**
 * check --changed-since REF / --files-from FILE: the rules of the changed files are marked in the result; SARIF
 * reports only them and --fail-under is computed over them alone (docs/ci.md, "Pull requests").
 */
import { hostVerdicts } from '../result/run-diff.js';
import type { CheckResult } from '../result/result.js';
import { changedSince, ChangedError, filesFrom, isChanged, type ChangedFiles } from '../rules/changed.js';
import { UsageError } from './common.js';

export interface ScopeOptions {
  changedSince?: string;
  filesFrom?: string;
}

/** The changed files, read before the run (a bad ref is said before minutes of work). */
export function loadScope(paths: readonly string[], opts: ScopeOptions): ChangedFiles | undefined {
  if (opts.changedSince !== undefined && opts.filesFrom !== undefined) throw new UsageError('give --changed-since or --files-from, not both');
  try {
    if (opts.changedSince !== undefined) return changedSince(opts.changedSince, paths);
    if (opts.filesFrom !== undefined) return filesFrom(opts.filesFrom);
  } catch (e) {
    if (e instanceof ChangedError) throw new UsageError(e.message);
    throw e;
  }
  return undefined;
}

export function applyScope(result: CheckResult, files: ChangedFiles, opts: ScopeOptions): CheckResult {
  let n = 0;
  const rules = result.rules.map((r) => {
    if (!isChanged(files, r.path)) return r;
    n++;
    return { ...r, changed: true as const };
  });
  return {
    ...result,
    rules,
    changed: {
      ...(opts.changedSince !== undefined ? { since: opts.changedSince } : {}),
      ...(opts.filesFrom !== undefined ? { filesFrom: opts.filesFrom } : {}),
      files: files.listed,
      rules: n,
    },
  };
}

/**
 * Per host, ready ÷ applicable (ready, partial, blocked, unknown) over the changed rules only. A host where no
 * changed rule applies has nothing to gate (null), and neither has a run where no rule file changed.
 */
export function scopedReadiness(result: CheckResult): { name: string; readiness: number | null }[] {
  const hosts = hostVerdicts(result) ?? [];
  const changed = result.rules.flatMap((r, i) => (r.changed && r.kind === 'rule' ? [i] : []));
  return hosts.map((h) => {
    let ready = 0;
    let applicable = 0;
    for (const i of changed) {
      const v = h.verdicts(i).verdict;
      if (v === 'not-applicable' || v === 'out-of-scope') continue;
      applicable++;
      if (v === 'ready') ready++;
    }
    return { name: h.name, readiness: applicable ? Math.round((1000 * ready) / applicable) / 10 : null };
  });
}
