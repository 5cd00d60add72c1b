/**
 * Markdown for a pull-request comment or a ticket: the headline and the top fixes (their commands and
 * Sysmon XML in fenced code blocks, which GitHub and GitLab render literally), then every longer section
 * folded into <details>.
 */
import { markdownCell as cell, markdownCode as code, markdownFence } from '../escape.js';
import { markdownCutNote, tableText } from './cell.js';
import { budgetLine, rankingNote, volumeCell } from './volume-text.js';
import { withheldLine } from './hazard-text.js';
import type { CheckResult, Readiness } from '../result/result.js';
import { evidenceMarkdown } from './evidence.js';
import { planMarkdown } from '../generate/plans-text.js';
import {
  groupUnknownReasons,
  howLines,
  outOfScopeLine,
  rankList,
  renderAlternatives,
  shortLogsource,
  summaryLine,
  unresolvedLine,
  verdictLine,
} from './text.js';
import { settingLabels } from './fix-settings.js';

/** Table cells: cut to CELL_CHARS (src/report/cell.ts), then escaped. */
const tc = (s: string): string => cell(tableText(s));
const tcode = (s: string): string => code(tableText(s));

export function renderMarkdown(result: CheckResult, opts: { verbose?: boolean } = {}): string {
  markdownCutNote(); // a fresh count for this report
  const rd = result.readiness;
  const who = rd ? (rd.hosts.length === 1 ? (rd.hosts[0]?.name ?? '') : `${rd.hosts.length} hosts`) : '';
  const out: string[] = [`# logsource-check report${who ? `: ${cell(who)}` : ''}`, '', cell(summaryLine(result)), ''];
  const open = (title: string) => out.push('', '<details>', `<summary>${title}</summary>`, '');
  const close = () => out.push('', '</details>');

  if (rd) {
    out.push(`**${cell(verdictLine(rd.verdicts, rd.hosts.length))}**`, '');
    for (const a of rd.assumptions) out.push(`- assumed (--assume-defaults): ${cell(a)}`);
    for (const n of rd.identity) out.push(`- hosts: ${cell(n)}`);
  }
  const other = outOfScopeLine(result);
  if (other) out.push(`_${cell(other)}_`);

  out.push(...planMarkdown(rd?.plans, rd?.hosts.length ?? 0));
  if (rd?.recommendations.length) fixes(rd, out);
  else if (rd && withheldLine(rd)) out.push('', cell(withheldLine(rd) as string));
  if (rd) logsources(rd, out, open, close);
  else {
    out.push('', '## Log sources');
    open(`${result.summary.logsources.length} log source(s)`);
    out.push('| Log source | Rules | Resolved |', '| --- | ---: | --- |');
    for (const l of result.summary.logsources)
      out.push(`| ${tc(l.logsource)} | ${l.rules} | ${l.resolved ? 'yes' : l.outOfScope ? 'out of scope' : 'unknown'} |`);
    close();
  }
  if (rd) {
    for (const h of rd.hosts.slice(0, opts.verbose ? undefined : 20)) {
      const lines = [
        ...h.seen.unknown.map((u) => `unknown: ${u.requirements} ${u.kind} requirement(s) — ${u.settle}`),
        ...h.warnings.map((w) => `warning: ${w}`),
        ...h.conflicts.map((c) => `conflict: ${c}`),
      ];
      if (lines.length) out.push('', `### Host ${cell(h.name)}${h.role ? ` (${cell(h.role)})` : ''}`, '', ...lines.map((l) => `- ${cell(l)}`));
    }
    if (rd.hosts.length > 1) {
      open(`${rd.hosts.length} hosts: verdicts per host`);
      out.push('| Host | Role | Ready | Partial | Blocked | Unknown | N/A | Ready % |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const h of rd.hosts) {
        const s = h.summary;
        out.push(
          `| ${tc(h.name)} | ${tc(h.role ?? '?')} | ${s.ready} | ${s.partial} | ${s.blocked} | ${s.unknown} | ${s.notApplicable} | ${s.readiness === null ? '—' : `${s.readiness}% of ${s.applicable}`} |`,
        );
      }
      close();
    }
  }

  out.push(...evidenceMarkdown(result));
  out.push('', '## Requirements');
  open(`${result.requirements.length} requirement(s): what each is and how to turn it on`);
  if (result.requirements.length) {
    out.push(`| Requirement | id | Rules | Only way |${rd ? ' State |' : ''} How to enable |`, `| --- | --- | ---: | ---: |${rd ? ' --- |' : ''} --- |`);
    for (const r of result.requirements) {
      const state = rd ? ` ${r.state ?? 'unknown'} |` : '';
      // Commands and XML as code spans: literal in a table cell, where a fenced block cannot stand.
      const how = r.command ? `\`${tcode(r.command)}\`` : r.xml ? `${tc(r.enable.split(' (e.g.')[0] ?? r.enable)}: \`${tcode(r.xml)}\`` : tc(r.enable);
      out.push(`| ${tc(r.name)} | \`${tcode(r.id)}\` | ${r.rules} | ${r.essentialFor} |${state} ${[how, ...r.details.map(tc)].join('<br>')} |`);
    }
  } else out.push('No Windows requirement found in this rule set.');
  close();

  if (rd?.sysmon) {
    out.push('', '## Sysmon');
    open(`${cell(rd.sysmon.config)} (schema ${cell(rd.sysmon.schemaVersion)}): per event type, and the filters that cost the most rules`);
    out.push('| EID | Element | State | Rules | Logged | Partial | Dropped |', '| ---: | --- | --- | ---: | ---: | ---: | ---: |');
    for (const t of rd.sysmon.types) out.push(`| ${t.eventId} | ${tc(t.element)} | ${t.state} | ${t.rules} | ${t.logged} | ${t.partial} | ${t.dropped} |`);
    if (rd.sysmon.offenders.length) {
      out.push('', '| Rules | Config filter that drops or cuts their events |', '| ---: | --- |');
      for (const o of rd.sysmon.offenders) out.push(`| ${o.rules} | ${tc(o.filter)} |`);
    }
    close();
  }
  if (rd?.channels) {
    out.push('', '## Forwarding');
    open(`${rd.channels.length} channel(s): needed vs forwarded event IDs`);
    out.push('| Channel | Needed event IDs | Forwarded | Missing | Rules affected |', '| --- | --- | --- | --- | ---: |');
    for (const c of rd.channels)
      out.push(
        `| ${tc(c.channel)} | ${c.needed === 'any' ? 'any' : tc(c.needed.join(', '))} | ${tc(c.forwarded)} | ${tc(c.missing.join(', '))} | ${c.rulesAffected} |`,
      );
    close();
  }

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', '## Unknown');
    open(`${reasons.length} reason(s) a Windows log source could not be resolved`);
    out.push('| Rules | Reason |', '| ---: | --- |');
    for (const [reason, n] of reasons) out.push(`| ${n} | ${tc(reason)} |`);
    close();
  }
  if (result.errors.length) {
    out.push('', `## Errors (${result.errors.length})`, '');
    for (const e of result.errors) out.push(`- \`${code(e.path)}\`: ${cell(e.message)}`);
  }
  if (opts.verbose) {
    out.push('', '## Rules');
    open(`${result.rules.length} rule(s): verdict, log source and what each needs`);
    for (const r of result.rules) {
      const verdict = r.verdict
        ? ` — **${r.verdict}**${r.degraded?.length ? ` (degraded: no ${r.degraded.map((f) => `\`${code(f)}\``).join(', ')})` : ''}${r.missing?.length ? ` (missing ${r.missing.map((m) => `\`${code(m)}\``).join(', ')})` : ''}`
        : '';
      out.push(
        `- **${cell(r.title)}** — \`${code(r.path)}\` — ${cell(r.logsourceKey)}${r.eventIds.length ? ` — EventID ${r.eventIds.join(', ')}` : ''}${verdict}`,
      );
      if (r.unknownReason) out.push(`  - ${cell(unresolvedLine(r) ?? '')}`);
      else for (const alt of renderAlternatives(r, result)) out.push(`  - ${cell(alt)}`);
    }
    close();
  }
  out.push(...markdownCutNote());
  return out.join('\n') + '\n';
}

/** The top fixes as a table, then how to carry them out, commands and XML in fenced blocks. */
function fixes(rd: Readiness, out: string[]): void {
  const shown = rd.recommendations.slice(0, 10);
  out.push(
    '',
    '## Top fixes',
    '',
    `Each ranked given the ones above it; ${rd.recommendations.length} in all${rd.recommendations.length > 10 ? ' (the rest under Requirements and in the JSON report)' : ''}.`,
    '',
  );
  out.push(`| # | Change (state now) | Unlocks${rd.hosts.length > 1 ? ' (rules × hosts)' : ''} |`, '| ---: | --- | ---: |');
  for (const f of shown) out.push(`| ${f.rank} | ${tc(`${settingLabels(f.requires).join(' + ')} · ${volumeCell(f)}`)} | ${f.unlocks} |`);
  for (const line of [rankingNote(rd), budgetLine(rd), withheldLine(rd)]) if (line) out.push('', cell(line));
  if (rd.retention?.length)
    out.push(
      '',
      '**Retention** (maximum size ÷ measured bytes/day; "with the fixes" adds the ranked fixes\' measured bytes/day)',
      '',
      ...rd.retention.slice(0, 20).map((r) => `- ${cell(r.text)}${r.warning ? ` — **WARNING:** ${cell(r.warning)}` : ''}`),
      ...(rd.retention.length > 20 ? [`- … ${rd.retention.length - 20} more in the JSON report`] : []),
    );
  out.push('', '**How**', '');
  for (const h of howLines(shown, { oneBlock: true })) {
    out.push(`- ${h.ranks.length > 1 ? 'Fixes' : 'Fix'} ${rankList(h.ranks)}: ${cell(h.text)}`);
    if (h.code.length) {
      const lang = h.code.every((c) => c.startsWith('<')) ? 'xml' : 'bat';
      out.push(
        '',
        ...markdownFence(h.code.join('\n'), lang)
          .split('\n')
          .map((l) => `  ${l}`),
        '',
      );
    }
  }
}

/** Readiness per Windows log source, folded. */
function logsources(rd: Readiness, out: string[], open: (t: string) => void, close: () => void): void {
  out.push('', '## Readiness per log source');
  open(`${rd.logsources.length} Windows log source(s): rules per verdict`);
  out.push('| Log source | Rules | Ready % | Ready | Partial | Blocked | Unknown | N/A |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const l of rd.logsources)
    out.push(
      `| ${tc(shortLogsource(l.logsource))} | ${l.rules} | ${l.readiness === null ? '—' : `${l.readiness}%`} | ${l.ready} | ${l.partial} | ${l.blocked} | ${l.unknown} | ${l.notApplicable} |`,
    );
  close();
}
