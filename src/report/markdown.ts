import type { CheckResult } from './result.js';
import { markdownCell, markdownCode } from '../escape.js';
import { groupUnknownReasons, renderAlternatives, summaryLine, verdictLine } from './text.js';

/** Markdown with the table report's content, for a ticket or a wiki page. */
export function renderMarkdown(result: CheckResult, opts: { verbose?: boolean } = {}): string {
  const out: string[] = ['# logsource-check report', '', summaryLine(result), ''];

  out.push('## Log sources', '', '| Log source | Rules | Resolved |', '| --- | ---: | --- |');
  for (const l of result.summary.logsources) out.push(`| ${cell(l.logsource)} | ${l.rules} | ${l.resolved ? 'yes' : 'unknown'} |`);

  const rd = result.readiness;
  if (rd) {
    out.push('', '## Readiness', '', verdictLine(rd.verdicts, rd.hosts.length), '');
    for (const a of rd.assumptions) out.push(`- assumed (--assume-defaults): ${cell(a)}`);
    for (const n of rd.identity) out.push(`- hosts: ${cell(n)}`);
    out.push('', '| Host | Role | Ready | Partial | Blocked | Unknown | N/A | Ready % |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const h of rd.hosts) {
      const s = h.summary;
      out.push(`| ${cell(h.name)} | ${cell(h.role ?? '?')} | ${s.ready} | ${s.partial} | ${s.blocked} | ${s.unknown} | ${s.notApplicable} | ${s.readiness === null ? '—' : `${s.readiness}% of ${s.applicable}`} |`);
    }
  }

  if (rd?.recommendations.length) {
    out.push('', '## Ranked fixes', '', 'Each fix is ranked given the ones above it.', '', `| # | Change | Unlocks${rd.hosts.length > 1 ? ' (rules × hosts)' : ''} | How |`, '| ---: | --- | ---: | --- |');
    for (const f of rd.recommendations) {
      out.push(`| ${f.rank} | ${cell(f.requires.map((q) => `${q.name} (${q.state})`).join(' + '))} | ${f.unlocks} | ${f.requires.map((q) => cell(q.enable)).join('<br>')} |`);
    }
  }
  // A PR comment shows the headline and the fixes; the long tables fold (<details>, as GitHub and GitLab render it).
  const open = (title: string) => out.push('', '<details>', `<summary>${title}</summary>`, '');
  const close = () => out.push('', '</details>');
  out.push('', '## Requirements');
  open(`${result.requirements.length} requirement(s): what each is and how to turn it on`);
  if (result.requirements.length) {
    out.push(`| Requirement | id | Rules | Only way |${rd ? ' State |' : ''} How to enable |`, `| --- | --- | ---: | ---: |${rd ? ' --- |' : ''} --- |`);
    for (const r of result.requirements) {
      const state = rd ? ` ${r.state ?? 'unknown'} |` : '';
      out.push(`| ${cell(r.name)} | \`${code(r.id)}\` | ${r.rules} | ${r.essentialFor} |${state} ${[r.enable, ...r.details].map(cell).join('<br>')} |`);
    }
  } else out.push('No Windows requirement found in this rule set.');
  close();

  if (rd?.sysmon) {
    out.push('', '## Sysmon');
    open(`${cell(rd.sysmon.config)} (schema ${cell(rd.sysmon.schemaVersion)}): per event type, and the filters that cost the most rules`);
    out.push('| EID | Element | State | Rules | Logged | Partial | Dropped |', '| ---: | --- | --- | ---: | ---: | ---: | ---: |');
    for (const t of rd.sysmon.types) out.push(`| ${t.eventId} | ${t.element} | ${t.state} | ${t.rules} | ${t.logged} | ${t.partial} | ${t.dropped} |`);
    if (rd.sysmon.offenders.length) {
      out.push('', '| Rules | Config filter that drops or cuts their events |', '| ---: | --- |');
      for (const o of rd.sysmon.offenders) out.push(`| ${o.rules} | ${cell(o.filter)} |`);
    }
    close();
  }

  if (rd?.channels) {
    out.push('', '## Forwarding');
    open(`${rd.channels.length} channel(s): needed vs forwarded event IDs`);
    out.push('| Channel | Needed event IDs | Forwarded | Missing | Rules affected |', '| --- | --- | --- | --- | ---: |');
    for (const c of rd.channels) out.push(`| ${cell(c.channel)} | ${c.needed === 'any' ? 'any' : c.needed.join(', ')} | ${cell(c.forwarded)} | ${c.missing.join(', ')} | ${c.rulesAffected} |`);
    close();
  }

  if (rd) {
    for (const h of rd.hosts) {
      const lines = [...h.warnings.map((w) => `warning: ${w}`), ...h.conflicts.map((c) => `conflict: ${c}`)];
      if (lines.length) out.push('', `### Host ${cell(h.name)}`, '', ...lines.map((l) => `- ${cell(l)}`));
    }
  }

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', '## Unknown');
    open(`${reasons.length} reason(s) a log source could not be resolved`);
    out.push('| Rules | Reason |', '| ---: | --- |');
    for (const [reason, n] of reasons) out.push(`| ${n} | ${cell(reason)} |`);
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
      const verdict = r.verdict ? ` — **${r.verdict}**${r.missing?.length ? ` (missing ${r.missing.map((m) => `\`${m}\``).join(', ')})` : ''}` : '';
      out.push(`- **${cell(r.title)}** — \`${code(r.path)}\` — ${cell(r.logsourceKey)}${r.eventIds.length ? ` — EventID ${r.eventIds.join(', ')}` : ''}${verdict}`);
      if (r.unknownReason) out.push(`  - unknown: ${cell(r.unknownReason)}`);
      else for (const alt of renderAlternatives(r, result)) out.push(`  - ${cell(alt)}`);
    }
    close();
  }
  return out.join('\n') + '\n';
}

/** Escapes what would break a Markdown table cell. */
const cell = markdownCell;
const code = markdownCode;
