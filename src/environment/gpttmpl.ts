/**
 * GptTmpl.inf: a GPO's Security Settings, in the security-template format ([MS-GPSB] 2.2, "Security
 * Template"): INI sections of `Name = value` lines. Read here:
 *  - [Event Audit]: the legacy audit categories (AuditProcessTracking …): 0 none, 1 success, 2 failure, 3 both;
 *  - [System Log] / [Security Log] / [Application Log]: MaximumLogSize (KB) and AuditLogRetentionPeriod
 *    (0 overwrite as needed, 1 by days, 2 never);
 *  - [Registry Values]: `MACHINE\<path>\<name>=<type>,<data>` (type 4 REG_DWORD, 1 REG_SZ, 7 REG_MULTI_SZ …),
 *    e.g. SCENoApplyLegacyAuditPolicy ("Audit: Force audit policy subcategory settings").
 * The text is already decoded (the file is usually UTF-16LE with a BOM; decodeText handles it).
 */
import { cappedNotes, forEachLine } from '../lines.js';

export interface GptTmpl {
  /** Legacy category (secedit key, as written) → its setting. */
  legacy: Map<string, { success: boolean; failure: boolean }>;
  /** "System" | "Security" | "Application" → what the template sets. */
  eventLogs: Map<string, { maxSizeKB?: number; retention?: number }>;
  /** Registry values, keys as HKLM\… (the MACHINE\ prefix replaced). */
  registry: { key: string; value: string; type: number; data: string | number | string[] }[];
  notes: string[];
}

const LOG_SECTIONS: Record<string, string> = { 'system log': 'System', 'security log': 'Security', 'application log': 'Application' };

export function parseGptTmpl(text: string): GptTmpl {
  const out: GptTmpl = { legacy: new Map(), eventLogs: new Map(), registry: [], notes: [] };
  const notes = cappedNotes(out.notes);
  let section = '';
  let sawSection = false;
  forEachLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, (raw, lineNo) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) return true;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = (head[1] as string).trim().toLowerCase();
      sawSection = true;
      return true;
    }
    if (section === 'event audit') readAudit(line, lineNo, out, notes.add);
    else if (LOG_SECTIONS[section]) readLog(LOG_SECTIONS[section] as string, line, lineNo, out, notes.add);
    else if (section === 'registry values') readRegistryValue(line, lineNo, out, notes.add);
    return true;
  });
  notes.end();
  if (!sawSection) throw new Error('not a security template (GptTmpl.inf): no [section] line');
  return out;
}

function pair(line: string): [string, string] | undefined {
  const eq = line.indexOf('=');
  if (eq <= 0) return undefined;
  return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
}

function readAudit(line: string, lineNo: number, out: GptTmpl, note: (n: string) => void): void {
  const p = pair(line);
  const n = p ? Number(p[1]) : NaN;
  if (!p || !Number.isInteger(n) || n < 0 || n > 3) {
    note(`line ${lineNo}: [Event Audit] line "${line.slice(0, 80)}" is not Name = 0..3; ignored`);
    return;
  }
  out.legacy.set(p[0], { success: (n & 1) === 1, failure: (n & 2) === 2 });
}

function readLog(log: string, line: string, lineNo: number, out: GptTmpl, note: (n: string) => void): void {
  const p = pair(line);
  if (!p) return note(`line ${lineNo}: "${line.slice(0, 80)}" in [${log} Log] is not Name = value; ignored`);
  const [name, value] = p;
  if (!/^(MaximumLogSize|AuditLogRetentionPeriod)$/i.test(name)) return; // RestrictGuestAccess, RetentionDays: nothing we check
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) return note(`line ${lineNo}: ${name} = "${value.slice(0, 40)}" in [${log} Log] is not a whole number; ignored`);
  const cur = out.eventLogs.get(log) ?? {};
  if (/^MaximumLogSize$/i.test(name)) cur.maxSizeKB = n;
  else cur.retention = n;
  out.eventLogs.set(log, cur);
}

function readRegistryValue(line: string, lineNo: number, out: GptTmpl, note: (n: string) => void): void {
  const m = /^MACHINE\\(.+)\\([^\\=]+)=(\d+),(.*)$/i.exec(line);
  if (!m) return note(`line ${lineNo}: [Registry Values] line "${line.slice(0, 80)}" is not MACHINE\\key\\name=type,data; ignored`);
  const type = Number(m[3]);
  const raw = m[4] as string;
  let data: string | number | string[] = raw;
  if (type === 4) {
    const n = Number(raw);
    if (!Number.isInteger(n)) return note(`line ${lineNo}: REG_DWORD ${m[2]} has data "${raw.slice(0, 40)}"; ignored`);
    data = n;
  } else if (type === 1 || type === 2) data = raw.replace(/^"(.*)"$/, '$1');
  else if (type === 7) data = raw === '' ? [] : raw.split(',');
  out.registry.push({ key: `HKLM\\${m[1]}`, value: m[2] as string, type, data });
}
