/**
 * `systeminfo /fo csv`: the host's name, OS and role. The role matters because some events exist only on
 * domain controllers (Kerberos 4768/4769, directory service changes) and some defaults differ between
 * client and server editions.
 *
 * The header row is translated on localized Windows ("Hostname","Betriebssystemname" …) but the column
 * order is fixed, so unknown headers fall back to positions.
 */
import { lazy } from '../lazy.js';

const csv = lazy<typeof import('csv-parse/sync')>('csv-parse/sync');

export type HostRole = 'workstation' | 'member-server' | 'standalone-server' | 'domain-controller' | 'standalone-workstation';

export interface SystemInfo {
  computer?: string;
  osName?: string;
  osVersion?: string;
  /** "OS Configuration" as printed (possibly translated). */
  osConfiguration?: string;
  role?: HostRole;
  domain?: string;
  notes: string[];
}

/** Column positions of systeminfo's fixed layout (0 Host Name … 28 Domain). */
const POS = { computer: 0, osName: 1, osVersion: 2, osConfiguration: 4, domain: 28 } as const;
const ENGLISH: Record<keyof typeof POS, string> = {
  computer: 'host name',
  osName: 'os name',
  osVersion: 'os version',
  osConfiguration: 'os configuration',
  domain: 'domain',
};

const ROLES: Record<string, HostRole> = {
  'member workstation': 'workstation',
  'standalone workstation': 'standalone-workstation',
  'member server': 'member-server',
  'standalone server': 'standalone-server',
  'primary domain controller': 'domain-controller',
  'backup domain controller': 'domain-controller',
};

export function parseSysteminfoCsv(text: string): SystemInfo {
  const out: SystemInfo = { notes: [] };
  let rows: string[][];
  try {
    rows = csv().parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true, bom: true });
  } catch (e) {
    throw new Error(`CSV error: ${(e as Error).message}`);
  }
  const header = rows[0];
  const data = rows[1];
  if (!header || !data) {
    out.notes.push('systeminfo CSV has no data row');
    return out;
  }
  if (rows.length > 2) out.notes.push(`systeminfo CSV has ${rows.length - 1} data rows; only the first is read`);
  const lower = header.map((h) => h.trim().toLowerCase());
  const english = lower.includes('host name') && lower.includes('os configuration');
  if (!english) {
    if (header.length < 29) {
      out.notes.push(`systeminfo CSV has unknown headers and only ${header.length} columns; not read`);
      return out;
    }
    out.notes.push(`systeminfo headers are not English ("${header[0]}", "${header[1]}" …); columns read by position`);
  }
  const col = (k: keyof typeof POS): string | undefined => {
    const idx = english ? lower.indexOf(ENGLISH[k]) : POS[k];
    const v = idx >= 0 ? data[idx]?.trim() : undefined;
    return v === '' ? undefined : v;
  };
  const set = <K extends keyof typeof POS>(k: K) => {
    const v = col(k);
    if (v !== undefined) out[k] = v;
  };
  (Object.keys(POS) as (keyof typeof POS)[]).forEach(set);
  const conf = out.osConfiguration;
  if (conf) {
    const known = Object.hasOwn(ROLES, conf.toLowerCase()) ? ROLES[conf.toLowerCase()] : undefined;
    const role = known ?? localizedRole(conf);
    if (role) {
      out.role = role;
      if (!known) out.notes.push(`OS Configuration "${conf}" read as ${role} (translated value)`);
    } else out.notes.push(`OS Configuration "${conf}" is not understood; the host role is unknown`);
  }
  return out;
}

/**
 * Translated role values, recognised by word stems (German; cmd redirection may also turn "ä" into "?" or
 * U+FFFD, hence the wildcards). Anything else stays unknown rather than guessed.
 */
function localizedRole(v: string): HostRole | undefined {
  const s = v.toLowerCase();
  if (/dom.{1,2}nen-?controller/.test(s)) return 'domain-controller';
  const member = /mitglied/.test(s);
  const standalone = /eigenst.{1,2}ndig/.test(s);
  if (/server/.test(s)) return member ? 'member-server' : standalone ? 'standalone-server' : undefined;
  if (/arbeitsstation/.test(s)) return member ? 'workstation' : standalone ? 'standalone-workstation' : undefined;
  return undefined;
}
