import { findingLines } from './sysmon-lint.js';
import { terminalLine as t } from '../escape.js';
import type { CheckResult, HostRow, Readiness, RuleRow } from '../result/result.js';
import { evidenceTable } from './evidence.js';
import { paint, paintState, Table, type TableOptions } from './table-style.js';
import { groupUnknownReasons, renderAlternatives, summaryLine, unresolvedLine, verdictLine } from './text.js';
import { fixSettings } from './fix-settings.js';

/** --verbose: every section in full (every log source, requirement, fix, host, reason and rule). */
export function renderFullTable(result: CheckResult, opts: TableOptions = {}): string {
  const color = opts.color ?? false;
  const bold = (s: string) => paint(color, '1', s);
  const dim = (s: string) => paint(color, '2', s);
  const style = { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
  // Everything in full and unwrapped: a line per item, for reading and for grep.
  const say: Say = (s, indent = '') => [indent + t(s)];
  const out: string[] = [];

  out.push(bold('logsource-check') + '  ' + t(summaryLine(result)));

  const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const ls = new (Table())({ head: ['Log source', 'Rules', 'Resolved'], style, chars: compact });
  for (const l of result.summary.logsources)
    ls.push([t(l.logsource), String(l.rules), l.resolved ? 'yes' : l.outOfScope ? 'out of scope' : paint(color, '33', 'unknown')]);
  out.push('', bold('Log sources'), ls.toString());

  const rd = result.readiness;
  if (rd) {
    out.push('', bold('Readiness') + '  ' + t(verdictLine(rd.verdicts, rd.hosts.length)));
    for (const a of rd.assumptions) out.push(dim(`  assumed (--assume-defaults): ${t(a)}`));
    for (const n of rd.identity) out.push(`  ${paint(color, '33', 'hosts:')} ${t(n)}`);
    const ht = new (Table())({ head: ['Host', 'Role', 'Ready', 'Partial', 'Blocked', 'Unknown', 'N/A', 'Ready %'], style, chars: compact });
    for (const h of rd.hosts) {
      const s = h.summary;
      ht.push([
        t(h.name),
        t(h.role ?? '?'),
        String(s.ready),
        String(s.partial),
        String(s.blocked),
        String(s.unknown),
        String(s.notApplicable),
        s.readiness === null ? '—' : `${s.readiness}% of ${s.applicable}`,
      ]);
    }
    out.push(ht.toString());
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

  if (rd?.sysmon) out.push(...sysmonLines(rd.sysmon, { color, bold, dim, say, offenders: 20 }));

  if (rd?.channels) {
    const ct = new (Table())({
      head: ['Channel', 'Needed event IDs', 'Forwarded', 'Missing', 'Rules affected'],
      style,
      colWidths: [null, 40, 40, 30, null] as unknown as number[],
      wordWrap: true,
    });
    for (const c of rd.channels)
      ct.push([t(c.channel), c.needed === 'any' ? 'any' : c.needed.join(', '), t(c.forwarded), c.missing.join(', '), String(c.rulesAffected)]);
    out.push('', bold('Forwarding') + dim('  (what the collector configs ship, per channel the rules read)'), ct.toString());
  }

  if (rd?.recommendations.length) {
    const width = Math.max(84, (opts.width ?? 160) - 60);
    const ft = new (Table())({
      head: ['#', 'Change', rd.hosts.length > 1 ? 'Unlocks (rules × hosts)' : 'Unlocks', 'How'],
      style,
      colWidths: [null, null, null, width] as unknown as number[],
      wordWrap: true,
    });
    for (const f of rd.recommendations) {
      const settings = fixSettings(f.requires);
      ft.push([
        String(f.rank),
        settings.map((s) => `${t(s.name)} (${s.state})`).join('\n+ '),
        String(f.unlocks),
        settings.flatMap((s) => s.enable.map(t)).join('\n'),
      ]);
    }
    out.push('', bold('Ranked fixes') + dim('  (each given the ones above it)'), ft.toString());
    for (const f of rd.recommendations) out.push(`  #${f.rank} unlocks: ${t(f.rules.map((r) => r.title).join('; '))}`);
  }
  if (rd) for (const h of rd.hosts) out.push(...hostLines(h, { seen: true, notes: true }, say, bold));

  const reasons = groupUnknownReasons(result);
  if (reasons.length) {
    out.push('', bold('Unknown'));
    for (const [reason, n] of reasons) out.push(`  ${String(n).padStart(5)}  ${t(reason)}`);
  }

  out.push(...evidenceTable(result, { say, bold, dim, width: opts.width ?? 120, style, verbose: true }));
  if (result.errors.length) {
    out.push('', bold(paint(color, '31', `Errors (${result.errors.length})`)));
    for (const e of result.errors) out.push(`  ${t(e.path)}: ${t(e.message)}`);
  }

  out.push('', bold('Rules'));
  for (const r of result.rules) out.push(...verboseRule(r, result, dim));
  if (result.notes.length) {
    out.push('', bold('Notes'));
    for (const n of result.notes) out.push(`  ${t(n.path)}: ${t(n.message)}`);
  }
  return out.join('\n') + '\n';
}

function verboseRule(r: RuleRow, result: CheckResult, dim: (s: string) => string): string[] {
  const verdict = r.verdict
    ? `  [${r.verdict}${r.degraded?.length ? `, degraded: no ${r.degraded.join(', ')}` : ''}${r.missing?.length ? `; missing ${r.missing.join(', ')}` : ''}]`
    : '';
  const lines = [
    t(`  ${r.path}${r.line ? `:${r.line}` : ''}  ${r.title}${verdict}`),
    dim(t(`      ${r.logsourceKey}${r.eventIds.length ? `  EventID ${r.eventIds.join(', ')}` : ''}`)),
  ];
  if (r.unknownReason) lines.push(t(`      ${unresolvedLine(r)}`));
  else for (const alt of renderAlternatives(r, result)) lines.push(t(`      ${alt}`));
  for (const n of r.notes) lines.push(dim(t(`      note: ${n}`)));
  for (const s of r.sysmon ?? [])
    for (const e of s.evasion ?? []) lines.push(t(`      evasion (Sysmon ${s.eventId}, logged unless the attacker matches it): ${e}`));
  return lines;
}

/** Prose wrapped to the terminal (the compact table) or one line each (--verbose). */
export type Say = (text: string, indent?: string, hanging?: string) => string[];

/** The deployed Sysmon config per element: state and what the filter simulation says for the rules. */
export function sysmonLines(
  sy: NonNullable<Readiness['sysmon']>,
  o: { color: boolean; bold: (s: string) => string; dim: (s: string) => string; say: Say; offenders: number; more?: string; stateLine?: string },
): string[] {
  const style = { head: o.color ? ['cyan'] : [], border: o.color ? ['grey'] : [] };
  const lines: string[] = [''];
  // The default screen says the per-type table in one line (stateLine); --verbose shows the table.
  if (o.stateLine) lines.push(...o.say(`Sysmon  ${o.stateLine}`, '', '  ').map((l, i) => (i === 0 ? o.bold(l.slice(0, 6)) + l.slice(6) : l)));
  else {
    const st = new (Table())({
      head: ['EID', 'Element', 'State', 'Rules', 'Logged', 'Partial', 'Dropped'],
      style,
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const x of sy.types)
      st.push([String(x.eventId), t(x.element), paintState(o.color, x.state), String(x.rules), String(x.logged), String(x.partial), String(x.dropped)]);
    lines.push(
      o.bold('Sysmon') +
        `  ${t(sy.config)} (schema ${t(sy.schemaVersion)})` +
        o.dim('  (Logged/Partial/Dropped: the filter simulation for the rules that need the type)'),
      st.toString(),
    );
  }
  if (sy.offenders.length) {
    const more = o.more && sy.offenders.length > o.offenders ? o.dim(`  (${sy.offenders.length - o.offenders} more: ${o.more})`) : '';
    lines.push(o.bold('Config filters that cost the most rules') + more);
    for (const f of sy.offenders.slice(0, o.offenders)) lines.push(...o.say(`${String(f.rules).padStart(5)}  ${f.filter}`, '  ', '         '));
  }
  if (sy.evasion) {
    // Not counted against readiness: the rule's own events are logged; these exclusions are a way around it.
    const shown = Math.min(o.offenders, 10);
    const more = o.more && sy.evasion.exclusions.length > shown ? `; ${sy.evasion.exclusions.length - shown} more: ${o.more}` : '';
    const title = `Exclusions an attacker can use  (evasion gaps, not logging gaps: ${sy.evasion.rules} rule × event type pairs are logged only while the attacker's process, file or key avoids them${more})`;
    lines.push(...o.say(title, '', '  ').map((l, i) => (i === 0 ? o.bold(l.slice(0, 30)) + o.dim(l.slice(30)) : o.dim(l))));
    for (const f of sy.evasion.exclusions.slice(0, shown)) lines.push(...o.say(`${String(f.rules).padStart(5)}  ${f.filter}`, '  ', '         '));
  }
  if (sy.hazards?.length) lines.push(o.bold('Deployment hazards of the config (sysmon-lint)'), ...findingLines(sy.hazards, '  '));
  return lines;
}

/** What a host's inputs could not show, its warnings and conflicts (and what was seen, and notes, when asked). */
export function hostLines(h: HostRow, o: { seen: boolean; notes: boolean }, say: Say, bold: (s: string) => string): string[] {
  const lines = [
    ...(o.seen ? [`seen: ${h.seen.inputs.join(', ') || 'nothing'}`] : []),
    ...h.seen.unknown.map((u) => `unknown: ${u.requirements} ${u.kind} requirement(s) — ${u.settle}`),
    ...h.warnings.map((w) => `warning: ${w}`),
    ...h.conflicts.map((c) => `conflict: ${c}`),
    ...(o.notes ? h.notes.map((n) => `note: ${n}`) : []),
  ];
  if (!lines.length) return [];
  return ['', bold(`Host ${t(h.name)}`), ...lines.flatMap((l) => say(l, '  ', '    '))];
}
