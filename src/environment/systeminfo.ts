/**
 * `systeminfo /fo csv` and the default list output (systeminfo-list.ts): the host's name, OS and role. The role matters because some events exist only on
 * domain controllers (Kerberos 4768/4769, directory service changes) and some defaults differ between
 * client and server editions.
 *
 * The header row is translated on localized Windows ("Hostname","Betriebssystemname" …) but the column
 * order is fixed, so unknown headers fall back to positions. The OS Configuration values, translated too, are
 * data (data/systeminfo.yaml, read by systeminfo-words.ts).
 */
import { lazy } from '../lazy.js';
import { cleanCapture, isCodePageLine, isPromptLine, shown } from './capture-text.js';
import { isFieldLine, parseSysteminfoList, splitField } from './systeminfo-list.js';
import { systeminfoWords } from './systeminfo-words.js';
import type { SystemInfo } from './systeminfo-facts.js';

const csv = lazy<typeof import('csv-parse/sync')>('csv-parse/sync');

export type { HostRole, SystemInfo } from './systeminfo-facts.js';

/** Column positions of systeminfo's fixed layout (0 Host Name … 28 Domain). */
const POS = { computer: 0, osName: 1, osVersion: 2, osConfiguration: 4, domain: 28 } as const;
const ENGLISH: Record<keyof typeof POS, string> = {
  computer: 'host name',
  osName: 'os name',
  osVersion: 'os version',
  osConfiguration: 'os configuration',
  domain: 'domain',
};

export function parseSysteminfoCsv(text: string): SystemInfo {
  const out: SystemInfo = { notes: [] };
  let rows: string[][];
  try {
    rows = csv().parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true, bom: true });
  } catch (e) {
    throw new Error(`CSV error: ${(e as Error).message}`, { cause: e });
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
  readRole(out);
  return out;
}

/**
 * systeminfo as an admin saved it: `/fo csv` or the default list, possibly after a prompt or chcp's line
 * (capture-text.ts). The same facts either way.
 */
export function parseSysteminfo(raw: string): SystemInfo {
  const words = systeminfoWords();
  const cap = cleanCapture(raw, {
    start: (l) => l.startsWith('"') || (isFieldLine(l) && !isPromptLine(l) && (words.label(splitField(l)!.label)?.field === 'computer' || !isCodePageLine(l))),
  });
  if (!cap.started) throw new Error('not systeminfo output (neither the "Host Name","OS Name",… CSV of systeminfo /fo csv nor its "Host Name:   …" list)');
  if (cap.text.startsWith('"')) {
    const info = parseSysteminfoCsv(cap.text);
    info.notes.unshift(...cap.notes);
    return info;
  }
  const info = parseSysteminfoList(cap.text, cap.notes);
  readRole(info);
  return info;
}

/** OS Configuration → role, through data/systeminfo.yaml; a value not there leaves the role unknown. */
function readRole(out: SystemInfo): void {
  const conf = out.osConfiguration;
  if (!conf) return;
  const hit = systeminfoWords().role(conf);
  if (!hit) {
    out.notes.push(`OS Configuration "${shown(conf, 60)}" is not understood (not in data/systeminfo.yaml); the host role is unknown`);
    return;
  }
  out.role = hit.role;
  if (hit.damaged) out.notes.push(`OS Configuration "${shown(conf, 60)}" read as ${hit.role} (${hit.lang}, letters damaged by the console code page)`);
  else if (hit.lang !== 'en') out.notes.push(`OS Configuration "${shown(conf, 60)}" read as ${hit.role} (translated value, ${hit.lang})`);
}
