import { lazy } from '../lazy.js';
import type { CheckResult, RuleRow } from './result.js';
import { groupUnknownReasons, renderAlternatives, summaryLine } from './text.js';

export interface TableOptions {
  verbose?: boolean;
  color?: boolean;
  /** Terminal width; long "how to enable" cells are wrapped to fit. */
  width?: number;
}

const Table = lazy<typeof import('cli-table3')>('cli-table3');

const ESC = '\u001b[';
const paint = (on: boolean, code: string, s: string): string => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

export function renderTable(result: CheckResult, opts: TableOptions = {}): string {
  const color = opts.color ?? false;
  const bold = (s: string) => paint(color, '1', s);
  const dim = (s: string) => paint(color, '2', s);
  const style = { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
  const out: string[] = [];

  out.push(bold('logsource-check') + '  ' + summaryLine(result));

  const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const ls = new (Table())({ head: ['Log source', 'Rules', 'Resolved'], style, chars: compact });
  for (const l of result.summary.logsources) ls.push([l.logsource, String(l.rules), l.resolved ? 'yes' : paint(color, '33', 'unknown')]);
  out.push('', bold('Log sources'), ls.toString());

  if (result.requirements.length) {
    const width = Math.max(84, (opts.width ?? 160) - 75);
    const rt = new (Table())({
      head: ['Requirement (id)', 'Rules', 'Only way', 'How to enable'],
      style,
      colWidths: [null, null, null, width] as unknown as number[],
      wordWrap: true,
    });
    for (const r of result.requirements) rt.push([`${r.name}\n${dim(r.id)}`, String(r.rules), String(r.essentialFor), r.enable]);
    out.push('', bold('Requirements') + dim('  (Rules: rules with it in some alternative; Only way: rules with it in every alternative)'), rt.toString());
  } else {
    out.push('', 'No Windows requirement found in this rule set.');
  }

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', bold('Unknown'));
    for (const [reason, n] of reasons) out.push(`  ${String(n).padStart(5)}  ${reason}`);
  }

  if (result.errors.length) {
    out.push('', bold(paint(color, '31', `Errors (${result.errors.length})`)));
    for (const e of result.errors) out.push(`  ${e.path}: ${e.message}`);
  }

  if (opts.verbose) {
    out.push('', bold('Rules'));
    for (const r of result.rules) out.push(...verboseRule(r, result, dim));
    if (result.notes.length) {
      out.push('', bold('Notes'));
      for (const n of result.notes) out.push(`  ${n.path}: ${n.message}`);
    }
  }
  return out.join('\n') + '\n';
}

function verboseRule(r: RuleRow, result: CheckResult, dim: (s: string) => string): string[] {
  const lines = [`  ${r.path}${r.line ? `:${r.line}` : ''}  ${r.title}`, dim(`      ${r.logsourceKey}${r.eventIds.length ? `  EventID ${r.eventIds.join(', ')}` : ''}`)];
  if (r.unknownReason) lines.push(`      unknown: ${r.unknownReason}`);
  else for (const alt of renderAlternatives(r, result)) lines.push(`      ${alt}`);
  for (const n of r.notes) lines.push(dim(`      note: ${n}`));
  return lines;
}
