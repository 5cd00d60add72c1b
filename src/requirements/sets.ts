/** Helpers for alternatives (OR) of requirement sets (AND). */

/** Upper bound on alternatives kept for one rule; beyond it the expansion is cut and noted. */
export const MAX_ALTERNATIVES = 64;

/**
 * The event one branch stands for: the channel it is written to and its event IDs (empty: any event of the
 * channel). Observed counts prove a branch by these; requirement ids alone do not name the channel.
 */
export interface BranchEvent {
  /** "" when the origin names no channel (nothing observed can prove the branch). */
  channel: string;
  eventIds: number[];
}

export interface Alternative {
  /** Name of the log-source origin this set comes from (e.g. "Sysmon process creation"). */
  origin: string;
  /** Everything this alternative needs: the union of its branches. */
  requires: string[];
  /**
   * One entry per event the rule reads through this origin: what that event needs to be produced with the
   * fields the rule reads (producer, enrichers, SACL, role). Partial verdicts count branches, never settings.
   */
  branches: string[][];
  /** The event of each branch (same order as branches). */
  events: BranchEvent[];
  /** From a supplementary origin: satisfying it alone makes the rule partial, never ready. */
  supplementary?: boolean;
  /**
   * Fields the rule reads that this origin's events never have (4688 has no OriginalFileName): the rule can
   * still match through its other selections, but what those fields detect is lost (a degraded "ready").
   */
  lacks?: string[];
}

/** A way to produce a set of events: what it needs overall and per event. */
export interface Combo {
  requires: string[];
  branches: string[][];
  /** The event of each branch (same order). */
  events: BranchEvent[];
}

/** One option per event: a combo whose only branch is the option itself. */
export function single(requires: string[], event: BranchEvent): Combo {
  const r = [...new Set(requires)].sort();
  return { requires: r, branches: [r], events: [event] };
}

/**
 * Cartesian product of per-item options: every way to pick one option per item, merged into one combo.
 * The picks are kept as linked lists and joined once at the end: a log source with 20,000 event IDs (a
 * user's pipeline) would otherwise copy its growing branch list once per event.
 */
export function product(options: Combo[][], cap = MAX_ALTERNATIVES): { sets: Combo[]; truncated: boolean } {
  let sets: Picks[] = [{ requires: [], last: undefined }];
  let truncated = false;
  for (const opts of options) {
    // An event with an option that needs nothing new leaves every way as it is (the others only add to it):
    // a log source with thousands of events costs one pass per event, not a minimisation.
    const kept = unchanged(sets, opts);
    if (kept) {
      sets = kept;
      continue;
    }
    const next: Picks[] = [];
    for (const s of sets) {
      for (const o of opts) {
        next.push({ requires: union(s.requires, o.requires), last: { combo: o, prev: s.last } });
        if (next.length >= cap * 4) break;
      }
    }
    // Equal-size options in a stable, readable order (by id) whatever the catalog's listing order.
    sets = minimizePicks(next);
    if (sets.length > cap) {
      sets = sets.slice(0, cap);
      truncated = true;
    }
  }
  return { sets: sets.map(joinPicks), truncated };
}

/** One way of picking so far: what it needs, and the options picked (last first). */
interface Picks {
  requires: string[];
  last: Pick | undefined;
}
interface Pick {
  combo: Combo;
  prev: Pick | undefined;
}

/** Each way extended by its first option that needs nothing it does not already need, or undefined. */
function unchanged(sets: Picks[], opts: Combo[]): Picks[] | undefined {
  const out: Picks[] = [];
  for (const s of sets) {
    const o = opts.find((x) => sortedSubset(x.requires, s.requires));
    if (!o) return undefined;
    out.push({ requires: s.requires, last: { combo: o, prev: s.last } });
  }
  return out;
}

/** Whether sorted, duplicate-free `a` is within sorted `b` (one merge pass). */
function sortedSubset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > b.length) return false;
  let j = 0;
  for (const x of a) {
    while (j < b.length && (b[j] as string) < x) j++;
    if (b[j] !== x) return false;
    j++;
  }
  return true;
}

function minimizePicks(next: Picks[]): Picks[] {
  if (next.length === 1) return next; // the common case: one way (requires are already unique and sorted)
  const byKey = new Map<string, Picks>();
  for (const s of next) {
    const key = s.requires.join('\n');
    if (!byKey.has(key)) byKey.set(key, s);
  }
  const kept = minimize([...byKey.values()].map((s) => s.requires)).map((req) => byKey.get(req.join('\n')) as Picks);
  const keys = new Map(kept.map((s) => [s, s.requires.join('\n')]));
  return kept.sort((x, y) => x.requires.length - y.requires.length || (keys.get(x) as string).localeCompare(keys.get(y) as string));
}

function joinPicks(p: Picks): Combo {
  const picked: Combo[] = [];
  for (let l = p.last; l; l = l.prev) picked.push(l.combo);
  const branches: string[][] = [];
  const events: BranchEvent[] = [];
  for (let i = picked.length - 1; i >= 0; i--) {
    const c = picked[i] as Combo;
    for (const b of c.branches) branches.push(b);
    for (const e of c.events) events.push(e);
  }
  return { requires: p.requires, branches, events };
}

/** Adds requirement ids to every branch of a combo (what every event of an origin needs). */
export function withAll(c: Combo, ids: readonly string[]): Combo {
  if (!ids.length) return c;
  return { requires: union(c.requires, ids), branches: c.branches.map((b) => union(b, ids)), events: c.events };
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
      const branches = from?.branches ?? [requires];
      const events = from?.events ?? [{ channel: '', eventIds: [] }];
      const lacks = from?.lacks?.length ? { lacks: from.lacks } : {};
      return supplementary
        ? { origin: from?.origin ?? '', requires, branches, events, supplementary, ...lacks }
        : { origin: from?.origin ?? '', requires, branches, events, ...lacks };
    });
  };
  return [...group(false), ...group(true)];
}
