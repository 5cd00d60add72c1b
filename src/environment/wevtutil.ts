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
import { LIMITS } from '../limits.js';
import { cappedNotes, forEachLine } from '../lines.js';

const csv = lazy<typeof import('csv-parse/sync')>('csv-parse/sync');

export interface ChannelInfo {
  name: string;
  enabled?: boolean;
  type?: string; // Admin, Operational, Analytic, Debug, or as wevtutil prints it
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
  /** Set when a limit stopped the reading (why): channels after that point are unknown, not absent. */
  partial?: string;
}

/** Header the collection script writes before each command output in a concatenated file. */
export const HEADER = /^====\s+(.*?)\s*$/;

const bool = (v: string): boolean | undefined => (/^true$/i.test(v) ? true : /^false$/i.test(v) ? false : undefined);

export function parseWevtutilGl(text: string): ChannelSet {
  const out: ChannelSet = { channels: new Map(), notes: [] };
  const notes = cappedNotes(out.notes);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let cut = false;
  let cur: { info: ChannelInfo; sawPublishing: boolean; sawKey: boolean } | undefined;
  let pending: string | undefined; // channel named by a header, not yet by "name:"
  const finish = () => {
    if (!cur) return;
    if (cur.info.error === '') cur.info.error = 'the configuration could not be read';
    out.channels.set(cur.info.name.toLowerCase(), cur.info);
    cur = undefined;
  };
  const start = (name: string): boolean => {
    finish();
    // One object per channel: past the limit the rest of the file is not read, and its channels are unknown.
    if (out.channels.size >= LIMITS.host.channels && !out.channels.has(name.toLowerCase())) {
      out.partial = `more than ${LIMITS.host.channels.toLocaleString('en-US')} channels (limit)`;
      return false;
    }
    cur = { info: { name }, sawPublishing: false, sawKey: false };
    return true;
  };
  // Iterated in place, never split into an array: a file of millions of short lines stays one string.
  forEachLine(body, (raw, lineNo, last) => {
    // A file that does not end with a newline was cut off: its last line may be incomplete, so drop it.
    if (last && raw.trim() !== '') {
      cut = true;
      notes.add(`the file ends inside a line ("${raw.slice(0, 40)}"); that line is ignored and the last channel is marked truncated`);
      return false;
    }
    if (raw.trim() === '') return true;
    const h = HEADER.exec(raw);
    if (h) {
      finish();
      const m = /^wevtutil(?:\.exe)?\s+(?:gl|get-log)\s+"?(.*?)"?$/i.exec(h[1]!);
      pending = m ? m[1] : undefined;
      if (!m) notes.add(`line ${lineNo}: header "${h[1]!.slice(0, 80)}" is not a wevtutil gl command; ignored`);
      return true;
    }
    if (/^Failed to read configuration for log /i.test(raw.trim())) {
      const named = /^Failed to read configuration for log (.+?)\.(?:\s|$)/i.exec(raw.trim())?.[1];
      const name = pending ?? named;
      if (!name) {
        notes.add(`line ${lineNo}: "${raw.trim().slice(0, 80)}" names no channel; ignored`);
        return true;
      }
      if (!start(name)) return false;
      // The reason may follow on the same line or on the next one.
      cur!.info.error = raw.trim().replace(/^Failed to read configuration for log .+?\.(\s+|$)/i, '');
      pending = undefined;
      return true;
    }
    const kv = /^(\s*)([A-Za-z][\w]*):\s?(.*)$/.exec(raw);
    if (!kv) {
      // Error text continued on the next line ("The specified channel could not be found.").
      if (cur?.info.error !== undefined && !cur.sawKey) cur.info.error = `${cur.info.error} ${raw.trim()}`.trim();
      else if (pending !== undefined && !cur) {
        if (!start(pending)) return false;
        cur!.info.error = raw.trim();
        pending = undefined;
      } else notes.add(`line ${lineNo}: "${raw.trim().slice(0, 60)}" is not a "key: value" line; ignored`);
      return;
    }
    const [, indent, key, value] = kv as unknown as [string, string, string, string];
    const k = key.toLowerCase();
    const v = value.trim();
    if (k === 'name' && indent === '') {
      if (!start(v || pending || '')) return false;
      if (!v && pending) notes.add(`line ${lineNo}: empty "name:"; named "${pending}" from the header`);
      pending = undefined;
      return;
    }
    if (!cur) {
      if (pending === undefined) {
        notes.add(`line ${lineNo}: "${key}:" before any "name:" line; ignored`);
        return;
      }
      if (!start(pending)) return false;
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
        else notes.add(`line ${lineNo}: maxSize "${v}" of ${info.name} is not a number`);
        break;
      }
      default: // isolation, channelAccess, publishing details: not needed to know whether events are kept
    }
    if (['enabled', 'retention', 'autobackup'].includes(k) && bool(v) === undefined) {
      notes.add(`line ${lineNo}: ${key} "${v}" of ${info.name} is neither true nor false (localized?); left unknown`);
    }
  });
  // Only the last block can be cut short; "publishing:" is the final section wevtutil gl prints.
  if (cur) {
    const c = cur as { info: ChannelInfo; sawPublishing: boolean };
    if (c.info.error === undefined && (cut || !c.sawPublishing)) {
      c.info.truncated = true;
      notes.add(`the output for ${c.info.name} is incomplete (no "publishing:" section); its missing fields are unknown`);
    }
  }
  finish();
  // Text without a single channel is not wevtutil gl output (or is damaged throughout): reading it as "no
  // channel exists" would block every rule that needs one; the channels stay unknown instead.
  if (out.channels.size === 0 && pending === undefined && body.trim() !== '')
    throw new Error('no channel configuration in this file (not the output of wevtutil gl); its channels are unknown');
  if (out.partial) notes.add(`${out.partial}: the rest of the file is not read, and the channels it lists are unknown`);
  else if (pending !== undefined) notes.add(`the output ends after the header for ${pending}; that channel is unknown`);
  notes.end();
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
    throw new Error(`CSV error: ${(e as Error).message}`, { cause: e });
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
