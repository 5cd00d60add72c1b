/**
 * Audit policy for hosts no domain GPO manages (workgroup, Entra-joined, Intune-only): the same complete policy as
 * audit.csv, as Audit Policy CSP settings an MDM profile carries. Each row is one OMA-URI
 * ./Device/Vendor/MSFT/Policy/Config/Audit/<node>, data type Integer, 0 off, 1 success, 2 failure, 3 both
 * (Microsoft Learn "Policy CSP - Audit"; the node names are catalog facts, audit.yaml `csp:`). A subcategory whose
 * node the catalog does not carry is listed as such, never given a guessed name.
 * The values are today's setting plus what is missing (from audit.csv): a CSP value replaces the subcategory's
 * setting, so a row that named only the missing outcome would turn the other one off.
 */
import type { AuditSubcategory } from '../catalog/types.js';
import { csvCell } from '../escape.js';
import { lazy } from '../lazy.js';

const csv = lazy<typeof import('csv-stringify/sync')>('csv-stringify/sync');

export const AUDIT_CSP_BASE = './Device/Vendor/MSFT/Policy/Config/Audit/';
export const AUDIT_CSP_SOURCE = 'https://learn.microsoft.com/en-us/windows/client-management/mdm/policy-csp-audit';
const MEANING = ['Off', 'Success', 'Failure', 'Success and Failure'];

export interface IntuneRow {
  subcategory: string;
  omaUri?: string;
  value: number;
}

/** One subcategory of a complete audit.csv: 1 success, 2 failure, 3 both. */
export interface AuditValue {
  sub: AuditSubcategory;
  value: number;
}

/** Rows from the values of a complete audit.csv (completeAuditCsv). */
export function intuneRows(values: AuditValue[]): IntuneRow[] {
  return values.map(({ sub, value }) => ({ subcategory: sub.name, ...(sub.csp ? { omaUri: `${AUDIT_CSP_BASE}${sub.csp}` } : {}), value }));
}

/** intune-audit-policy.csv: one row per subcategory to set; names with no known node say so instead of an OMA-URI. */
export function intuneCsv(rows: IntuneRow[]): string[] {
  // One record per line (quoting is csv-stringify's; the cells are catalog names, never multi-line).
  const line = (cells: (string | number)[]) =>
    csv()
      .stringify([cells.map(csvCell)])
      .replace(/\r?\n$/, '');
  const out = [line(['Subcategory', 'OMA-URI', 'Data type', 'Value', 'Meaning'])];
  for (const r of rows)
    out.push(
      line([r.subcategory, r.omaUri ?? 'no Audit Policy CSP node known to logsource-check: set it another way', 'Integer', r.value, MEANING[r.value] ?? '']),
    );
  return out;
}

/** README.txt lines for the hosts without a domain GPO. */
export function intuneReadme(file: string, hosts: { name: string; source: string }[], rows: IntuneRow[]): string[] {
  const out = [
    `${file} - ${hosts.map((h) => `${h.name} has no domain GPO (${h.source})`).join('; ')}: set its audit policy through MDM, not a GPO.`,
    '                    Intune: Devices > Configuration > Create profile > Windows 10 and later > Templates > Custom; add one',
    '                    OMA-URI setting per row (data type Integer; 0 off, 1 success, 2 failure, 3 success and failure).',
    '                    Or a Settings catalog profile, category "Auditing", with the same value for each subcategory.',
    `                    Nodes: Microsoft Learn "Policy CSP - Audit" <${AUDIT_CSP_SOURCE}>.`,
    '                    Every subcategory on today is listed with its current value plus what is missing: keep every row',
    '                    (a lower value would turn auditing off).',
  ];
  for (const r of rows.slice(0, 80))
    out.push(`                      ${r.omaUri ?? `(no known CSP node: ${r.subcategory})`}  Integer ${r.value}  (${r.subcategory}: ${MEANING[r.value]})`);
  if (rows.length > 80) out.push(`                      … ${rows.length - 80} more in ${file}`);
  return out;
}
