/** `fix`: remediation files for what the hosts lack. */
import { join } from 'node:path';
import { loadCatalog } from '../catalog/load.js';
import { terminalLine } from '../escape.js';
import { buildRemediation } from '../generate/remediation.js';
import { LimitError, makeOutputDir, writeOutput } from '../limits.js';
import { verdictLine } from '../report/text.js';
import { budgetLine } from '../report/volume-text.js';
import { runValidated, UsageError, type RuleAndHostCliOptions } from './common.js';

export interface FixCliOptions extends RuleAndHostCliOptions {
  out: string;
}

export async function fix(paths: string[], opts: FixCliOptions): Promise<void> {
  if (!opts.host?.length && !opts.gpresult?.length && !opts.auditpol?.length && !opts.sysmon?.length) throw new UsageError('fix needs what the host has: --host, --gpresult, --auditpol and/or --sysmon');
  // The remediation files are written per host from its inputs: every host is kept.
  const { result, environment, load, assessment } = await runValidated(paths, opts, { keepHosts: true });
  const { files, notes } = buildRemediation(result, loadCatalog(), environment?.hosts, load.rules, assessment?.hosts.map((h) => h.rules));
  try {
    makeOutputDir(opts.out);
    // Fixed file names joined to --out: nothing is written outside it.
    for (const f of files) writeOutput(join(opts.out, f.name), f.content);
  } catch (e) {
    throw new UsageError(e instanceof LimitError ? `cannot write into ${opts.out}: ${e.message}` : `cannot write into ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rd = result.readiness;
  process.stdout.write(rd ? `readiness now: ${verdictLine(rd.verdicts, rd.hosts.length)}\n` : '');
  const cut = rd && budgetLine(rd);
  if (cut) process.stdout.write(`${terminalLine(cut)}\n`);
  if (!files.length) process.stdout.write('nothing to write: no setting that a file can carry is missing\n');
  for (const f of files) process.stdout.write(`wrote ${join(opts.out, f.name)} (${f.settings} setting${f.settings === 1 ? '' : 's'})\n`);
  for (const n of notes) process.stdout.write(`note: ${terminalLine(n)}\n`);
}

