/** `fix`: remediation files for what the hosts lack. */
import { join } from 'node:path';
import { loadCatalog } from '../catalog/load.js';
import { terminalLine } from '../escape.js';
import { FIX_DEFAULT_MAX_VOLUME } from '../generate/fix-budget.js';
import { fixPlans } from '../generate/fix-plans.js';
import type { PlanChoice } from '../generate/plans.js';
import { renderHtml } from '../report/html.js';
import { renderJsonPieces } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { hostPlanLine, planLine, sysmonFileLines } from '../generate/plans-text.js';
import { LimitError, makeOutputDir, writeOutput } from '../limits.js';
import { loadObservations } from '../observe/load.js';
import { MeasuredIndex } from '../assess/measured-cost.js';
import { hostLogSizes } from '../assess/retention.js';
import { withMeasured } from '../result/measured.js';
import { verdictLine } from '../report/text.js';
import { budgetLine } from '../report/volume-text.js';
import { runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

/** Per-host lines shown on the console before the rest is left to README.txt. */
const CONSOLE_LINES = 10;

export interface FixCliOptions extends RuleAndHostCliOptions {
  out: string;
  plan?: PlanChoice;
  /** Reports with the projection: format from the extension (.json, .md, .html). */
  report?: string[];
}

const REPORT = /\.(json|md|markdown|html?)$/i;

export async function fix(paths: string[], opts: FixCliOptions): Promise<void> {
  if (!opts.host?.length && !opts.gpresult?.length && !opts.gpo?.length && !opts.auditpol?.length && !opts.sysmon?.length)
    throw new UsageError('fix needs what the host has: --host, --gpresult, --gpo, --auditpol and/or --sysmon');
  // --observed tells what the settings cost and how long the logs hold (measured-cost.ts, retention.ts): it is read
  // apart, so it changes no verdict; the files' comments carry the measured figures, and --rank value orders by them.
  const bad = opts.report?.find((r) => !REPORT.test(r));
  if (bad) throw new UsageError(`--report ${bad}: the file name must end in .json, .md or .html (it picks the format)`);
  const observed = opts.observed?.length ? loadObservations(opts.observed) : undefined;
  if (observed?.missing.length) throw new UsageError(`no such file or directory: ${observed.missing.join(', ')}`);
  // A budget by default: high-volume settings are written only when asked for (--max-volume high).
  const maxVolume = opts.maxVolume ?? FIX_DEFAULT_MAX_VOLUME;
  // The remediation files are written per host from its inputs: every host is kept.
  const run = await runValidated(paths, { ...opts, observed: undefined, maxVolume }, { keepHosts: true });
  if (!run.assessment) throw new Error('fix: the run kept no host assessment');
  const catalog = loadCatalog();
  const measured = observed ? new MeasuredIndex(observed, catalog) : undefined;
  const plans = fixPlans(run.result, run.assessment, catalog, run.environment?.hosts ?? [], run.load.rules, {
    plan: opts.plan ?? 'both',
    maxVolume,
    vol: { maxVolume, rank: opts.rank, ...(measured ? { measured } : {}) },
    state: { assumeDefaults: opts.assumeDefaults },
    observed,
  });
  const { files, notes, summary, warnings, projection } = plans;
  // The reports (--report) carry the measured figures too: the ranking above was made without the evidence.
  const result = withMeasured(plans.result, measured, (run.environment?.hosts ?? []).map(hostLogSizes));
  try {
    makeOutputDir(opts.out);
    // Fixed file names joined to --out: nothing is written outside it.
    for (const f of files) writeOutput(join(opts.out, f.name), f.content);
  } catch (e) {
    throw new UsageError(
      e instanceof LimitError
        ? `cannot write into ${opts.out}: ${e.message}`
        : `cannot write into ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  for (const r of opts.report ?? []) {
    const ext = (REPORT.exec(r)?.[1] ?? '').toLowerCase();
    writeOrFail(
      r,
      ext === 'json'
        ? renderJsonPieces(result)
        : ext.startsWith('htm')
          ? renderHtml(result, { date: new Date().toISOString().slice(0, 10), inputs: paths })
          : renderMarkdown(result),
    );
  }
  const rd = result.readiness;
  process.stdout.write(rd ? `readiness now: ${verdictLine(rd.verdicts, rd.hosts.length)}\n` : '');
  // The readiness each plan reaches (re-assessed with its settings applied), per host on a fleet.
  process.stdout.write(`projected: ${terminalLine(planLine(projection))}\n`);
  if (projection.hosts.length > 1) for (const s of projection.hosts.slice(0, CONSOLE_LINES).map(hostPlanLine)) process.stdout.write(`  ${terminalLine(s)}\n`);
  if (projection.hosts.length > CONSOLE_LINES) process.stdout.write(`  … ${projection.hosts.length - CONSOLE_LINES} more hosts in README.txt\n`);
  for (const s of sysmonFileLines(projection, projection.hosts.length)) process.stdout.write(`  ${terminalLine(s)}\n`);
  for (const n of projection.notes.slice(0, CONSOLE_LINES)) process.stdout.write(`  ${terminalLine(n)}\n`);
  // A budget the user chose: its fix-by-fix list too (the default budget is summed up in the left-out line).
  const cut = rd && opts.maxVolume && budgetLine(rd);
  if (cut) process.stdout.write(`${terminalLine(cut)}\n`);
  if (!files.length) process.stdout.write('nothing to write: no setting that a file can carry is missing\n');
  for (const f of files) process.stdout.write(`wrote ${join(opts.out, f.name)} (${f.settings} setting${f.settings === 1 ? '' : 's'})\n`);
  // A fleet: the first lines per kind on the console, every host in README.txt.
  const some = (list: string[], what: string) => [
    ...list.slice(0, CONSOLE_LINES),
    ...(list.length > CONSOLE_LINES ? [`… ${list.length - CONSOLE_LINES} more ${what} in README.txt`] : []),
  ];
  const left = summary.filter((s) => s.startsWith('left out'));
  const logs = summary.filter((s) => !s.startsWith('left out'));
  for (const s of [...left, ...some(logs, 'Security log lines')]) process.stdout.write(`${terminalLine(s)}\n`);
  for (const w of some(warnings, 'warnings')) process.stdout.write(`WARNING: ${terminalLine(w)}\n`);
  for (const n of notes) process.stdout.write(`note: ${terminalLine(n)}\n`);
  for (const e of observed?.errors ?? []) process.stdout.write(`note: ${terminalLine(`${e.path}: ${e.message}`)}\n`);
  for (const r of opts.report ?? []) process.stdout.write(`report written to ${terminalLine(r)}\n`);
}
