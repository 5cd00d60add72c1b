/**
 * Event channel configuration of a host: whether a channel is enabled, its size and its retention. A rule
 * whose events go to a disabled channel (TaskScheduler/Operational, most Analytic channels) never fires,
 * whatever the audit policy says.
 *
 * Two inputs give the same ChannelInfo map:
 * - `wevtutil gl "<channel>"` for many channels, concatenated by the collection script, which writes a
 *   `==== wevtutil gl "<channel>"` line before each (so a failed channel is still named);
 * - `Get-WinEvent -ListLog * | Export-Csv` (EventLogConfiguration properties).
 */
import { lazy } from '../lazy.js';

const csv = lazy<typeof import('csv-parse/sync')>('csv-parse/sync');

export interface ChannelInfo {
  name: string;
  enabled?: boolean;
  type?: 'Admin' | 'Operational' | 'Analytic' | 'Debug' | string;
  maxSizeBytes?: number;
  /** true: the log is not overwritten when full (Retain or AutoBackup). */
  retention?: boolean;
  autoBackup?: boolean;
  logFileName?: string;
  /** Only the CSV input says this; wevtutil gl does not print it. */
  isClassicLog?: boolean;
  owningPublisher?: string;
  /** The channel is listed but its configuration could not be read (text of the error). */
  error?: string;
  /** The block was cut off (file ends inside it): the fields present are kept, the missing ones are unknown. */
  truncated?: boolean;
}

export interface ChannelSet {
  /** By lower-case channel name. */
  channels: Map<string, ChannelInfo>;
  notes: string[];
}

/** Header the collection script writes before each command output in a concatenated file. */
export const HEADER = /^====\s+(.*?)\s*$/;

const bool = (v: string): boolean | undefined => (/^true$/i.test(v) ? true : /^false$/i.test(v) ? false : undefined);

export function parseWevtutilGl(text: string): ChannelSet {
  const out: ChannelSet = { channels: new Map(), notes: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  // A file that does not end with a newline was cut off: its last line may be incomplete, so drop it.
  const cut = text.length > 0 && !/[\r\n]\s*$/.test(text);
  if (cut) {
    const last = lines.pop();
    out.notes.push(`the file ends inside a line ("${(last ?? '').slice(0, 40)}"); that line is ignored and the last channel is marked truncated`);
  }
  let cur: { info: ChannelInfo; sawPublishing: boolean; sawKey: boolean } | undefined;
  let pending: string | undefined; // channel named by a header, not yet by "name:"
  const finish = () => {
    if (!cur) return;
    if (cur.info.error === '') cur.info.error = 'the configuration could not be read';
    out.channels.set(cur.info.name.toLowerCase(), cur.info);
    cur = undefined;
  };
  const start = (name: string) => {
    finish();
    cur = { info: { name }, sawPublishing: false, sawKey: false };
  };
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const h = HEADER.exec(raw);
    if (h) {
      finish();
      const m = /^wevtutil(?:\.exe)?\s+(?:gl|get-log)\s+"?(.*?)"?$/i.exec(h[1]!);
      pending = m ? m[1] : undefined;
      if (!m) out.notes.push(`line ${lineNo}: header "${h[1]}" is not a wevtutil gl command; ignored`);
      return;
    }
    if (/^Failed to read configuration for log /i.test(raw.trim())) {
      const named = /^Failed to read configuration for log (.+?)\.(?:\s|$)/i.exec(raw.trim())?.[1];
      const name = pending ?? named;
      if (!name) {
        out.notes.push(`line ${lineNo}: "${raw.trim()}" names no channel; ignored`);
        return;
      }
      start(name);
      // The reason may follow on the same line or on the next one.
      cur!.info.error = raw.trim().replace(/^Failed to read configuration for log .+?\.(\s+|$)/i, '');
      pending = undefined;
      return;
    }
    const kv = /^(\s*)([A-Za-z][\w]*):\s?(.*)$/.exec(raw);
    if (!kv) {
      // Error text continued on the next line ("The specified channel could not be found.").
      if (cur?.info.error !== undefined && !cur.sawKey) cur.info.error = `${cur.info.error} ${raw.trim()}`.trim();
      else if (pending !== undefined && !cur) {
        start(pending);
        cur!.info.error = raw.trim();
        pending = undefined;
      } else out.notes.push(`line ${lineNo}: "${raw.trim().slice(0, 60)}" is not a "key: value" line; ignored`);
      return;
    }
    const [, indent, key, value] = kv as unknown as [string, string, string, string];
    const k = key.toLowerCase();
    const v = value.trim();
    if (k === 'name' && indent === '') {
      start(v || pending || '');
      if (!v && pending) out.notes.push(`line ${lineNo}: empty "name:"; named "${pending}" from the header`);
      pending = undefined;
      return;
    }
    if (!cur) {
      if (pending === undefined) {
        out.notes.push(`line ${lineNo}: "${key}:" before any "name:" line; ignored`);
        return;
      }
      start(pending);
      pending = undefined;
    }
    const c = cur!;
    c.sawKey = true;
    if (indent === '' && k === 'publishing') c.sawPublishing = true;
    const info = c.info;
    switch (k) {
      case 'enabled':
        info.enabled = bool(v);
        break;
      case 'type':
        info.type = v;
        break;
      case 'owningpublisher':
        if (v) info.owningPublisher = v;
        break;
      case 'logfilename':
        info.logFileName = v;
        break;
      case 'retention':
        info.retention = bool(v);
        break;
      case 'autobackup':
        info.autoBackup = bool(v);
        break;
      case 'maxsize': {
        const n = Number(v);
        if (/^\d+$/.test(v) && Number.isSafeInteger(n)) info.maxSizeBytes = n;
        else out.notes.push(`line ${lineNo}: maxSize "${v}" of ${info.name} is not a number`);
        break;
      }
      default: // isolation, channelAccess, publishing details: not needed to know whether events are kept
    }
    if (['enabled', 'retention', 'autobackup'].includes(k) && bool(v) === undefined) {
      out.notes.push(`line ${lineNo}: ${key} "${v}" of ${info.name} is neither true nor false (localized?); left unknown`);
    }
  });
  // Only the last block can be cut short; "publishing:" is the final section wevtutil gl prints.
  if (cur) {
    const c = cur as { info: ChannelInfo; sawPublishing: boolean };
    if (c.info.error === undefined && (cut || !c.sawPublishing)) {
      c.info.truncated = true;
      out.notes.push(`the output for ${c.info.name} is incomplete (no "publishing:" section); its missing fields are unknown`);
    }
  }
  finish();
  if (pending !== undefined) out.notes.push(`the output ends after the header for ${pending}; that channel is unknown`);
  return out;
}

const LOG_TYPES: Record<string, string> = { administrative: 'Admin', operational: 'Operational', analytical: 'Analytic', debug: 'Debug' };

/** `Get-WinEvent -ListLog * | Export-Csv` (PowerShell 5.1 writes a `#TYPE …` first line, 7+ does not). */
export function parseListLogCsv(text: string): ChannelSet {
  const out: ChannelSet = { channels: new Map(), notes: [] };
  const body = text.replace(/^\uFEFF/, '').replace(/^#TYPE[^\r\n]*(\r\n|\n|\r)/, '');
  let rows: Record<string, string>[];
  try {
    rows = csv().parse(body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, bom: true });
  } catch (e) {
    throw new Error(`CSV error: ${(e as Error).message}`);
  }
  if (rows.length > 0 && !('logname' in rows[0]!)) throw new Error('not a Get-WinEvent -ListLog CSV (no LogName column)');
  rows.forEach((row, i) => {
    const name = (row['logname'] ?? '').trim();
    if (!name) {
      out.notes.push(`row ${i + 2}: no LogName; ignored`);
      return;
    }
    const info: ChannelInfo = { name };
    const en = bool(row['isenabled'] ?? '');
    if (en !== undefined) info.enabled = en;
    const t = (row['logtype'] ?? '').trim();
    if (t) info.type = (Object.hasOwn(LOG_TYPES, t.toLowerCase()) ? LOG_TYPES[t.toLowerCase()] : undefined) ?? t;
    const size = (row['maximumsizeinbytes'] ?? '').trim();
    if (/^\d+$/.test(size)) info.maxSizeBytes = Number(size);
    // EventLogMode: Circular overwrites; AutoBackup archives when full; Retain keeps and drops new events.
    const mode = (row['logmode'] ?? '').trim().toLowerCase();
    if (mode === 'circular') Object.assign(info, { retention: false, autoBackup: false });
    else if (mode === 'autobackup') Object.assign(info, { retention: true, autoBackup: true });
    else if (mode === 'retain') Object.assign(info, { retention: true, autoBackup: false });
    else if (mode) out.notes.push(`row ${i + 2}: LogMode "${row['logmode']}" of ${name} is not understood`);
    if (row['logfilepath']) info.logFileName = row['logfilepath'].trim();
    const classic = bool(row['isclassiclog'] ?? '');
    if (classic !== undefined) info.isClassicLog = classic;
    if (row['owningprovidername']) info.owningPublisher = row['owningprovidername'].trim();
    out.channels.set(name.toLowerCase(), info);
  });
  return out;
}
