import type { VerdictCounts } from '../assess/assess.js';
import type { CheckResult, RuleRow } from './result.js';

/** Pieces of wording shared by the table and Markdown renderers. */

export function summaryLine(result: CheckResult): string {
  const s = result.summary;
  const parts = [
    `${s.rulesScanned} rules scanned (${s.filesRead} files)`,
    `${s.windowsRules} Windows`,
    `${s.resolved} resolved`,
    `${s.unknown} unknown`,
  ];
  if (s.correlations) parts.push(`${s.correlations} correlations`);
  parts.push(`${s.errors} errors`);
  const skipped = s.skipped.status + s.skipped.level;
  if (skipped) parts.push(`${skipped} skipped by status/level filter`);
  return parts.join(' · ');
}

/**
 * "61.2% of 2,393 applicable Windows rules ready — ready 1,464 · partial 14 · blocked 120 · unknown 795 (no
 * Sysmon input 770 · not in catalog 21 …) · not applicable 12 · 734 rules for other products out of scope".
 */
export function verdictLine(v: VerdictCounts, hosts: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const per = hosts > 1 ? ' (rule × host)' : '';
  const pct = v.readiness === null ? 'no applicable Windows rule' : `${v.readiness}% of ${n(v.applicable)} applicable Windows rules${per} ready`;
  const causes = Object.entries(v.unknownCauses).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const unknown = `unknown ${n(v.unknown)}${causes.length ? ` (${causes.map(([c, k]) => `${c}: ${n(k)}`).join(' · ')})` : ''}`;
  const parts = [`ready ${n(v.ready)}`, `partial ${n(v.partial)}`, `blocked ${n(v.blocked)}`, unknown];
  if (v.notApplicable) parts.push(`not applicable ${n(v.notApplicable)}${per}`);
  if (v.outOfScope) parts.push(`${n(v.outOfScope)} rule${v.outOfScope === 1 ? "" : "s"} for other products out of scope`);
  return `${pct} — ${parts.join(' · ')}`;
}

/** Unknown reasons with their rule counts, most frequent first. */
export function groupUnknownReasons(result: CheckResult): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of result.rules) {
    if (!r.unknownReason) continue;
    // "not a Windows rule (product: linux)" groups naturally; per-rule details stay in --verbose.
    counts.set(r.unknownReason, (counts.get(r.unknownReason) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** "either: Sysmon EID 1 ProcessCreate" / "or: Audit Process Creation — Success + …" lines. */
export function renderAlternatives(r: RuleRow, result: CheckResult): string[] {
  const names = new Map(result.requirements.map((q) => [q.id, q.name]));
  if (r.alternatives.length === 1 && r.alternatives[0]?.length === 0) return ['needs nothing to be turned on (logged by default)'];
  const lines = r.alternatives.map((alt, i) => {
    const what = alt.length ? alt.map((id) => names.get(id) ?? id).join(' + ') : 'nothing (logged by default)';
    return `${i === 0 ? (r.alternatives.length > 1 ? 'either' : 'needs') : 'or'}: ${what}  [${r.origins[i] ?? ''}]`;
  });
  for (const alt of r.supplementary) lines.push(`also (partial coverage): ${alt.map((id) => names.get(id) ?? id).join(' + ')}`);
  return lines;
}
