import { terminalLine as t } from '../escape.js';
import type { CheckResult, RuleRow } from './result.js';
import { evidenceTable } from './evidence.js';
import { paint, paintState, Table, type TableOptions } from './table-style.js';
import { groupUnknownReasons, renderAlternatives, summaryLine, verdictLine } from './text.js';

/** --verbose: every section in full (every log source, requirement, fix, host, reason and rule). */
export function renderFullTable(result: CheckResult, opts: TableOptions = {}): string {
  const color = opts.color ?? false;
  const bold = (s: string) => paint(color, '1', s);
  const dim = (s: string) => paint(color, '2', s);
  const style = { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
  const out: string[] = [];

  out.push(bold('logsource-check') + '  ' + t(summaryLine(result)));

  const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const ls = new (Table())({ head: ['Log source', 'Rules', 'Resolved'], style, chars: compact });
  for (const l of result.summary.logsources) ls.push([t(l.logsource), String(l.rules), l.resolved ? 'yes' : paint(color, '33', 'unknown')]);
  out.push('', bold('Log sources'), ls.toString());

  const rd = result.readiness;
  if (rd) {
    out.push('', bold('Readiness') + '  ' + t(verdictLine(rd.verdicts, rd.hosts.length)));
    for (const a of rd.assumptions) out.push(dim(`  assumed (--assume-defaults): ${t(a)}`));
    for (const n of rd.identity.slice(0, opts.verbose ? undefined : 10)) out.push(`  ${paint(color, '33', 'hosts:')} ${t(n)}`);
    if (rd.identity.length > 10 && !opts.verbose) out.push(dim(`  … ${rd.identity.length - 10} more inputs naming other computers (--verbose)`));
    const ht = new (Table())({ head: ['Host', 'Role', 'Ready', 'Partial', 'Blocked', 'Unknown', 'N/A', 'Ready %'], style, chars: compact });
    for (const h of rd.hosts.slice(0, opts.verbose ? undefined : 50)) {
      const s = h.summary;
      ht.push([t(h.name), t(h.role ?? '?'), String(s.ready), String(s.partial), String(s.blocked), String(s.unknown), String(s.notApplicable), s.readiness === null ? '—' : `${s.readiness}% of ${s.applicable}`]);
    }
    out.push(ht.toString());
    if (rd.hosts.length > 50 && !opts.verbose) out.push(dim(`  … ${rd.hosts.length - 50} more hosts (--verbose, or --format json/csv)`));
  }

  if (result.requirements.length) {
    const width = Math.max(84, (opts.width ?? 160) - 75);
    const head = ['Requirement (id)', 'Rules', 'Only way', ...(rd ? ['State'] : []), 'How to enable'];
    const rt = new (Table())({
      head,
      style,
      colWidths: [...head.slice(0, -1).map(() => null), width] as unknown as number[],
      wordWrap: true,
    });
    for (const r of result.requirements) {
      const state = rd ? [paintState(color, r.state ?? 'unknown') + (r.hostsOn !== undefined ? `\n${r.hostsOn}/${rd.hosts.length} hosts` : '')] : [];
      rt.push([`${t(r.name)}\n${dim(t(r.id))}`, String(r.rules), String(r.essentialFor), ...state, t(r.enable)]);
    }
    out.push('', bold('Requirements') + dim('  (Rules: rules with it in some alternative; Only way: rules with it in every alternative)'), rt.toString());
  } else {
    out.push('', 'No Windows requirement found in this rule set.');
  }

  if (rd?.sysmon) {
    const sy = rd.sysmon;
    const st = new (Table())({ head: ['EID', 'Element', 'State', 'Rules', 'Logged', 'Partial', 'Dropped'], style, chars: compact });
    for (const t of sy.types) st.push([String(t.eventId), t.element, paintState(color, t.state), String(t.rules), String(t.logged), String(t.partial), String(t.dropped)]);
    out.push('', bold('Sysmon') + `  ${t(sy.config)} (schema ${t(sy.schemaVersion)})` + dim('  (Logged/Partial/Dropped: the filter simulation for the rules that need the type)'), st.toString());
    if (sy.offenders.length) {
      out.push(bold('Config filters that cost the most rules'));
      for (const o of sy.offenders.slice(0, opts.verbose ? 20 : 8)) out.push(`  ${String(o.rules).padStart(5)}  ${t(o.filter)}`);
    }
  }

  if (rd?.channels) {
    const ct = new (Table())({ head: ['Channel', 'Needed event IDs', 'Forwarded', 'Missing', 'Rules affected'], style, colWidths: [null, 40, 40, 30, null] as unknown as number[], wordWrap: true });
    for (const c of rd.channels) ct.push([t(c.channel), c.needed === 'any' ? 'any' : c.needed.join(', '), t(c.forwarded), c.missing.join(', '), String(c.rulesAffected)]);
    out.push('', bold('Forwarding') + dim('  (what the collector configs ship, per channel the rules read)'), ct.toString());
  }

  if (rd?.recommendations.length) {
    const width = Math.max(84, (opts.width ?? 160) - 60);
    const ft = new (Table())({ head: ['#', 'Change', rd.hosts.length > 1 ? 'Unlocks (rules × hosts)' : 'Unlocks', 'How'], style, colWidths: [null, null, null, width] as unknown as number[], wordWrap: true });
    const top = opts.verbose ? rd.recommendations.length : (opts.top ?? 10);
    for (const f of rd.recommendations.slice(0, top)) {
      ft.push([String(f.rank), f.requires.map((q) => `${t(q.name)} (${q.state})`).join('\n+ '), String(f.unlocks), f.requires.map((q) => t(q.enable)).join('\n')]);
    }
    out.push('', bold('Ranked fixes') + dim('  (each given the ones above it)'), ft.toString());
    if (rd.recommendations.length > top) out.push(dim(`  … ${rd.recommendations.length - top} more (--top N, --verbose)`));
    if (opts.verbose) {
      for (const f of rd.recommendations) out.push(`  #${f.rank} unlocks: ${t(f.rules.map((r) => r.title).join('; '))}`);
    }
  }
  if (rd) {
    for (const h of rd.hosts.slice(0, opts.verbose ? undefined : 20)) {
      const seen = `seen: ${h.seen.inputs.join(', ') || 'nothing'}`;
      const open = h.seen.unknown.map((u) => `unknown: ${u.requirements} ${u.kind} requirement(s) — ${u.settle}`);
      const lines = [seen, ...open, ...h.warnings.map((w) => `warning: ${w}`), ...h.conflicts.map((c) => `conflict: ${c}`), ...(opts.verbose ? h.notes.map((n) => `note: ${n}`) : [])];
      if (lines.length) out.push('', bold(`Host ${t(h.name)}`), ...lines.map((l) => `  ${t(l)}`));
    }
  }

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', bold('Unknown'));
    // A repository of other products' rules has hundreds of reasons: the most frequent ten unless --verbose.
    for (const [reason, n] of reasons.slice(0, opts.verbose ? undefined : 10)) out.push(`  ${String(n).padStart(5)}  ${t(reason)}`);
    if (reasons.length > 10 && !opts.verbose) out.push(dim(`  … ${reasons.length - 10} more reasons (--verbose)`));
  }

  out.push(...evidenceTable(result, { say: (s, indent = '') => [indent + t(s)], bold, dim, width: opts.width ?? 120, style, verbose: true }));
  if (result.errors.length) {
    out.push('', bold(paint(color, '31', `Errors (${result.errors.length})`)));
    for (const e of result.errors.slice(0, opts.verbose ? undefined : 20)) out.push(`  ${t(e.path)}: ${t(e.message)}`);
    if (result.errors.length > 20 && !opts.verbose) out.push(dim(`  … ${result.errors.length - 20} more (--verbose, or --format json)`));
  }

  if (opts.verbose) {
    out.push('', bold('Rules'));
    for (const r of result.rules) out.push(...verboseRule(r, result, dim));
    if (result.notes.length) {
      out.push('', bold('Notes'));
      for (const n of result.notes) out.push(`  ${t(n.path)}: ${t(n.message)}`);
    }
  }
  return out.join('\n') + '\n';
}

function verboseRule(r: RuleRow, result: CheckResult, dim: (s: string) => string): string[] {
  const verdict = r.verdict ? `  [${r.verdict}${r.missing?.length ? `; missing ${r.missing.join(', ')}` : ''}]` : '';
  const lines = [t(`  ${r.path}${r.line ? `:${r.line}` : ''}  ${r.title}${verdict}`), dim(t(`      ${r.logsourceKey}${r.eventIds.length ? `  EventID ${r.eventIds.join(', ')}` : ''}`))];
  if (r.unknownReason) lines.push(t(`      unknown: ${r.unknownReason}`));
  else for (const alt of renderAlternatives(r, result)) lines.push(t(`      ${alt}`));
  for (const n of r.notes) lines.push(dim(t(`      note: ${n}`)));
  return lines;
}
