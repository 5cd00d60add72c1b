import type { CheckResult } from './result.js';
import { groupUnknownReasons, renderAlternatives, summaryLine } from './text.js';

/** Markdown with the table report's content, for a ticket or a wiki page. */
export function renderMarkdown(result: CheckResult, opts: { verbose?: boolean } = {}): string {
  const out: string[] = ['# logsource-check report', '', summaryLine(result), ''];

  out.push('## Log sources', '', '| Log source | Rules | Resolved |', '| --- | ---: | --- |');
  for (const l of result.summary.logsources) out.push(`| ${cell(l.logsource)} | ${l.rules} | ${l.resolved ? 'yes' : 'unknown'} |`);

  out.push('', '## Requirements', '');
  if (result.requirements.length) {
    out.push('| Requirement | id | Rules | Only way | How to enable |', '| --- | --- | ---: | ---: | --- |');
    for (const r of result.requirements) {
      out.push(`| ${cell(r.name)} | \`${cell(r.id)}\` | ${r.rules} | ${r.essentialFor} | ${cell([r.enable, ...r.details].join('<br>'))} |`);
    }
  } else out.push('No Windows requirement found in this rule set.');

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', '## Unknown', '', '| Rules | Reason |', '| ---: | --- |');
    for (const [reason, n] of reasons) out.push(`| ${n} | ${cell(reason)} |`);
  }
  if (result.errors.length) {
    out.push('', `## Errors (${result.errors.length})`, '');
    for (const e of result.errors) out.push(`- \`${cell(e.path)}\`: ${cell(e.message)}`);
  }
  if (opts.verbose) {
    out.push('', '## Rules', '');
    for (const r of result.rules) {
      out.push(`- **${cell(r.title)}** — \`${cell(r.path)}\` — ${cell(r.logsourceKey)}${r.eventIds.length ? ` — EventID ${r.eventIds.join(', ')}` : ''}`);
      if (r.unknownReason) out.push(`  - unknown: ${cell(r.unknownReason)}`);
      else for (const alt of renderAlternatives(r, result)) out.push(`  - ${cell(alt)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Escapes what would break a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
