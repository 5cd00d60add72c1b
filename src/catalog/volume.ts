/**
 * Event volume facts of the catalog: how many events a setting adds when it is turned on. Subcategories carry
 * Microsoft's "Event volume" line (audit.yaml `volume:`, per computer type where the page tells them apart);
 * Sysmon types and policies carry one class with its basis and source (`volume`, `volumeBasis`, `volumeSource`,
 * `volumeNote`). A setting no source rates stays unrated and says why: a guessed volume would mislead a budget.
 */
import type { Checker } from './validate.js';

export const VOLUME_CLASSES = ['low', 'medium', 'high'] as const;
export type VolumeClass = (typeof VOLUME_CLASSES)[number];
/** The computer types Microsoft's subcategory pages rate separately. */
export const VOLUME_ROLES = ['domain-controller', 'member-server', 'workstation'] as const;
export type VolumeRole = (typeof VOLUME_ROLES)[number];
export type VolumeBasis = 'documented' | 'reported';

/** audit.yaml subcategory `volume:`. */
export interface SubcategoryVolume {
  general?: VolumeClass;
  'domain-controller'?: VolumeClass;
  'member-server'?: VolumeClass;
  workstation?: VolumeClass;
  /** The page's own words. */
  stated?: string;
  /** When the rating is not from the subcategory's own page. */
  source?: string;
  note?: string;
  /** Why no class is given. */
  unrated?: string;
  /**
   * The class the --max-volume budget counts, when the catalog admits the setting below its rating (Process
   * Creation: Microsoft's own security baselines turn it on for every computer type); `budgetNote` says why.
   */
  budget?: VolumeClass;
  budgetNote?: string;
}

/** Flat volume fields of sysmon.yaml events and policies.yaml policies. */
export interface VolumeFields {
  volume?: VolumeClass;
  volumeBasis?: VolumeBasis;
  volumeSource?: string;
  volumeNote?: string;
}

/** One setting's volume as reports and files show it; `class` undefined = unrated. */
export interface VolumeRating {
  class?: VolumeClass;
  /** The class the budget counts, when the catalog admits the setting below its rating (with why). */
  budget?: { class: VolumeClass; note: string };
  basis?: VolumeBasis;
  source?: string;
  /** Why unrated, or what the class rests on. */
  note?: string;
}

/** Ordinal of a class, for comparisons and the budget. */
export function volumeRank(c: VolumeClass): number {
  return VOLUME_CLASSES.indexOf(c);
}

export function maxVolume(classes: (VolumeClass | undefined)[]): VolumeClass | undefined {
  let best: VolumeClass | undefined;
  for (const c of classes) if (c && (!best || volumeRank(c) > volumeRank(best))) best = c;
  return best;
}

/**
 * A subcategory's class on a host of this kind. A host whose kind is not known (or only "member": client or
 * server not told) may be any of its candidate types: the highest class among them counts, so a budget never
 * under-counts. `dcOnly`: the subcategory logs only on domain controllers, so only that rating matters.
 */
export function subcategoryClass(v: SubcategoryVolume | undefined, kind: string | undefined, dcOnly: boolean): VolumeClass | undefined {
  if (!v) return undefined;
  const of = (r: VolumeRole) => v[r] ?? v.general;
  if (dcOnly) return of('domain-controller');
  if (kind === 'domain-controller' || kind === 'member-server' || kind === 'workstation') return of(kind);
  const candidates: VolumeRole[] = kind === 'member' || kind === 'standalone' ? ['member-server', 'workstation'] : [...VOLUME_ROLES];
  return maxVolume(candidates.map(of));
}

/** Schema of audit.yaml `volume:`: at least one class, or `unrated` with the reason (never both). */
export function checkSubcategoryVolume(c: Checker, sub: unknown, w: string): void {
  const v = c.field<Record<string, unknown>>(sub, w, 'volume', 'object');
  if (!v) return;
  const wv = `${w}.volume`;
  c.onlyKeys(v, wv, ['general', ...VOLUME_ROLES, 'stated', 'source', 'note', 'unrated', 'budget', 'budgetNote']);
  const budget = c.field<string>(v, wv, 'budget', 'string', true);
  if (budget !== undefined && !(VOLUME_CLASSES as readonly string[]).includes(budget)) c.fail(wv, `budget "${budget}" is not a volume class`);
  if (budget !== undefined && typeof v['budgetNote'] !== 'string') c.fail(wv, 'has "budget" without "budgetNote" saying why');
  let classes = 0;
  for (const k of ['general', ...VOLUME_ROLES]) {
    const cls = c.field<string>(v, wv, k, 'string', true);
    if (cls === undefined) continue;
    classes++;
    if (!(VOLUME_CLASSES as readonly string[]).includes(cls)) c.fail(wv, `${k} "${cls}" is not one of ${VOLUME_CLASSES.join(', ')}`);
  }
  for (const k of ['stated', 'source', 'note']) c.field(v, wv, k, 'string', true);
  const unrated = c.field<string>(v, wv, 'unrated', 'string', true);
  if (classes && unrated !== undefined) c.fail(wv, 'has both a class and "unrated"');
  if (!classes && !unrated) c.fail(wv, 'needs a class (general or per computer type) or "unrated" with the reason');
  if (classes && v['stated'] === undefined) c.fail(wv, 'needs "stated": what the source says');
  if (typeof v['source'] === 'string' && !/^https:\/\//.test(v['source'])) c.fail(wv, 'source must be an https URL');
}

/** Schema of the flat fields: a class needs its basis and source; without a class, volumeNote says why. */
export function checkVolumeFields(c: Checker, obj: unknown, w: string): void {
  const cls = c.field<string>(obj, w, 'volume', 'string', true);
  const basis = c.field<string>(obj, w, 'volumeBasis', 'string', true);
  const source = c.field<string>(obj, w, 'volumeSource', 'string', true);
  const note = c.field<string>(obj, w, 'volumeNote', 'string', true);
  if (cls !== undefined) {
    if (!(VOLUME_CLASSES as readonly string[]).includes(cls)) c.fail(w, `volume "${cls}" is not one of ${VOLUME_CLASSES.join(', ')}`);
    if (basis !== 'documented' && basis !== 'reported') c.fail(w, 'volume needs volumeBasis: documented or reported');
    if (!source || !/^https:\/\//.test(source)) c.fail(w, 'volume needs volumeSource (an https URL)');
  } else {
    if (basis !== undefined || source !== undefined) c.fail(w, 'volumeBasis/volumeSource without a volume');
    if (!note) c.fail(w, 'lacks "volume" or "volumeNote" saying why it is unrated');
  }
}

export const VOLUME_FIELD_KEYS = ['volume', 'volumeBasis', 'volumeSource', 'volumeNote'] as const;
