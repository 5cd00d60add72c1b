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

export interface CheckCliOptions extends RuleAndHostCliOptions {
  format: 'table' | 'json' | 'markdown' | 'csv' | 'sarif' | 'navigator' | 'html' | 'dettect';
  verbose?: boolean;
  output?: string;
  color?: boolean;
  failUnder?: number;
  top?: number;
  /** --baseline NAME (repeatable): the rules against published baselines taken as hosts, instead of the hosts' report. */
  baseline?: string[];
}

export async function check(paths: string[], opts: CheckCliOptions): Promise<void> {
  if (opts.baseline?.length) return checkBaselines(paths, opts);
  if (opts.failUnder !== undefined && !opts.host?.length && !opts.gpresult?.length && !opts.gpo?.length && !opts.auditpol?.length && !opts.sysmon?.length && !opts.collector?.length) {
    throw new UsageError('--fail-under needs an environment input (--host, --gpresult, --auditpol or --sysmon)');
  }
  // DeTT&CT scores data quality on devices: without a host input every score would be a made-up 0.
  if (opts.format === 'dettect' && !opts.host?.length && !opts.gpresult?.length && !opts.gpo?.length && !opts.auditpol?.length) {
    throw new UsageError('--format dettect scores device completeness from host inputs: give --gpresult, --auditpol, --gpo or --host');
  }
  const { result } = await runValidated(paths, opts);
  const toFile = opts.output !== undefined;
  const color = !toFile && opts.color !== false && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  // JSON is written in pieces: a fleet's report is hundreds of MB and is never held whole for a file.
  const text: string | Iterable<string> =
    opts.format === 'json'
      ? renderJsonPieces(result)
      : opts.format === 'markdown'
        ? renderMarkdown(result, { verbose: opts.verbose })
        : opts.format === 'csv'
          ? renderCsv(result)
          : opts.format === 'sarif'
            ? renderSarif(result)
            : opts.format === 'navigator'
              ? renderNavigator(result)
              : opts.format === 'dettect'
                ? dettect(result)
              : opts.format === 'html'
                ? renderHtml(result, { date: reportDate(), inputs: paths })
                : renderTable(result, { verbose: opts.verbose, color, width: process.stdout.columns ?? (Number(process.env['COLUMNS']) || undefined), top: opts.top });
  if (toFile) {
    writeOrFail(opts.output as string, text);
    process.stderr.write(`report written to ${opts.output}\n`);
  } else {
    process.stdout.write(typeof text === 'string' ? text : [...text].join(''));
  }
  if (opts.failUnder !== undefined && result.readiness) {
    const below = result.readiness.hosts.filter((h) => (h.summary.readiness ?? 0) < (opts.failUnder as number));
    if (below.length) {
      const list = terminalLine(below.slice(0, 10).map((h) => `${h.name} ${h.summary.readiness ?? 0}%`).join(', '));
      process.stderr.write(`logsource-check: readiness below ${opts.failUnder}% on ${below.length} host(s): ${list}${below.length > 10 ? ', …' : ''}\n`);
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
