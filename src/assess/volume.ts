/**
 * Event volume of fixes: each setting's class on the hosts at hand (from the catalog), a fix's class (its
 * highest), the budget of --max-volume and the cost that --rank value divides by.
 */
import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import { maxVolume, subcategoryClass, volumeRank, type VolumeClass, type VolumeRating } from '../catalog/volume.js';

import type { MeasuredIndex } from './measured-cost.js';

export type RankMode = 'rules' | 'value';

export interface VolumeOptions {
  /** Fixes needing a setting above this class are left out (--max-volume). */
  maxVolume?: VolumeClass;
  /** rules (default): rules unlocked per setting changed; value: rules unlocked per volume weight. */
  rank?: RankMode;
  /** Evidence (--observed): each fix's measured events/day and bytes/day; --rank value divides by it when every candidate has one. */
  measured?: MeasuredIndex;
}

/**
 * --rank value weighs each setting by its class: one high-volume setting costs as much as nine low ones (a
 * factor of three per class step, so a class is worth roughly three times the events of the one below). A
 * setting no source rates weighs as high: a fix of unknown volume never outranks a known-quiet one.
 */
export const VALUE_WEIGHTS: Readonly<Record<VolumeClass, number>> = { low: 1, medium: 3, high: 9 };
export const UNRATED_WEIGHT = VALUE_WEIGHTS.high;

/** Host kinds as HostEnvironment.role.kind gives them (undefined: not known). */
export type HostKind = string | undefined;

/** One setting's volume on these hosts: the highest class any of them gets (a fleet shares one fix list). */
export function requirementVolume(id: string, catalog: Catalog, kinds: HostKind[]): VolumeRating {
  const [kind, rest = ''] = splitRequirement(id);
  const hostKinds = kinds.length ? kinds : [undefined];
  if (kind === 'audit') {
    const sub = catalog.subcategory(rest.replace(/:(success|failure)$/, ''));
    if (!sub) return { note: 'not in the catalog' };
    const dcOnly = sub.roles?.length === 1 && sub.roles[0] === 'domain-controller';
    const cls = maxVolume(hostKinds.map((k) => subcategoryClass(sub.volume, k, dcOnly)));
    const note = cls ? `Microsoft: "${sub.volume.stated ?? ''}"` : (sub.volume.unrated ?? 'Microsoft rates this subcategory for other computer types only');
    const budget = sub.volume.budget && sub.volume.budgetNote ? { budget: { class: sub.volume.budget, note: sub.volume.budgetNote } } : {};
    return { class: cls, basis: cls ? 'documented' : undefined, source: sub.volume.source ?? sub.source, note, ...budget };
  }
  const entry = kind === 'sysmon' ? catalog.sysmonEvent(Number(rest)) : kind === 'policy' ? catalog.policy(rest) : undefined;
  if (entry) return { class: entry.volume, basis: entry.volumeBasis, source: entry.volumeSource, note: entry.volumeNote };
  if (kind === 'channel') return { note: "no source found that rates this channel's volume" };
  if (kind === 'sacl') return { note: "the volume follows the objects the SACL covers (the subcategory's rating applies)" };
  if (kind === 'forward') return { note: 'a collector change: no event is added on the host' };
  return { note: 'unrated' };
}

/** The class --max-volume counts for a setting: its rating, or the lower class the catalog admits it at. */
export function budgetClass(r: VolumeRating): VolumeClass | undefined {
  return r.budget?.class ?? r.class;
}

/** A fix's class as the budget counts it. */
export function maxBudget(ratings: VolumeRating[]): VolumeClass | undefined {
  return maxVolume(ratings.map(budgetClass));
}

/** A fix's class: the highest of its settings' (settings no source rates do not count); undefined if none is rated. */
export function fixVolume(ratings: VolumeRating[]): VolumeClass | undefined {
  return maxVolume(ratings.map((r) => r.class));
}

export function overBudget(cls: VolumeClass | undefined, max: VolumeClass | undefined): boolean {
  return cls !== undefined && max !== undefined && volumeRank(cls) > volumeRank(max);
}

export function valueWeight(cls: VolumeClass | undefined): number {
  return cls ? VALUE_WEIGHTS[cls] : UNRATED_WEIGHT;
}

/** Memoised ratings for one assessment (the ranking asks for the same ids many times). */
export function volumeLookup(catalog: Catalog, kinds: HostKind[]): (id: string) => VolumeRating {
  const memo = new Map<string, VolumeRating>();
  return (id) => {
    let r = memo.get(id);
    if (!r) memo.set(id, (r = requirementVolume(id, catalog, kinds)));
    return r;
  };
}

/** One line for a file comment or a report: the class, what it rests on and where it is written. */
export function volumeText(r: VolumeRating): string {
  if (!r.class) return `event volume unrated (${r.note ?? 'no source rates it'})`;
  return `event volume ${r.class}, ${r.basis ?? 'documented'}: ${r.note ?? ''}${r.source ? ` <${r.source}>` : ''}`;
}
