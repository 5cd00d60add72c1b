import type { VerdictCounts } from '../assess/assess.js';
import type { CheckResult, RecommendationRow, RuleRow } from '../result/result.js';

/** Pieces of wording shared by the table and Markdown renderers. */

/**
 * "3141 rules scanned (3141 files) · 2407 Windows · 2392 resolved · 15 unresolved · 734 out of scope · 0 errors".
 * compact (the default table, one screen at 120 columns) leaves the unresolved count out: the table says it below
 * (the headline's "not in catalog" and "ETW only" causes, or a line of its own without a host).
 */
export function summaryLine(result: CheckResult, opts: { compact?: boolean } = {}): string {
  const s = result.summary;
  const parts = [`${s.rulesScanned} rules scanned (${s.filesRead} files)`, `${s.windowsRules} Windows`, `${s.resolved} resolved`];
  // "unknown" is the headline's word for a Windows rule the inputs do not settle: a log source the catalog does not
  // resolve is one cause of it (the headline's "not in catalog", "ETW only"), so the first line says "unresolved".
  if (s.unknown && !opts.compact) parts.push(`${s.unknown} unresolved`);
  // Other products' rules: the out-of-scope line (and the headline) name the products.
  if (s.outOfScope) parts.push(`${s.outOfScope} out of scope`);
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
  // Degraded is a part of ready, said with it: those rules fire, but the selections on the missing fields never do.
  const parts = [`ready ${n(v.ready)}${v.degraded ? ` (${n(v.degraded)} degraded)` : ''}`, `partial ${n(v.partial)}`, `blocked ${n(v.blocked)}`, unknown];
  if (v.notApplicable) parts.push(`not applicable ${n(v.notApplicable)}${per}`);
  if (v.outOfScope) parts.push(`${n(v.outOfScope)} rule${v.outOfScope === 1 ? '' : 's'} for other products out of scope`);
  return `${pct} — ${parts.join(' · ')}`;
}

/** Why Windows rules' log sources are not resolved, with their rule counts, most frequent first. */
export function groupUnknownReasons(result: CheckResult): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of result.rules) {
    // Rules for other products are not unknown: the out-of-scope line counts them.
    if (!r.unknownReason || !r.windows) continue;
    counts.set(r.unknownReason, (counts.get(r.unknownReason) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * A rule's verdict column without a host: other products' rules are out of scope, a Windows rule whose log source
 * is not resolved is unknown, any other Windows rule `resolved` (what reports without a host show).
 */
export function noHostVerdict(r: RuleRow, resolved = 'resolved'): string {
  if (!r.windows) return 'out-of-scope';
  return r.unknownReason ? 'unknown' : resolved;
}

/** What a rule without requirements says instead: "out of scope: not a Windows rule (product: linux)". */
export function unresolvedLine(r: RuleRow): string | undefined {
  if (!r.unknownReason) return undefined;
  return `${r.windows ? 'unknown' : 'out of scope'}: ${r.unknownReason}`;
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

/** How to carry out a list of fixes, each distinct text said once, with the fixes (by rank) it serves. */
export interface HowLine {
  ranks: number[];
  text: string;
  /** Commands to run or config XML to add, one per line (code blocks in Markdown and HTML). */
  code: string[];
}

/**
 * Groups the "how to enable" texts of ranked fixes: installing Sysmon is one line listing the config elements,
 * every other distinct text is said once; a reader scans ten fixes without reading the same sentence ten times.
 */
export function howLines(recs: RecommendationRow[], opts: { oneBlock?: boolean } = {}): HowLine[] {
  const sysmon = { ranks: new Set<number>(), elements: new Set<string>() };
  const other = new Map<string, HowLine>();
  // Pages (HTML, Markdown) put every command into one block to copy at once; the terminal says each beside its fix.
  const commands: HowLine = { ranks: [], text: 'run as administrator (logsource-check fix writes the same as files)', code: [] };
  for (const f of recs) {
    for (const q of f.requires) {
      if (q.xml && q.group) {
        sysmon.ranks.add(f.rank);
        sysmon.elements.add(q.group);
        continue;
      }
      if (opts.oneBlock && q.command) {
        if (!commands.ranks.includes(f.rank)) commands.ranks.push(f.rank);
        if (!commands.code.includes(q.command)) commands.code.push(q.command);
        continue;
      }
      const line = other.get(q.enable) ?? { ranks: [], text: q.command ? '' : q.enable, code: q.command ? [q.command] : [] };
      if (!line.ranks.includes(f.rank)) line.ranks.push(f.rank);
      other.set(q.enable, line);
    }
  }
  const lines: HowLine[] = [];
  if (sysmon.ranks.size) {
    const els = [...sysmon.elements];
    lines.push({
      ranks: [...sysmon.ranks].sort((a, b) => a - b),
      text: `install Sysmon with a config that logs ${els.join(', ')}; logsource-check sysmon-config writes one (--base merges into yours)`,
      code: els.map((e) => `<${e} onmatch="exclude"/>`),
    });
  }
  if (commands.code.length) lines.push(commands);
  // In ranking order, as the fix table above them (a block serving fixes 6 and 7 comes after fix 5).
  return [...lines, ...other.values()].sort((a, b) => (a.ranks[0] ?? 0) - (b.ranks[0] ?? 0));
}

/** "1–6, 8" from [1, 2, 3, 4, 5, 6, 8]. */
export function rankList(ranks: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ranks.length; i++) {
    let j = i;
    while (j + 1 < ranks.length && (ranks[j + 1] as number) === (ranks[j] as number) + 1) j++;
    out.push(j > i + 1 ? `${ranks[i]}–${ranks[j]}` : j === i + 1 ? `${ranks[i]}, ${ranks[j]}` : String(ranks[i]));
    i = j;
  }
  return out.join(', ');
}

/** "windows/category/process_creation" → "process_creation"; "windows/service/security" → "service: security". */
export function shortLogsource(key: string): string {
  const m = /^windows\/(category|service)\/(.+)$/.exec(key);
  if (!m) return key;
  return m[1] === 'category' ? (m[2] as string) : `service: ${m[2]}`;
}

/** "734 rules for other products are out of scope (linux 210, azure 123, …)", or undefined when there are none. */
export function outOfScopeLine(result: CheckResult, top = 6): string | undefined {
  const by = new Map<string, number>();
  for (const r of result.rules) {
    if (r.kind !== 'rule' || r.windows) continue;
    const product = r.logsource?.product ?? '(no product)';
    by.set(product, (by.get(product) ?? 0) + 1);
  }
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  if (!total) return undefined;
  const list = [...by].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = list.slice(0, top).map(([p, n]) => `${p} ${n}`);
  return `${total} rule${total === 1 ? '' : 's'} for other products ${total === 1 ? 'is' : 'are'} out of scope (${shown.join(', ')}${list.length > top ? `, ${list.length - top} more products` : ''})`;
}

/** Wraps prose to a width, continuation lines indented; words longer than the width are left whole. */
export function wrap(text: string, width: number, indent = '', hanging = indent): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/ +/)) {
    const start = line === indent || line === hanging;
    if (!start && line.length + 1 + word.length > width) {
      lines.push(line);
      line = hanging + word;
    } else line = start ? line + word : `${line} ${word}`;
  }
  if (line.trim()) lines.push(line);
  return lines;
}
