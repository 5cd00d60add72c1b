/**
 * Effective audit policy from what Group Policy configures, the way Windows resolves legacy categories
 * against advanced subcategories (see README "Effective audit policy" for the sources):
 *  - "Audit: Force audit policy subcategory settings … to override audit policy category settings"
 *    (SCENoApplyLegacyAuditPolicy) enabled — its effective default since Windows Vista — and advanced
 *    settings present: the advanced subcategory settings apply and the legacy category settings are ignored.
 *  - the option disabled: a configured legacy category overrides the subcategory settings of that category.
 *  - no advanced settings at all: the legacy categories apply to every subcategory they contain.
 *  - advanced settings applied by Group Policy: Windows clears the computer's audit policy first and then
 *    applies them, so a subcategory no GPO configures ends at No Auditing (Microsoft's advanced security
 *    auditing FAQ says the policy is cleared; "No Auditing" is the consequence, not a quoted sentence).
 * Without advanced settings, a subcategory nothing configures is left undefined: the Windows default (which
 * differs by edition and role) applies, and the checker reports it as unknown rather than guess.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { GpresultSettings } from './gpresult.js';
import type { AuditValue } from './model.js';

export function effectiveAudit(
  s: GpresultSettings,
  catalog: Catalog,
  source: string,
): { values: Map<string, AuditValue>; notes: string[]; legacyApplied: string[] } {
  const values = new Map<string, AuditValue>();
  const notes: string[] = [];
  const force = s.forceSubcategories ?? true;
  const hasAdvanced = s.advanced.size > 0;
  const legacyWins = s.legacy.size > 0 && (!hasAdvanced || !force);

  if (hasAdvanced && s.legacy.size > 0) {
    notes.push(
      force
        ? `legacy audit categories (${[...s.legacy.keys()].join(', ')}) are ignored: advanced audit policy is configured and "Audit: Force audit policy subcategory settings" is ${s.forceSubcategories === undefined ? 'not defined (enabled by default)' : 'enabled'}`
        : `"Audit: Force audit policy subcategory settings" is disabled: legacy categories (${[...s.legacy.keys()].join(', ')}) override the advanced settings of their subcategories`,
    );
  }

  for (const [guid, a] of s.advanced) values.set(guid, { success: (a.value & 1) === 1, failure: (a.value & 2) === 2, source: `${source} (GPO ${a.gpo})` });
  if (hasAdvanced) {
    for (const sub of catalog.subcategories) {
      if (!values.has(sub.guid))
        values.set(sub.guid, {
          success: false,
          failure: false,
          source: `${source}: not configured while advanced audit policy comes from Group Policy (policy cleared first)`,
          inferred: true,
        });
    }
  }
  if (legacyWins) {
    for (const [key, l] of s.legacy) {
      const category = catalog.auditCategories.find((c) => c.legacySetting.toLowerCase() === key.toLowerCase());
      if (!category) {
        notes.push(`legacy audit setting ${key} is not one of the 9 categories; ignored`);
        continue;
      }
      for (const sub of catalog.subcategories) {
        if (sub.category === category.name) values.set(sub.guid, { success: l.success, failure: l.failure, source: `${source} (legacy ${key}, GPO ${l.gpo})` });
      }
    }
  }
  return { values, notes, legacyApplied: legacyWins ? [...s.legacy.keys()] : [] };
}
