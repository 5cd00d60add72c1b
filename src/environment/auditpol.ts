/**
 * auditpol CSV: `auditpol /get /category:* /r` (the effective policy; no "Setting Value" column) and the
 * GPO backup / `auditpol /backup` audit.csv (with "Setting Value"). Rows such as "Option:CrashOnAuditFail"
 * are options, not subcategories. Also the plain English table of `auditpol /get /category:*`
 * (auditpol-text.ts). What a saved console capture adds around the output (code page line, prompts,
 * CR CR LF, a second BOM) is taken off first, each with a note (capture-text.ts).
 *
 * The GUID is what identifies a row: the Subcategory column is in the system's language and loses its
 * characters to the console code page (a Japanese system redirected under code page 437 prints "" or
 * "IPsec " for names), so every row with a known GUID is read whatever its name says.
 */
import type { Catalog } from '../catalog/catalog.js';
import { lazy } from '../lazy.js';
import { cappedNotes } from '../lines.js';
import { cleanCapture, dropCutLine, shown, unterminatedTail } from './capture-text.js';
import { INCLUSION, isAuditpolTextHeader, looksLikeAuditpolTable, OTHER_LANGUAGE, parseAuditpolText } from './auditpol-text.js';

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

export function parseAuditpol(raw: string, catalog: Catalog): AuditpolSettings {
  const cap = cleanCapture(raw, { start: (l) => /subcategory guid/i.test(l) || isAuditpolTextHeader(l), codePageInside: true });
  if (!cap.started) throw new Error(looksLikeAuditpolTable(cap.text) ? OTHER_LANGUAGE : NOT_AUDITPOL);
  if (!/subcategory guid/i.test(cap.text.slice(0, 2000).split(/\r?\n/, 1)[0] ?? '')) {
    // auditpol ends every line of its table: a last line without its end was cut ("Success" of "Success and Failure").
    const plain = parseAuditpolText(dropCutLine(cap.text, cap.notes), catalog, cap.firstLine, cap.notes);
    return { kind: 'effective', computer: '', values: plain.values, globalSacl: new Map(), notes: plain.notes };
  }
  // A last row without its line end is whole only if it has every column: /r rows end with the empty Exclusion
  // Setting, so "…,Success" cut from "…,Success and Failure," is one comma short and is not read.
  const header = cap.text.slice(0, cap.text.search(/[\r\n]|$/));
  const tail = unterminatedTail(cap.text);
  const text = tail && tail !== header && commas(tail) < commas(header) ? dropCutLine(cap.text, cap.notes) : cap.text;
  let out: AuditpolSettings | undefined;
  let notes: ReturnType<typeof cappedNotes> | undefined;
  let i = 0;
  const seen = { headers: 0, renamed: 0, example: '' };
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
          out = {
            kind: 'setting value' in row ? 'backup' : 'effective',
            computer: row['machine name'] ?? '',
            values: new Map(),
            globalSacl: new Map(),
            notes: cap.notes,
          };
          notes = cappedNotes(out.notes);
        }
        // A second header further down: two outputs saved into one file.
        if ((row['subcategory guid'] ?? '').toLowerCase() === 'subcategory guid') {
          seen.headers++;
          i++;
          return null;
        }
        readRow(row, i++ + cap.firstLine + 1, out, notes!.add, catalog, seen);
        return null;
      },
    });
  } catch (e) {
    if (e instanceof NotAuditpol) throw e;
    throw new Error(`CSV error: ${(e as Error).message}`, { cause: e });
  }
  if (!out) throw new Error(NOT_AUDITPOL);
  if (seen.headers) notes!.add(`${seen.headers} repeated header line(s) skipped (outputs saved one after another); the rows after them read as usual`);
  if (seen.renamed)
    notes!.add(
      `${seen.renamed} row(s) name their subcategory otherwise than auditpol's English names (another language, or letters lost to the console code page, e.g. ${seen.example ? `"${seen.example}"` : 'empty names'}): read by their GUID`,
    );
  notes!.end();
  return out;
}

const commas = (s: string) => s.split(',').length - 1;

const NOT_AUDITPOL = 'not an auditpol CSV (expected columns "Subcategory GUID" and "Inclusion Setting"; use auditpol /get /category:* /r)';
class NotAuditpol extends Error {}

function readRow(
  row: Record<string, string>,
  line: number,
  out: AuditpolSettings,
  note: (n: string) => void,
  catalog: Catalog,
  seen: { renamed: number; example: string },
): void {
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
  const sub = catalog.subcategory(guid);
  if (!sub) {
    note(`line ${line}: subcategory ${shown(guidRaw || name)} is not in the catalog; ignored`);
    return;
  }
  const lower = name.toLowerCase();
  if (lower !== sub.auditpolName.toLowerCase() && lower !== sub.name.toLowerCase()) {
    // The example shown is the first name that is not empty (an empty one says little).
    seen.renamed++;
    if (!seen.example && name.trim()) seen.example = shown(name, 40);
  }
  const numeric = row['setting value'];
  let value: number | undefined;
  // [MS-GPAC] audit.csv: 1 success, 2 failure, 3 both, 4 none; exports also write 0 for "No Auditing".
  if (numeric !== undefined && /^[0-4]$/.test(numeric)) value = Number(numeric) & 3;
  else value = INCLUSION[(row['inclusion setting'] ?? '').toLowerCase()];
  if (value === undefined) {
    note(
      `line ${line}: "${(row['inclusion setting'] ?? '').slice(0, 80)}" for ${name || guid} is not understood and there is no numeric Setting Value; that subcategory is left unknown`,
    );
    return;
  }
  out.values.set(guid, value);
}
