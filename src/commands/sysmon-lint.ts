/** `sysmon-lint FILE...`: deployment hazards of Sysmon configs; exit 1 on a hazard (a CI gate), 2 on unusable input. */
import { loadCatalog } from '../catalog/load.js';
import { decodeText, MAX_INPUT_FILE, readBounded } from '../io/decode.js';
import { parseSysmonConfig } from '../environment/sysmon.js';
import { terminalLine } from '../escape.js';
import { lintSysmonConfig } from '../assess/sysmon-lint.js';
import { renderLintJson, renderLintTable, type LintedFile } from '../report/sysmon-lint.js';
import { EXIT, UsageError, writeOrFail } from './common.js';

export interface SysmonLintOptions {
  format: 'table' | 'json';
  output?: string;
}

export function sysmonLint(paths: string[], opts: SysmonLintOptions): void {
  if (!paths.length) throw new UsageError('sysmon-lint needs at least one Sysmon configuration file');
  const catalog = loadCatalog();
  const files: LintedFile[] = [];
  const errors: { path: string; message: string }[] = [];
  for (const path of paths) {
    try {
      const config = parseSysmonConfig(path, decodeText(readBounded(path, MAX_INPUT_FILE)), catalog);
      files.push({ path, schemaVersion: config.schemaVersion, findings: lintSysmonConfig(config, catalog) });
    } catch (e) {
      const message = (e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0] ?? 'unreadable';
      errors.push({ path, message });
      // One line per unusable file; the others are still linted.
      process.stderr.write(`logsource-check: ${terminalLine(path)}: ${terminalLine(message)}\n`);
    }
  }
  const text = opts.format === 'json' ? renderLintJson(files, errors) : files.length ? renderLintTable(files) : '';
  if (opts.output) writeOrFail(opts.output, text);
  else process.stdout.write(text);
  // Unusable input outranks a hazard: the gate cannot vouch for a file it could not read.
  if (errors.length) process.exitCode = EXIT.usage;
  else if (files.some((f) => f.findings.some((x) => x.severity === 'hazard'))) process.exitCode = EXIT.gate;
}
