/**
 * Ranked fixes with their event volume. The default order is rules unlocked per setting changed; --rank value
 * divides by the settings' volume weights instead, and --max-volume keeps only fixes whose settings stay within
 * the budget (what it leaves out is listed, so a cut is never silent).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { VolumeClass, VolumeRating } from '../catalog/volume.js';
import type { AssessRule } from './counts.js';
import { rankFixes, type RankedFix, type RankItem } from './rank.js';
import { fixVolume, overBudget, valueWeight, volumeLookup, type HostKind, type RankMode, type VolumeOptions } from './volume.js';

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

export interface RankedRecommendations {
  recommendations: Recommendation[];
  ranking: RankMode;
  budget?: VolumeBudget;
}

/** Groups of look-alike hosts as assess() forms them: how many hosts each stands for. */
export interface HostGroup {
  weight: number;
}

export function recommend(items: RankItem[], groups: HostGroup[], rules: AssessRule[], catalog: Catalog, kinds: HostKind[], vol: VolumeOptions = {}): RankedRecommendations {
  const volumeOf = volumeLookup(catalog, kinds);
  const ranking: RankMode = vol.rank ?? 'rules';
  const cost = ranking === 'value' ? (id: string) => valueWeight(volumeOf(id).class) : undefined;
  const max = vol.maxVolume;
  const allowed = max ? (id: string) => !overBudget(volumeOf(id).class, max) : undefined;
  const fixes = rankFixes(items, 100, { cost, allowed });
  const recommendations = fixes.map((f, i) => toRecommendation(f, i, groups, rules, volumeOf));
  if (!max) return { recommendations, ranking };
  // The unbudgeted ranking names what the budget costs: each of its fixes that needs a setting above it.
  const leftOut = rankFixes(items, 100, { cost })
    .map((f) => ({ requires: f.requires, volume: fixVolume(f.requires.map(volumeOf)), unlocks: f.unlocks }))
    .filter((f): f is VolumeBudget['leftOut'][number] => overBudget(f.volume, max));
  const settingsAbove = [...new Set(leftOut.flatMap((f) => f.requires.filter((id) => overBudget(volumeOf(id).class, max))))].sort();
  let onlyAbove = 0;
  for (const i of items) {
    const open = i.missing.length > 0 && i.missing.every((m) => m.length > 0);
    if (open && !i.missing.some((m) => m.every((id) => !overBudget(volumeOf(id).class, max)))) onlyAbove += i.weight;
  }
  return { recommendations, ranking, budget: { max, leftOut, settingsAbove, onlyAbove } };
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
