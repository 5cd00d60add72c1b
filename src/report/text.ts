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

/** "62.5% ready (ready 40 · partial 10 · blocked 14 · unknown 30)". */
export function verdictLine(v: { ready: number; partial: number; blocked: number; unknown: number; readiness: number | null }, hosts: number): string {
  const pct = v.readiness === null ? 'no assessable rule' : `${v.readiness}% of assessable Windows rules ready`;
  const per = hosts > 1 ? ` over ${hosts} hosts (rule × host)` : '';
  return `${pct}${per} — ready ${v.ready} · partial ${v.partial} · blocked ${v.blocked} · unknown ${v.unknown}`;
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
