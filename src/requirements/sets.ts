/** Helpers for alternatives (OR) of requirement sets (AND). */

/** Upper bound on alternatives kept for one rule; beyond it the expansion is cut and noted. */
export const MAX_ALTERNATIVES = 64;

export interface Alternative {
  /** Name of the log-source origin this set comes from (e.g. "Sysmon process creation"). */
  origin: string;
  requires: string[];
  /** From a supplementary origin: satisfying it alone makes the rule partial, never ready. */
  supplementary?: boolean;
}

/** Cartesian product of per-item options: every way to pick one option per item, merged into one set. */
export function product(options: string[][][], cap = MAX_ALTERNATIVES): { sets: string[][]; truncated: boolean } {
  let sets: string[][] = [[]];
  let truncated = false;
  for (const opts of options) {
    const next: string[][] = [];
    for (const s of sets) {
      for (const o of opts) {
        next.push(union(s, o));
        if (next.length >= cap * 4) break;
      }
    }
    // Equal-size options in a stable, readable order (by id) whatever the catalog's listing order.
    sets = minimize(next).sort((x, y) => x.length - y.length || x.join('\n').localeCompare(y.join('\n')));
    if (sets.length > cap) {
      sets = sets.slice(0, cap);
      truncated = true;
    }
  }
  return { sets, truncated };
}

export function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** Removes duplicate sets and sets that contain another set (they demand more for the same effect). */
export function minimize(sets: string[][]): string[][] {
  if (sets.length === 1) return [[...new Set(sets[0])].sort()]; // the common case: one way
  const unique = new Map<string, string[]>();
  for (const s of sets) {
    const sorted = [...new Set(s)].sort();
    unique.set(sorted.join('\n'), sorted);
  }
  const list = [...unique.values()].sort((a, b) => a.length - b.length);
  const kept: string[][] = [];
  for (const s of list) {
    if (!kept.some((k) => k.every((x) => s.includes(x)))) kept.push(s);
  }
  return kept;
}

/** Minimises alternatives that carry an origin name, keeping the first origin for equal sets. */
export function minimizeAlternatives(alts: Alternative[]): Alternative[] {
  if (alts.length === 1) return alts;
  // Full and supplementary alternatives are minimised apart: one never stands in for the other.
  const group = (supplementary: boolean): Alternative[] => {
    const members = alts.filter((a) => Boolean(a.supplementary) === supplementary);
    return minimize(members.map((a) => a.requires)).map((requires) => {
      const key = requires.join('\n');
      const from = members.find((a) => [...new Set(a.requires)].sort().join('\n') === key);
      return supplementary ? { origin: from?.origin ?? '', requires, supplementary } : { origin: from?.origin ?? '', requires };
    });
  };
  return [...group(false), ...group(true)];
}
