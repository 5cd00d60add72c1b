/** `sysmon-lint` output: one block per file (table) or one JSON document; every value escaped for its reader. */
import { terminalLine } from '../escape.js';
import { countFindings, type SysmonFinding } from '../assess/sysmon-lint.js';

export interface LintedFile {
  path: string;
  schemaVersion: string;
  findings: SysmonFinding[];
}

export function renderLintTable(files: LintedFile[]): string {
  const out: string[] = [];
  for (const f of files) {
    const { hazards, warnings } = countFindings(f.findings);
    out.push(
      `${terminalLine(f.path)} (schema ${terminalLine(f.schemaVersion)}): ${hazards} hazard${hazards === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    );
    out.push(...findingLines(f.findings, '  '));
  }
  const total = countFindings(files.flatMap((f) => f.findings));
  out.push(
    `${files.length} file${files.length === 1 ? '' : 's'}: ${total.hazards} hazard${total.hazards === 1 ? '' : 's'}, ${total.warnings} warning${total.warnings === 1 ? '' : 's'}${total.hazards ? ' (exit 1)' : ''}`,
  );
  return `${out.join('\n')}\n`;
}

/** "line 12  hazard   enforcement  FileBlockExecutable: …", shared with the Sysmon section of `check`. */
export function findingLines(findings: SysmonFinding[], indent: string): string[] {
  return findings.map((x) => `${indent}line ${String(x.line).padEnd(5)} ${x.severity.padEnd(8)} ${x.class.padEnd(14)} ${terminalLine(x.message)}`);
}

export function renderLintJson(files: LintedFile[], errors: { path: string; message: string }[]): string {
  const total = countFindings(files.flatMap((f) => f.findings));
  return `${JSON.stringify({ schemaVersion: 1, hazards: total.hazards, warnings: total.warnings, files, errors }, null, 2)}\n`;
}
