/**
 * `observed-fields PATH...`: what the --observed inputs show of each event's fields (issue 24), without rules
 * or hosts: per computer, channel and event ID the records, first and last time, bytes and every field's
 * share of the records examined. Exit 2 when a path is missing or a file unusable (the rest is still shown).
 */
import { terminalLine } from '../escape.js';
import { loadObservations } from '../observe/load.js';
import { renderObservedFieldsJson, renderObservedFieldsTable } from '../report/observed-fields.js';
import { EXIT, UsageError, writeOrFail } from './common.js';

export interface ObservedFieldsOptions {
  format: 'table' | 'json';
  output?: string;
}

export function observedFields(paths: string[], opts: ObservedFieldsOptions): void {
  const load = loadObservations(paths);
  if (load.missing.length) throw new UsageError(`no such file or directory: ${load.missing.join(', ')}`);
  for (const n of load.notes) process.stderr.write(`note: ${terminalLine(n)}\n`);
  for (const e of load.errors) process.stderr.write(`logsource-check: ${terminalLine(e.path)}: ${terminalLine(e.message)}\n`);
  const text = opts.format === 'json' ? renderObservedFieldsJson(load) : renderObservedFieldsTable(load.counts);
  if (opts.output) writeOrFail(opts.output, text);
  else process.stdout.write(text);
  if (load.errors.length) process.exitCode = EXIT.usage;
}
