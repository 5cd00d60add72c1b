/** Lines every renderer shares about event volume: the --max-volume cut and the --rank value order. */
import type { Readiness } from '../result/result.js';

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
  return rd.ranking === 'value' ? 'ranked by rules unlocked per volume weight (--rank value: low 1, medium 3, high 9, unrated as high)' : undefined;
}
