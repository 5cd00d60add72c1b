/** `check` (the default command): the report in the chosen format and the --fail-under gate. */
import { assessDettect } from '../assess/dettect.js';
import { loadAttackComponents } from '../catalog/attack-components.js';
import { loadCatalog } from '../catalog/load.js';
import { renderCsv } from '../report/csv.js';
import { renderDettect } from '../report/dettect.js';
import { renderHtml } from '../report/html.js';
import { renderJsonPieces } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderNavigator } from '../report/navigator.js';
import { renderSarif } from '../report/sarif.js';
import { renderTable } from '../report/table.js';
import { terminalLine } from '../escape.js';
import { EXIT, runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';
import { checkBaselines } from './baseline.js';
import { gate, readPrevious } from './diff.js';
import { applyScope, loadScope, scopedReadiness } from './changed-scope.js';
import { diffRuns } from '../result/run-diff.js';
import { renderDiff } from '../report/diff.js';
import type { CheckResult } from '../result/result.js';

interface RenderContext {
  paths: string[];
  verbose?: boolean;
  color: boolean;
  top?: number;
}

/**
 * The check report formats: one table from the format name to its renderer. The CLI's --format choices are its
 * keys, so a format is added in one place. JSON is written in pieces: a fleet's report is hundreds of MB and is
 * never held whole for a file.
 */
export const REPORT_FORMATS = {
  table: (r, c) =>
    renderTable(r, { verbose: c.verbose, color: c.color, width: process.stdout.columns ?? (Number(process.env['COLUMNS']) || undefined), top: c.top }),
  json: (r) => renderJsonPieces(r),
  markdown: (r, c) => renderMarkdown(r, { verbose: c.verbose }),
  csv: (r) => renderCsv(r),
  sarif: (r) => renderSarif(r),
  navigator: (r) => renderNavigator(r),
  html: (r, c) => renderHtml(r, { date: reportDate(), inputs: c.paths }),
  dettect: (r) => dettect(r),
} satisfies Record<string, (result: CheckResult, c: RenderContext) => string | Iterable<string>>;

export type ReportFormat = keyof typeof REPORT_FORMATS;

export interface CheckCliOptions extends RuleAndHostCliOptions {
  format: ReportFormat;
  verbose?: boolean;
  output?: string;
  color?: boolean;
  failUnder?: number;
  top?: number;
  /** --baseline NAME (repeatable): the rules against published baselines taken as hosts, instead of the hosts' report. */
  baseline?: string[];
  /** --previous OLD.json: the diff against that run; --fail-on-regression gates on it. */
  previous?: string;
  failOnRegression?: boolean;
  /** --changed-since REF / --files-from FILE: SARIF results and the gate only for the rules of the changed files. */
  changedSince?: string;
  filesFrom?: string;
}

export async function check(paths: string[], opts: CheckCliOptions): Promise<void> {
  if (opts.baseline?.length) {
    const other =
      opts.previous !== undefined
        ? '--previous'
        : opts.changedSince !== undefined
          ? '--changed-since'
          : opts.filesFrom !== undefined
            ? '--files-from'
            : undefined;
    if (other) throw new UsageError(`${other} applies to hosts' reports, not to --baseline`);
    return checkBaselines(paths, opts);
  }
  if (
    opts.failUnder !== undefined &&
    !opts.host?.length &&
    !opts.gpresult?.length &&
    !opts.gpo?.length &&
    !opts.auditpol?.length &&
    !opts.sysmon?.length &&
    !opts.collector?.length
  ) {
    throw new UsageError('--fail-under needs an environment input (--host, --gpresult, --auditpol or --sysmon)');
  }
  // DeTT&CT scores data quality on devices: without a host input every score would be a made-up 0.
  if (opts.format === 'dettect' && !opts.host?.length && !opts.gpresult?.length && !opts.gpo?.length && !opts.auditpol?.length) {
    throw new UsageError('--format dettect scores device completeness from host inputs: give --gpresult, --auditpol, --gpo or --host');
  }
  if (opts.failOnRegression && !opts.previous)
    throw new UsageError('--fail-on-regression needs --previous OLD.json (or use `logsource-check diff OLD.json NEW.json`)');
  // Read before the run: an unusable earlier report is a usage error, said before minutes of work.
  const previous = opts.previous !== undefined ? readPrevious(opts.previous) : undefined;
  const scope = loadScope(paths, opts);
  const run = await runValidated(paths, opts);
  const scoped = scope ? applyScope(run.result, scope, opts) : run.result;
  const runDiff = previous ? diffRuns(previous, scoped, { old: opts.previous }) : undefined;
  // JSON carries the diff as a member; the other formats get it after the report (table, Markdown) or on stderr.
  const result = runDiff && opts.format === 'json' ? { ...scoped, diff: runDiff } : scoped;
  if (result.changed)
    process.stderr.write(
      `logsource-check: ${result.changed.rules} rule(s) in ${result.changed.files.length} changed file(s)${result.changed.since ? ` since ${terminalLine(result.changed.since)}` : ''}: SARIF results and the gate cover only them\n`,
    );
  const toFile = opts.output !== undefined;
  const color = !toFile && opts.color !== false && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  // JSON is written in pieces: a fleet's report is hundreds of MB and is never held whole for a file.
  const text = REPORT_FORMATS[opts.format](result, { paths, verbose: opts.verbose, color, top: opts.top });
  if (toFile) {
    writeOrFail(opts.output as string, text);
    process.stderr.write(`report written to ${opts.output}\n`);
  } else {
    process.stdout.write(typeof text === 'string' ? text : [...text].join(''));
  }
  if (runDiff && opts.format !== 'json') {
    const shown = renderDiff(runDiff, opts.format === 'markdown' ? 'markdown' : 'table', { verbose: opts.verbose });
    if (toFile || (opts.format !== 'table' && opts.format !== 'markdown')) process.stderr.write(`\n${shown}`);
    else process.stdout.write(`\n${shown}`);
  }
  if (runDiff) gate(runDiff, opts.failOnRegression);
  if (opts.failUnder !== undefined && result.readiness) {
    // In a PR scope, the changed rules alone; a host where none of them applies has nothing to gate.
    const figures = result.changed
      ? scopedReadiness(result).filter((h) => h.readiness !== null)
      : result.readiness.hosts.map((h) => ({ name: h.name, readiness: h.summary.readiness }));
    const below = figures.filter((h) => (h.readiness ?? 0) < (opts.failUnder as number));
    if (below.length) {
      const list = terminalLine(
        below
          .slice(0, 10)
          .map((h) => `${h.name} ${h.readiness ?? 0}%`)
          .join(', '),
      );
      process.stderr.write(
        `logsource-check: readiness${result.changed ? ' of the changed rules' : ''} below ${opts.failUnder}% on ${below.length} host(s): ${list}${below.length > 10 ? ', …' : ''}\n`,
      );
      process.exitCode = EXIT.gate;
    }
  }
}

/** Today (UTC), or the day SOURCE_DATE_EPOCH names, so a build that pins it gets the same page twice. */
function reportDate(): string {
  const pinned = Number(process.env['SOURCE_DATE_EPOCH']);
  return new Date(Number.isFinite(pinned) && pinned > 0 ? pinned * 1000 : Date.now()).toISOString().slice(0, 10);
}

function dettect(result: Parameters<typeof renderDettect>[0]): string {
  const catalog = loadCatalog();
  return renderDettect(result, assessDettect(result, loadAttackComponents(catalog), catalog));
}
