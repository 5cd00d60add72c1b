/**
 * Greedy ranking of fixes: first the change that turns the most rules ready, then the best next change
 * given the first, and so on. A change is a set of requirements — a rule whose closest alternative lacks
 * two settings (4688 auditing and the command-line policy) is unlocked only by both together. Changes are
 * compared by rules made ready per setting they change, so unrelated settings are not bundled.
 */

export interface RankItem {
  /** Caller's handle: a rule index, or a (host group, rule) pair. */
  id: number;
  /** How many rule × host units this item stands for. */
  weight: number;
  /** Per alternative, the requirement ids that are not on. */
  missing: string[][];
}

export interface RankedFix {
  requires: string[];
  /** Weighted count of items this fix makes ready (given the fixes before it). */
  unlocks: number;
  items: number[];
}

export interface RankOptions {
  /** What changing a setting costs (default 1: rules per setting changed); --rank value weighs by volume. */
  cost?: (id: string) => number;
  /** Settings a fix may change (--max-volume): alternatives needing any other are out of reach. */
  allowed?: (id: string) => boolean;
  /** The text ties are broken on, per id (default the id): a setting sorts as the requirements it stands for. */
  label?: (id: string) => string;
}

export function rankFixes(items: RankItem[], maxFixes = 100, opts: RankOptions = {}): RankedFix[] {
  const allowed = opts.allowed;
  const cost = opts.cost ?? (() => 1);
  const label = (set: string[]) => (opts.label ? set.map(opts.label) : set).join();
  // Within a budget an alternative that needs a setting above it cannot be taken; a rule with no other is dropped.
  const reachable = allowed ? items.map((i) => ({ ...i, missing: i.missing.filter((m) => m.every(allowed)) })) : items;
  let pending = reachable.filter((i) => i.missing.length > 0 && i.missing.every((m) => m.length > 0));
  const chosen = new Set<string>();
  const fixes: RankedFix[] = [];

  while (pending.length && fixes.length < maxFixes) {
    // Remaining sets: what each alternative still lacks after the fixes chosen so far.
    const bySet = new Map<string, { set: string[]; items: RankItem[] }>();
    for (const item of pending) {
      for (const m of item.missing) {
        const rest = m.filter((id) => !chosen.has(id));
        const key = rest.join('\n');
        let e = bySet.get(key);
        if (!e) bySet.set(key, (e = { set: rest, items: [] }));
        if (e.items[e.items.length - 1] !== item) e.items.push(item);
      }
    }
    const sets = [...bySet.values()];
    let best: { set: string[]; unlocked: RankItem[]; score: number; exact: number } | undefined;
    for (const cand of sets) {
      const candSet = new Set(cand.set);
      const unlocked = new Set<RankItem>();
      for (const other of sets) if (other.set.every((id) => candSet.has(id))) for (const it of other.items) unlocked.add(it);
      let score = 0;
      for (const it of unlocked) score += it.weight;
      // Most rules per setting changed (the classic greedy for covering problems): a bundle of unrelated
      // settings never wins just because together they unlock more. Ties: the smaller change, then more rules.
      // With a cost per setting (--rank value) it is rules per unit of cost instead.
      let price = 0;
      for (const id of cand.set) price += cost(id);
      const exact = score / price;
      const better =
        !best ||
        exact > best.exact ||
        (exact === best.exact && cand.set.length < best.set.length) ||
        (exact === best.exact && cand.set.length === best.set.length && score > best.score) ||
        (exact === best.exact && cand.set.length === best.set.length && score === best.score && label(cand.set) < label(best.set));
      if (better) best = { set: cand.set, unlocked: [...unlocked], score, exact };
    }
    if (!best || best.score === 0) break;
    for (const id of best.set) chosen.add(id);
    fixes.push({ requires: best.set, unlocks: best.score, items: best.unlocked.map((i) => i.id) });
    const done = new Set(best.unlocked);
    pending = pending.filter((i) => !done.has(i));
  }
  return fixes;
}
