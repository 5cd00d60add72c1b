/**
 * auditpol CSV: `auditpol /get /category:* /r` (the effective policy; no "Setting Value" column) and the
 * GPO backup / `auditpol /backup` audit.csv (with "Setting Value"). Rows such as "Option:CrashOnAuditFail"
 * are options, not subcategories.
 */
import type { Catalog } from '../catalog/catalog.js';
import { lazy } from '../lazy.js';

const csv = lazy<typeof import('csv-parse/sync')>('csv-parse/sync');

export interface AuditpolSettings {
  kind: 'effective' | 'backup';
  computer: string;
  /** SettingValue per upper-case GUID: 0 none, 1 success, 2 failure, 3 both. */
  values: Map<string, number>;
  /** Global SACLs (Global Object Access Auditing) an audit.csv sets, by resource type: SDDL. */
  globalSacl: Map<'file' | 'registry', string>;
  notes: string[];
}

/** English inclusion strings as auditpol prints them. Other languages need the numeric Setting Value. */
const INCLUSION: Record<string, number> = { 'no auditing': 0, success: 1, failure: 2, 'success and failure': 3 };

export function parseAuditpol(text: string, catalog: Catalog): AuditpolSettings {
  let rows: Record<string, string>[];
  try {
    rows = csv().parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
  } catch (e) {
    throw new Error(`CSV error: ${(e as Error).message}`);
  }
  const first = rows[0];
  if (!first || !('subcategory guid' in first) || !('inclusion setting' in first)) {
    throw new Error('not an auditpol CSV (expected columns "Subcategory GUID" and "Inclusion Setting"; use auditpol /get /category:* /r)');
  }
  const out: AuditpolSettings = { kind: 'setting value' in first ? 'backup' : 'effective', computer: first['machine name'] ?? '', values: new Map(), globalSacl: new Map(), notes: [] };
  rows.forEach((row, i) => {
    const line = i + 2;
    const name = row['subcategory'] ?? '';
    const guidRaw = (row['subcategory guid'] ?? '').toUpperCase();
    // [MS-GPAC] 2.2.3: a global SACL row names FileGlobalSacl / RegistryGlobalSacl, with the SDDL as Setting Value.
    const sacl = /^(File|Registry)GlobalSacl$/i.exec(name);
    if (sacl && !guidRaw) {
      if (/^S:/i.test(row['setting value'] ?? '')) out.globalSacl.set(sacl[1]!.toLowerCase() === 'file' ? 'file' : 'registry', row['setting value'] as string);
      return;
    }
    if (/^option:/i.test(name) || (!guidRaw && name)) return; // options and global settings are not subcategories
    const guid = guidRaw.startsWith('{') ? guidRaw : `{${guidRaw}}`;
    if (!catalog.subcategory(guid)) {
      out.notes.push(`line ${line}: subcategory ${guidRaw || name} is not in the catalog; ignored`);
      return;
    }
    const numeric = row['setting value'];
    let value: number | undefined;
    // [MS-GPAC] audit.csv: 1 success, 2 failure, 3 both, 4 none; exports also write 0 for "No Auditing".
    if (numeric !== undefined && /^[0-4]$/.test(numeric)) value = Number(numeric) & 3;
    else value = INCLUSION[(row['inclusion setting'] ?? '').toLowerCase()];
    if (value === undefined) {
      out.notes.push(`line ${line}: "${row['inclusion setting']}" for ${name || guid} is not understood and there is no numeric Setting Value; that subcategory is left unknown`);
      return;
    }
    out.values.set(guid, value);
  });
  return out;
}
