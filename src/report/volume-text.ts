/** Lines every renderer shares about event volume: the --max-volume cut and the --rank value order. */
import { measuredShort } from '../assess/measured-cost.js';
import type { Readiness, RecommendationRow } from '../result/result.js';

/** "--max-volume low left out 3 fixes above it (…)": a budget never cuts silently. */
export function budgetLine(rd: Readiness): string | undefined {
  const b = rd.volumeBudget;
  if (!b) return undefined;
  if (!b.leftOut.length) return `--max-volume ${b.max}: no fix needed a setting above it`;
  const list = b.leftOut.map((f) => `${f.names.join(' + ')} (${f.volume}, ${f.unlocks} rule${f.unlocks === 1 ? '' : 's'})`);
  return `--max-volume ${b.max} left out ${b.leftOut.length} fix${b.leftOut.length === 1 ? '' : 'es'} above it, from the ranked list and the fix files: ${list.join('; ')}`;
}

/** What the order of the ranked fixes means, when it is not the default. */
export function rankingNote(rd: Readiness): string | undefined {
  const basis = rd.measuredCost?.ranking;
  if (rd.ranking === 'value' && basis?.measured) return basis.note;
  const weights = 'ranked by rules unlocked per volume weight (--rank value: low 1, medium 3, high 9, unrated as high)';
  return rd.ranking === 'value' ? (basis ? `${weights}; ${basis.note.replace(/^ranked by the catalog's volume weights, /, '')}` : weights) : undefined;
}

/** " · volume high · ≈ 14,000 events/day, 11.0 MB/day per host, measured on 6 hosts": beside each ranked fix. */
export function volumeCell(f: RecommendationRow): string {
  const m = measuredShort(f.measuredCost);
  return `volume ${f.volume}${m ? ` · ${m}` : ''}`;
}

/**
 * One line on retention for a short report: the log that would hold the shortest time with the fixes (or now),
 * how many log × host figures there are in all, and a warning when one falls under a day.
 */
export function retentionLine(rd: Readiness): string | undefined {
  const list = rd.retention ?? [];
  if (!list.length) return undefined;
  const days = (r: NonNullable<Readiness['retention']>[number]) => r.after?.days ?? r.now?.days ?? Infinity;
  const worst = [...list].sort((a, b) => days(a) - days(b))[0] as NonNullable<Readiness['retention']>[number];
  const under = list.filter((r) => r.warning).length;
  const more = list.length > 1 ? ` (shortest of ${list.length} log × host figures; the JSON report has all)` : '';
  return `retention: ${worst.text}${more}${under ? `; WARNING: ${under} would hold under a day with the fixes` : ''}`;
}
