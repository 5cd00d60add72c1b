/**
 * Ranked fixes with their event volume. The default order is rules unlocked per setting changed; --rank value
 * divides by the settings' volume weights instead, and --max-volume keeps only fixes whose settings stay within
 * the budget (what it leaves out is listed, so a cut is never silent).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { HazardClass } from '../catalog/hazards.js';
import type { VolumeClass, VolumeRating } from '../catalog/volume.js';
import type { AssessRule } from './counts.js';
import { rankFixes, type RankedFix, type RankItem } from './rank.js';
import { bySetting } from './settings.js';
import { describeRequirement } from '../requirements/describe.js';
import type { MeasuredCost, MeasuredIndex } from './measured-cost.js';
import { budgetClass, fixVolume, maxBudget, overBudget, valueWeight, volumeLookup, type HostKind, type RankMode, type VolumeOptions } from './volume.js';

export interface Recommendation {
  rank: number;
  requires: string[];
  /** Rules made ready (rule × host units on a fleet). */
  unlocks: number;
  rules: { path: string; title: string }[];
  /** Indexes of those rules in result.rules. */
  ruleIndexes: number[];
  hosts: number;
  /** The fix's event volume: the highest class of its settings; undefined when none is rated. */
  volume?: VolumeClass;
  /** Per setting, its volume on these hosts and what the rating rests on. */
  volumes: Record<string, VolumeRating>;
  /** With evidence: what its settings' events cost on the hosts where they are on (measured-cost.ts). */
  measured?: MeasuredCost;
}

/** What --max-volume left out: the fixes of the unbudgeted ranking that need a setting above the budget. */
export interface VolumeBudget {
  max: VolumeClass;
  leftOut: { requires: string[]; volume: VolumeClass; unlocks: number }[];
  /** The settings above the budget that the left-out fixes need (each once). */
  settingsAbove: string[];
  /**
   * Rules (rule × host units on a fleet) that only a setting above the budget can make ready: every way they have
   * needs one. Counted from the rules, not from the greedy list, so it is the rules that --max-volume high would add.
   */
  onlyAbove: number;
}

/**
 * Settings never proposed because turning them on blocks or archives data (catalog hazards): the rules that need
 * one (and have no other way) stay blocked or unknown, counted here, never as unlocked.
 */
export interface WithheldFix {
  requires: string[];
  hazard: HazardClass;
  reason: string;
  /** Rules (rule × host units on a fleet) that stay without a fix. */
  rules: number;
}

export interface RankedRecommendations {
  recommendations: Recommendation[];
  ranking: RankMode;
  budget?: VolumeBudget;
  withheld?: WithheldFix[];
  /** --rank value with evidence: whether measured events/day or the catalog weights ordered the fixes, and why. */
  valueBasis?: ValueBasis;
}

export interface ValueBasis {
  measured: boolean;
  note: string;
}

/** Groups of look-alike hosts as assess() forms them: how many hosts each stands for. */
export interface HostGroup {
  weight: number;
}

/**
 * usable: settings a plan may change at all (fix's built-in plan: no sysmon:*); an alternative needing any
 * other is out of reach for that ranking, exactly as a setting above the budget is.
 */
export function recommend(
  items: RankItem[],
  groups: HostGroup[],
  rules: AssessRule[],
  catalog: Catalog,
  kinds: HostKind[],
  vol: VolumeOptions = {},
  usable?: (id: string) => boolean,
): RankedRecommendations {
  const volumeOf = volumeLookup(catalog, kinds);
  const ranking: RankMode = vol.rank ?? 'rules';
  const max = vol.maxVolume;
  // Blocking and archiving settings are never a fix: an alternative needing one cannot be taken.
  const safe = usable ? (id: string) => !catalog.withheld(id) && usable(id) : (id: string) => !catalog.withheld(id);
  const allowed = max ? (id: string) => safe(id) && !overBudget(budgetClass(volumeOf(id)), max) : safe;
  // Ranked per setting (settings.ts): one Sysmon element is one fix, whichever of its event types the rules read.
  // A setting is allowed when every requirement it turns on is; it costs once, at its highest volume.
  const view = bySetting(items, catalog);
  const ids = (k: string) => view.members.get(k) ?? [k];
  const lift = (ok: (id: string) => boolean) => (k: string) => ids(k).every(ok);
  const value = ranking === 'value' ? valueCost(view.items, ids, lift(safe), volumeOf, vol.measured, (id) => describeRequirement(id, catalog).name) : undefined;
  const cost = value?.cost;
  const expand = (f: RankedFix): RankedFix => ({ ...f, requires: view.expand(f.requires) });
  const label = (k: string) => ids(k).join();
  const fixes = rankFixes(view.items, 100, { cost, allowed: lift(allowed), label }).map(expand);
  const recommendations = fixes.map((f, i) => ({
    ...toRecommendation(f, i, groups, rules, volumeOf),
    ...(vol.measured ? { measured: vol.measured.measure(f.requires) } : {}),
  }));
  const withheld = withheldFixes(items, catalog);
  const extra = { ...(withheld.length ? { withheld } : {}), ...(value?.basis ? { valueBasis: value.basis } : {}) };
  if (!max) return { recommendations, ranking, ...extra };
  // The unbudgeted ranking names what the budget costs: each of its fixes that needs a setting above it.
  const leftOut = rankFixes(view.items, 100, { cost, allowed: lift(safe), label })
    .map(expand)
    .filter((f) => overBudget(maxBudget(f.requires.map(volumeOf)), max))
    .map((f) => ({ requires: f.requires, volume: fixVolume(f.requires.map(volumeOf)) as VolumeBudget['leftOut'][number]['volume'], unlocks: f.unlocks }));
  const settingsAbove = [...new Set(leftOut.flatMap((f) => f.requires.filter((id) => overBudget(budgetClass(volumeOf(id)), max))))].sort();
  // Rules that --max-volume high would add: no way within the budget, and a way that needs no withheld setting.
  let onlyAbove = 0;
  const inBudget = lift(allowed);
  const safeSetting = lift(safe);
  for (const i of view.items) {
    const open = i.missing.length > 0 && i.missing.every((m) => m.length > 0);
    if (open && !i.missing.some((m) => m.every(inBudget)) && i.missing.some((m) => m.every(safeSetting))) onlyAbove += i.weight;
  }
  return { recommendations, ranking, budget: { max, leftOut, settingsAbove, onlyAbove }, ...extra };
}

/**
 * --rank value's cost per setting: its measured events/day (median over the hosts where it is on) when the
 * evidence measures every setting the ranking may choose, else the catalog weight for all of them. Never a mix:
 * events/day and weights are not one scale, and a fix measured at 50 a day must not outrank one merely unrated.
 */
function valueCost(
  items: RankItem[],
  ids: (k: string) => string[],
  allowed: (k: string) => boolean,
  volumeOf: (id: string) => VolumeRating,
  measured: MeasuredIndex | undefined,
  name: (id: string) => string,
): { cost: (k: string) => number; basis?: ValueBasis } {
  const weight = (k: string) => valueWeight(fixVolume(ids(k).map(volumeOf)));
  if (!measured) return { cost: weight };
  const candidates = [...new Set(items.flatMap((i) => i.missing.flat()))].filter(allowed).sort();
  const rate = new Map<string, number>();
  const without: string[] = [];
  for (const k of candidates) {
    const r = measured.measure(ids(k)).eventsPerDay?.median;
    if (r !== undefined && r > 0) rate.set(k, r);
    else without.push(k);
  }
  if (!without.length && candidates.length) {
    return {
      cost: (k) => rate.get(k) ?? weight(k),
      basis: {
        measured: true,
        note: `ranked by rules unlocked per measured event a day (--rank value: every one of the ${candidates.length} candidate settings is measured in the evidence)`,
      },
    };
  }
  const list = without.slice(0, 3).flatMap(ids).map(name).join(', ');
  return {
    cost: weight,
    basis: {
      measured: false,
      note: `ranked by the catalog's volume weights, not measured events a day: ${without.length} of ${candidates.length} candidate settings have no measured rate (${list}${without.length > 3 ? ', …' : ''})`,
    },
  };
}

/** Rules whose every way to readiness needs a withheld setting, grouped by those settings. */
function withheldFixes(items: RankItem[], catalog: Catalog): WithheldFix[] {
  const by = new Map<string, WithheldFix>();
  for (const item of items) {
    if (!item.missing.length || !item.missing.every((m) => m.some((id) => catalog.withheld(id)))) continue;
    const ids = [...new Set(item.missing.flatMap((m) => m.filter((id) => catalog.withheld(id))))].sort();
    const key = ids.join('\n');
    let w = by.get(key);
    if (!w) {
      const h = catalog.withheld(ids[0] as string);
      const alt = h?.instead !== undefined ? `; Sysmon EID ${h.instead} logs the same without the copy` : '';
      const reason =
        h?.class === 'enforcement'
          ? 'turning it on blocks, it does not only log: these rules detect blocks made by your own blocking policy, which this tool never writes'
          : h?.option
            ? `Sysmon logs it only with ${h.option}, which copies the data to disk (privacy); never proposed, and this tool never writes ${h.option}`
            : `turning it on copies data to disk${alt}; never proposed unfiltered (sysmon-config --mode targeted writes include filters where they cover every rule)`;
      by.set(key, (w = { requires: ids, hazard: h?.class ?? 'enforcement', reason, rules: 0 }));
    }
    w.rules += item.weight;
  }
  return [...by.values()].sort((a, b) => b.rules - a.rules || a.requires.join().localeCompare(b.requires.join()));
}

function toRecommendation(f: RankedFix, i: number, groups: HostGroup[], rules: AssessRule[], volumeOf: (id: string) => VolumeRating): Recommendation {
  const ruleIdx = [...new Set(f.items.map((id) => id % rules.length))];
  const hostsTouched = new Set(f.items.map((id) => Math.floor(id / rules.length)));
  let hostCount = 0;
  for (const gi of hostsTouched) hostCount += groups[gi]?.weight ?? 0;
  const volumes: Record<string, VolumeRating> = {};
  for (const id of f.requires) volumes[id] = volumeOf(id);
  const volume = fixVolume(Object.values(volumes));
  return {
    rank: i + 1,
    requires: f.requires,
    unlocks: f.unlocks,
    rules: ruleIdx.map((ri) => ({ path: (rules[ri] as AssessRule).path, title: (rules[ri] as AssessRule).title })),
    ruleIndexes: ruleIdx,
    hosts: hostCount,
    ...(volume ? { volume } : {}),
    volumes,
  };
}
