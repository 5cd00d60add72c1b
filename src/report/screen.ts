/**
 * The pieces that keep the default table on one screen whatever the hosts are (gpresult only, a snapshot with
 * a Sysmon config, a fleet): "how" said in at most two lines per fix, the Sysmon config in a few lines, and
 * what a fleet's inputs do not show grouped over its hosts. The full text of each is in --verbose.
 */
import { terminalLine as t } from '../escape.js';
import type { HostRow, Readiness, RecommendationRow } from '../result/result.js';
import type { Say } from './table-full.js';
import { howLines, rankList } from './text.js';

/** The default table's height at most: one screen of a 60-line terminal. */
export const SCREEN_LINES = 60;

/** Lines a "how" may take on the default screen; longer texts end in "…" and are whole in --verbose. */
const HOW_LINES = 2;

/**
 * "How" for the shown fixes, each distinct text once. Changes to a deployed Sysmon config (its filters drop or
 * cut events, or it leaves an element out) are one line: the per-filter detail is long (a paragraph per fix)
 * and the Sysmon block below names the filters that cost the most rules.
 */
export function screenHow(shown: RecommendationRow[], config: string | undefined, say: Say): { lines: string[]; clipped: boolean } {
  const deployed = (q: RecommendationRow['requires'][number]) => q.group !== undefined && !q.xml;
  const ranks = shown.filter((f) => f.requires.some(deployed)).map((f) => f.rank);
  const elements = [...new Set(shown.flatMap((f) => f.requires.filter(deployed).map((q) => q.group as string)))];
  const rest = shown.map((f) => ({ ...f, requires: f.requires.filter((q) => !deployed(q)) }));
  const lines: string[] = [];
  let clipped = false;
  const add = (text: string) => {
    const wrapped = say(text, '  ', '      ');
    if (wrapped.length > HOW_LINES) {
      clipped = true;
      const last = wrapped[HOW_LINES - 1] as string;
      wrapped.splice(HOW_LINES - 1, wrapped.length, `${last.replace(/\s*\S+$/, '')} …`);
    }
    lines.push(...wrapped);
  };
  const label = (r: number[]) => `${r.length > 1 ? 'fixes' : 'fix'} ${rankList(r)}`;
  if (ranks.length) {
    const base = config ? ` --base ${config}` : ' --base CONFIG';
    add(`${label(ranks)}: the deployed Sysmon config drops, cuts or leaves out ${elements.join(', ')}; logsource-check sysmon-config RULES${base} adds them`);
  }
  for (const h of howLines(rest)) {
    if (!h.ranks.length) continue;
    const text = [h.text, ...h.code.filter((c) => !c.startsWith('<'))].filter(Boolean).join(': ');
    if (text) add(`${label(h.ranks)}: ${text}`);
  }
  return { lines, clipped };
}

/** The deployed Sysmon config in one line: how many of the event types the rules need it logs, filters or leaves out. */
export function sysmonStateLine(sy: NonNullable<Readiness['sysmon']>): string {
  const by = new Map<string, number>();
  for (const x of sy.types) by.set(x.state, (by.get(x.state) ?? 0) + 1);
  const states = [...by].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s, n]) => `${s} ${n}`);
  const dropped = sy.types.reduce((a, x) => a + x.dropped, 0);
  const partial = sy.types.reduce((a, x) => a + x.partial, 0);
  return `${t(sy.config)} (schema ${t(sy.schemaVersion)}): of ${sy.types.length} event types the rules need ${states.join(', ')}; the filters drop ${dropped} and cut ${partial} rule × type pairs — per type: --verbose`;
}

/**
 * What a fleet's inputs do not show, one line per kind of requirement over every host (with the input that would
 * settle it), and the warnings and conflicts counted with the first one said. A fleet of look-alikes would
 * otherwise repeat the same five lines per host.
 */
export function fleetGapLines(hosts: HostRow[], say: Say, bold: (s: string) => string, dim: (s: string) => string): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const gaps = new Map<string, { kind: string; settle: string; hosts: number; min: number; max: number }>();
  for (const h of hosts) {
    for (const u of h.seen.unknown) {
      const key = `${u.kind}\u0000${u.settle}`;
      const g = gaps.get(key) ?? { kind: u.kind, settle: u.settle, hosts: 0, min: Infinity, max: 0 };
      g.hosts++;
      g.min = Math.min(g.min, u.requirements);
      g.max = Math.max(g.max, u.requirements);
      gaps.set(key, g);
    }
  }
  const lines: string[] = [];
  for (const g of [...gaps.values()].sort((a, b) => b.hosts - a.hosts || a.kind.localeCompare(b.kind))) {
    const reqs = g.min === g.max ? `${g.min}` : `${g.min}–${g.max}`;
    lines.push(...say(`unknown on ${n(g.hosts)} host${g.hosts === 1 ? '' : 's'}: ${reqs} ${g.kind} requirement(s) each — ${g.settle}`, '  ', '    '));
  }
  for (const [what, pick] of [
    ['warning', (h: HostRow) => h.warnings],
    ['conflict', (h: HostRow) => h.conflicts],
  ] as const) {
    const with_ = hosts.filter((h) => pick(h).length);
    const first = with_[0];
    if (!first) continue;
    const also = with_.length > 1 ? ` (and ${n(with_.length - 1)} more host${with_.length === 2 ? '' : 's'}: --verbose)` : '';
    lines.push(...say(`${what} on ${n(with_.length)} host${with_.length === 1 ? '' : 's'}, ${first.name}: ${pick(first)[0]}${also}`, '  ', '    '));
  }
  if (!lines.length) return [];
  return ['', bold('What the inputs of the hosts do not show') + dim('  (per host: --verbose)'), ...lines];
}
