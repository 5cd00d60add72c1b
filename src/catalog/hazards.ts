/**
 * The deployment hazard model: what turning a setting on can do besides adding events. Sysmon elements and
 * policies carry their hazards in the data (sysmon.yaml, policies.yaml `hazards:`); the volume hazard is their
 * existing volume rating (and an audit subcategory's), never a second copy. Generators and the ranked fixes ask
 * here, so a new hazard is one line of data, not a code change (docs/safe-to-deploy.md).
 */
import type { Checker } from './validate.js';

/** enforcement: it blocks; archives-data: it copies data to disk; privacy: what it keeps is sensitive; volume: a high rating. */
export const HAZARD_CLASSES = ['enforcement', 'archives-data', 'privacy', 'volume'] as const;
export type HazardClass = (typeof HAZARD_CLASSES)[number];

export interface Hazard {
  class: HazardClass;
  note: string;
  source: string;
  /** The Sysmon configuration entry that turns the hazard on (CaptureClipboard). */
  option?: string;
  /** A Sysmon event id that logs the same without the hazard (26 for 23). */
  instead?: number;
}

/**
 * Classes a generator never turns on by itself and a ranked fix never proposes: blocking, and copying data to
 * disk. privacy and volume are reported with the fix, not withheld (the command line in 4688 is a privacy
 * hazard and still the usual advice).
 */
export const WITHHELD: readonly HazardClass[] = ['enforcement', 'archives-data'];

/** Schema of `hazards:` (required, [] for none): volume is derived from the rating, never written. */
export function checkHazards(c: Checker, obj: unknown, w: string, sysmon: boolean): void {
  const list = c.field<unknown[]>(obj, w, 'hazards', 'array');
  (list ?? []).forEach((h, i) => {
    const wh = `${w}.hazards[${i}]`;
    c.onlyKeys(h, wh, sysmon ? ['class', 'note', 'source', 'option', 'instead'] : ['class', 'note', 'source']);
    const cls = c.field<string>(h, wh, 'class', 'string');
    if (cls !== undefined && (!(HAZARD_CLASSES as readonly string[]).includes(cls) || cls === 'volume')) {
      c.fail(wh, `class "${cls}" is not one of enforcement, archives-data, privacy (volume comes from the volume rating)`);
    }
    c.field(h, wh, 'note', 'string');
    const src = c.field<string>(h, wh, 'source', 'string');
    if (src !== undefined && !/^https:\/\//.test(src)) c.fail(wh, 'source must be an https URL');
    c.field(h, wh, 'option', 'string', true);
    c.field(h, wh, 'instead', 'number', true);
  });
}
