/**
 * The plain table of `auditpol /get /category:*` (no /r), as admins paste and save it:
 *
 *   System audit policy
 *   Category/Subcategory                      Setting
 *   System
 *     Security System Extension               No Auditing
 *
 * It has no GUIDs and no computer name: each subcategory is found by the English name auditpol prints
 * (data/audit.yaml auditpolName; the GPO editor's "Audit …" name is accepted too). Windows prints these names
 * and the settings in the language of the system, so only English text can be read; any other language is one
 * error that says to run the /r form, whose GUIDs do not depend on the language.
 */
import type { Catalog } from '../catalog/catalog.js';
import { cappedNotes, forEachLine } from '../lines.js';
import { shown } from './capture-text.js';

/** English settings as auditpol prints them: bit 1 success, bit 2 failure. */
export const INCLUSION: Record<string, number> = { 'no auditing': 0, success: 1, failure: 2, 'success and failure': 3 };

export const OTHER_LANGUAGE = 'auditpol text in a language other than English: run auditpol /get /category:* /r (the /r CSV has GUIDs)';

/** The two header lines of the English table. */
export function isAuditpolTextHeader(line: string): boolean {
  const t = line.trim();
  return /^system audit policy$/i.test(t) || /^category\/subcategory\s+setting$/i.test(t);
}

/** "  Name<two or more spaces>Setting": a row of the table in any language. */
const ROW = /^\s*(\S.*?\S|\S)\s{2,}(\S.*?)\s*$/;

/** Does this text look like auditpol's table (rows of name and setting), whatever its language? */
export function looksLikeAuditpolTable(text: string): boolean {
  let rows = 0;
  let seen = 0;
  forEachLine(text, (line) => {
    if (/^ {2}\S/.test(line) && ROW.test(line)) rows++;
    return ++seen < 200 && rows < 3;
  });
  return rows >= 3;
}

export interface AuditpolTextResult {
  values: Map<string, number>;
  notes: string[];
}

export function parseAuditpolText(text: string, catalog: Catalog, firstLine: number, notesIn: string[]): AuditpolTextResult {
  const byName = new Map<string, string>();
  for (const s of catalog.subcategories) {
    byName.set(s.auditpolName.toLowerCase(), s.guid.toUpperCase());
    byName.set(s.name.toLowerCase(), s.guid.toUpperCase());
  }
  const categories = new Set(catalog.auditCategories.map((c) => c.name.toLowerCase()));
  const values = new Map<string, number>();
  const notes = cappedNotes(notesIn);
  let english = false;
  let unreadable = 0;
  forEachLine(text, (line, no) => {
    if (!line.trim()) return;
    if (isAuditpolTextHeader(line)) {
      english = true;
      return;
    }
    const m = ROW.exec(line);
    const setting = m ? INCLUSION[(m[2] as string).toLowerCase()] : undefined;
    if (!m || setting === undefined) {
      // A category line ("Logon/Logoff") has no setting; anything else is said.
      if (!categories.has(line.trim().toLowerCase())) unreadable++;
      if (!categories.has(line.trim().toLowerCase()) && unreadable <= 3)
        notes.add(`line ${no + firstLine - 1}: "${shown(line)}" is not a row of auditpol's table; ignored`);
      return;
    }
    english = true;
    const name = (m[1] as string).toLowerCase();
    const guid = byName.get(name);
    if (!guid) {
      notes.add(
        `line ${no + firstLine - 1}: subcategory "${shown(m[1] as string)}" is not a name auditpol prints in English (data/audit.yaml auditpolName); that row is left unknown`,
      );
      return;
    }
    values.set(guid, setting);
  });
  if (!english || (values.size === 0 && unreadable > 0)) throw new Error(OTHER_LANGUAGE);
  notes.add(`plain auditpol text (no GUIDs): ${values.size} subcategories found by their English names; a subcategory it does not list is unknown`);
  notes.end();
  return { values, notes: notesIn };
}
