/** `diff OLD.json NEW.json`, and `check --previous OLD.json`: what changed between two runs, and the regression gate. */
import { diffRuns, type RunDiff } from '../result/run-diff.js';
import { regressionLine, renderDiff, type DiffFormat } from '../report/diff.js';
import { readReport, ReportError } from '../result/read-report.js';
import type { CheckResult } from '../result/result.js';
import { EXIT, UsageError, writeOrFail } from './common.js';

export interface DiffCliOptions {
  format: DiffFormat;
  output?: string;
  verbose?: boolean;
  failOnRegression?: boolean;
}

/** A report file, or a usage error (exit 2) naming the file and what is wrong with it. */
export function readPrevious(path: string): CheckResult {
  try {
    return readReport(path);
  } catch (e) {
    if (e instanceof ReportError) throw new UsageError(e.message);
    throw e;
  }
}

export function diff(oldPath: string, newPath: string, opts: DiffCliOptions): void {
  const before = readPrevious(oldPath);
  const after = readPrevious(newPath);
  const d = diffRuns(before, after, { old: oldPath, new: newPath });
  const text = renderDiff(d, opts.format, { verbose: opts.verbose });
  if (opts.output !== undefined) {
    writeOrFail(opts.output, text);
    process.stderr.write(`diff written to ${opts.output}\n`);
  } else process.stdout.write(text);
  gate(d, opts.failOnRegression);
}

/** --fail-on-regression: exit 1 when any rule lost readiness on any host (report/run-diff.ts LOSSES). */
export function gate(d: RunDiff, on: boolean | undefined): void {
  if (on && d.incomparable) throw new UsageError(`--fail-on-regression: ${d.incomparable}`);
  if (!on || !d.summary.lost) return;
  process.stderr.write(`logsource-check: ${regressionLine(d)}\n`);
  process.exitCode = EXIT.gate;
}
