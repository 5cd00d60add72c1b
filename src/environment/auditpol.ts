/**
 * auditpol CSV: `auditpol /get /category:* /r` (the effective policy; no "Setting Value" column) and the
 * GPO backup / `auditpol /backup` audit.csv (with "Setting Value"). Rows such as "Option:CrashOnAuditFail"
 * are options, not subcategories.
 */
import type { Catalog } from '../catalog/catalog.js';
import { lazy } from '../lazy.js';
import { cappedNotes } from '../lines.js';

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
  let out: AuditpolSettings | undefined;
  let notes: ReturnType<typeof cappedNotes> | undefined;
  let i = 0;
  try {
    // Each row is read as it is parsed and dropped (a 64 MiB export is a million rows): never an array of them.
    csv().parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      bom: true,
      on_record: (row: Record<string, string>) => {
        if (!out) {
          if (!('subcategory guid' in row) || !('inclusion setting' in row)) throw new NotAuditpol(NOT_AUDITPOL);
          out = { kind: 'setting value' in row ? 'backup' : 'effective', computer: row['machine name'] ?? '', values: new Map(), globalSacl: new Map(), notes: [] };
          notes = cappedNotes(out.notes);
        }
        readRow(row, i++ + 2, out, notes!.add, catalog);
        return null;
      },
    });
  } catch (e) {
    if (e instanceof NotAuditpol) throw e;
    throw new Error(`CSV error: ${(e as Error).message}`);
  }
  if (!out) throw new Error(NOT_AUDITPOL);
  notes!.end();
  return out;
}

const NOT_AUDITPOL = 'not an auditpol CSV (expected columns "Subcategory GUID" and "Inclusion Setting"; use auditpol /get /category:* /r)';
class NotAuditpol extends Error {}

function readRow(row: Record<string, string>, line: number, out: AuditpolSettings, note: (n: string) => void, catalog: Catalog): void {
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
    note(`line ${line}: subcategory ${(guidRaw || name).slice(0, 80)} is not in the catalog; ignored`);
    return;
  }
  const numeric = row['setting value'];
  let value: number | undefined;
  // [MS-GPAC] audit.csv: 1 success, 2 failure, 3 both, 4 none; exports also write 0 for "No Auditing".
  if (numeric !== undefined && /^[0-4]$/.test(numeric)) value = Number(numeric) & 3;
  else value = INCLUSION[(row['inclusion setting'] ?? '').toLowerCase()];
  if (value === undefined) {
    note(`line ${line}: "${(row['inclusion setting'] ?? '').slice(0, 80)}" for ${name || guid} is not understood and there is no numeric Setting Value; that subcategory is left unknown`);
    return;
  }
  out.values.set(guid, value);
}
