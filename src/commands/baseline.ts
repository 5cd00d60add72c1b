/**
 * `baseline NAME [host inputs]` (hosts against one published baseline, setting by setting), `baseline --list`,
 * and `check --baseline NAME…` (the rule set against baselines taken as hosts, side by side).
 */
import { assessBaselines } from '../assess/baseline-check.js';
import { baselineFamilies, baselineFamily, findBaseline, loadBaselines, type Baseline } from '../catalog/baselines.js';
import type { Catalog } from '../catalog/catalog.js';
import { BaselineFileError, isBaselineFile, loadBaselineFile } from '../catalog/baseline-file.js';
import { loadCatalog } from '../catalog/load.js';
import { MappingError, withMappings } from '../catalog/mappings.js';
import { hasEnvironmentInputs } from '../environment/load.js';
import { runBaseline } from '../baseline.js';
import { UnusableInputError } from '../check-usable.js';
import { terminalLine } from '../escape.js';
import { renderBaselineCheck } from '../report/baseline-check.js';
import { renderBaselineComparison, renderBaselineList, type BaselineFormat } from '../report/baseline.js';
import { EXIT, readMappings, runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface BaselineCliOptions {
  list?: boolean;
  format: BaselineFormat;
  output?: string;
  verbose?: boolean;
  failUnder?: number;
  host?: string[];
  gpresult?: string[];
  auditpol?: string[];
  sysmon?: string[];
  collector?: string[];
  role?: string[];
  assumeDefaults?: boolean;
}

/** A baseline file of the user's (every problem one line on stderr), or a usage error. */
function ownBaselines(path: string, catalog: Catalog): Baseline[] {
  try {
    return loadBaselineFile(path, catalog);
  } catch (e) {
    if (!(e instanceof BaselineFileError)) throw e;
    if (e.problems.length === 1) throw new UsageError(e.problems[0]);
    for (const p of e.problems.slice(0, 100)) process.stderr.write(`logsource-check: ${terminalLine(p)}\n`);
    if (e.problems.length > 100) process.stderr.write(`logsource-check: … and ${e.problems.length - 100} more problem(s)\n`);
    throw new UsageError(e.message);
  }
}

/** The named baselines (a name that is a file: the baselines it defines), or a usage error that lists the known names. */
function pick(all: Baseline[], names: string[], catalog?: Catalog): Baseline[] {
  return names.flatMap((name) => {
    if (catalog && isBaselineFile(name)) return ownBaselines(name, catalog);
    const b = findBaseline(all, name);
    // A family name stands for all its variants (check --baseline windows-default: one host per computer type).
    const family = b ? undefined : baselineFamily(all, name);
    if (family) return family;
    if (!b)
      throw new UsageError(`unknown baseline "${name}" (known: ${all.map((x) => x.name).join(', ')}; \`logsource-check baseline --list\` describes them)`);
    return b;
  });
}

function emit(text: string, output: string | undefined, what: string): void {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  writeOrFail(output, text);
  process.stderr.write(`${what} written to ${output}\n`);
}

export function baseline(name: string | undefined, opts: BaselineCliOptions): void {
  const catalog = loadCatalog();
  const all = loadBaselines(catalog);
  if (opts.list || name === 'list') {
    emit(renderBaselineList(all, opts.format, baselineFamilies(all)), opts.output, 'baseline list');
    return;
  }
  if (!name) throw new UsageError('name a baseline (`logsource-check baseline --list` shows them) and give host inputs (--gpresult, --auditpol, --host)');
  if (isBaselineFile(name)) ownBaselines(name, catalog); // a file with problems: each one line, then exit 2
  let run;
  try {
    run = runBaseline({
      baseline: name,
      inputs: { host: opts.host, gpresult: opts.gpresult, auditpol: opts.auditpol, sysmon: opts.sysmon, collector: opts.collector, roles: opts.role },
      assumeDefaults: opts.assumeDefaults,
      catalog,
    });
  } catch (e) {
    if (!(e instanceof UnusableInputError)) throw e;
    // Hosts not compared come first, one line each; the last line is why nothing was.
    const lines = e.message.split('\n');
    for (const l of lines.slice(0, -1)) process.stderr.write(`logsource-check: ${terminalLine(l)}\n`);
    throw new UsageError(lines[lines.length - 1]);
  }
  for (const e of run.errors) process.stderr.write(`logsource-check: ${terminalLine(`${e.path}: ${e.message}`)}\n`);
  for (const s of run.skipped) process.stderr.write(`logsource-check: ${terminalLine(`${s.host}: ${s.reason}`)}\n`);
  const b = run.groups[0]!.baseline;
  const compared = run.groups.flatMap((g) => g.hosts);
  const parts = run.groups.map((g) => renderBaselineComparison(g.baseline, g.hosts, opts.format, { verbose: opts.verbose, width: process.stdout.columns }));
  const hosts = compared;
  // Several groups in JSON: one array of the per-baseline documents.
  const text = parts.length === 1 ? parts[0]! : opts.format === 'json' ? `[${parts.map((t) => t.trim()).join(',\n')}]\n` : parts.join('\n');
  emit(text, opts.output, 'report');
  if (opts.failUnder !== undefined) {
    const below = hosts.filter((h) => h.metPercent !== null && h.metPercent < (opts.failUnder as number));
    if (below.length) {
      const list = terminalLine(
        below
          .slice(0, 10)
          .map((h) => `${h.host} ${h.metPercent}%`)
          .join(', '),
      );
      process.stderr.write(
        `logsource-check: baseline ${b.name} met below ${opts.failUnder}% on ${below.length} host(s): ${list}${below.length > 10 ? ', …' : ''}\n`,
      );
      process.exitCode = EXIT.gate;
    }
  }
}

export interface CheckBaselineOptions extends RuleAndHostCliOptions {
  baseline?: string[];
  format: string;
  output?: string;
  verbose?: boolean;
  failUnder?: number;
}

/** `check --baseline`: what each baseline alone makes ready of this rule set, side by side. */
export async function checkBaselines(paths: string[], opts: CheckBaselineOptions): Promise<void> {
  const format = opts.format as BaselineFormat;
  if (!['table', 'json', 'markdown', 'csv'].includes(format)) throw new UsageError(`--baseline reports as table, json, markdown or csv, not ${opts.format}`);
  const names = [...new Set(opts.baseline ?? [])];
  let catalog: Catalog = loadCatalog();
  const all = loadBaselines(catalog);
  if (names.includes('list')) {
    emit(renderBaselineList(all, format), opts.output, 'baseline list');
    return;
  }
  const chosen = pick(all, names, catalog);
  if (hasEnvironmentInputs({ host: opts.host, gpresult: opts.gpresult, auditpol: opts.auditpol, sysmon: opts.sysmon, collector: opts.collector })) {
    throw new UsageError('--baseline takes each baseline as the host; to compare real hosts with a baseline use `logsource-check baseline NAME --gpresult …`');
  }
  const { result, load } = await runValidated(paths, opts);
  try {
    // The same catalog the rules were resolved with: the user's --mapping / --pipeline entries included.
    catalog = withMappings(catalog, readMappings(opts)).catalog;
  } catch (e) {
    if (e instanceof MappingError) throw new UsageError(e.message);
    throw e;
  }
  const check = assessBaselines(result, chosen, catalog, load.rules, { assumeDefaults: opts.assumeDefaults });
  emit(renderBaselineCheck(result, check, catalog, format, { verbose: opts.verbose, width: process.stdout.columns }), opts.output, 'report');
  if (opts.failUnder !== undefined) {
    const below = check.baselines.filter((b) => (b.summary.readiness ?? 0) < (opts.failUnder as number));
    if (below.length) {
      process.stderr.write(
        `logsource-check: readiness below ${opts.failUnder}% on ${below.length} baseline(s): ${below.map((b) => `${b.baseline.name} ${b.summary.readiness ?? 0}%`).join(', ')}\n`,
      );
      process.exitCode = EXIT.gate;
    }
  }
}
